import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { gbcs } from "../../src/cli/gbcs.js";
import { runCommand } from "../support/cli-io.js";
import { reference } from "../support/reference.js";

/** Runs `meterway gbcs …` with captured streams. */
const run = (args: string[], stdin = "") => runCommand(gbcs, args, { stdin, env: process.env });

const hexOf = (dir: string, file: string) =>
  readFileSync(reference("rtds-4.5.0-gbcs", dir, file), "utf8")
    .trim()
    .toUpperCase();

describe("meterway gbcs", () => {
  const command = hexOf("4.1.1_ECS17b", "ECS17b_4.1.1_TWIN_SUCCESS_COMMAND_GBCS.HEX");
  const response = hexOf("4.1.1_ECS17b", "ECS17b_4.1.1_TWIN_SUCCESS_RESPONSE_GBCS.HEX");
  const critical = hexOf("1.5_ECS04b", "ECS04b_1.5_SUCCESS_COMMAND_GBCS.HEX");

  it("decode prints the header, payload and checks as JSON", async () => {
    const { code, out } = await run(["decode", command]);
    assert.equal(code, 0);
    const j = JSON.parse(out);
    assert.equal(j.kind, "command");
    assert.equal(j.cra, 1);
    assert.equal(j.counter, "1200");
    assert.equal(j.originator, "90B3D51F30020000");
    assert.equal(j.recipient, "00DB1234567890A0");
    assert.equal(j.messageCode, 0x27);
    assert.equal(j.useCase, "ECS17b");
    assert.equal(j.dateTime, null);
    assert.equal(j.payload.family, "dlms");
    assert.deepEqual(j.mac, { present: true, valid: null, reason: "not checked", bytes: command.slice(-24) });
    assert.equal(j.signature.present, false);
  });

  it("--keys checks the signature and MAC", async () => {
    const { code, out } = await run(["decode", critical, "--keys", reference("rtds-keystore")]);
    assert.equal(code, 0);
    const j = JSON.parse(out);
    assert.equal(j.signature.valid, true);
    assert.equal(j.mac.valid, true);
  });

  it("encode inverts decode exactly (one object, and --jsonl)", async () => {
    for (const hex of [command, response, critical]) {
      const decoded = await run(["decode", hex, "--keys", reference("rtds-keystore")]);
      const encoded = await run(["encode", "-"], decoded.out);
      assert.equal(encoded.code, 0);
      assert.equal(encoded.out.trim(), hex);
    }
    const lines = await run(["decode", "--jsonl"], `${command}\n${response}\n`);
    const back = await run(["encode", "--jsonl"], lines.out);
    assert.deepEqual(back.out.trim().split("\n"), [command, response]);
  });

  it("encode --keys --protect computes the MAC; --sign signs a pre-command", async () => {
    const keysDir = reference("rtds-keystore");
    const j = JSON.parse((await run(["decode", critical])).out);
    j.mac.bytes = "00".repeat(12);
    const protectedHex = await run(["encode", "--keys", keysDir, "--protect"], JSON.stringify(j));
    assert.equal(protectedHex.out.trim(), critical);
    const pre = hexOf("1.5_ECS04b", "ECS04b_1.5_SUCCESS_PRECOMMAND_GBCS.HEX");
    const preJson = (await run(["decode", pre])).out;
    const built = await run(["encode", "--keys", keysDir, "--sign", "--protect"], preJson);
    assert.equal(built.code, 0);
    const check = JSON.parse((await run(["decode", built.out.trim(), "--keys", keysDir])).out);
    assert.equal(check.kind, "command");
    assert.equal(check.signature.valid, true);
    assert.equal(check.mac.valid, true);
    assert.equal((await run(["encode", "--sign"], preJson)).code, 2);
  });

  it("--jsonl keeps lines aligned: a bad line gives an error object and the run goes on", async () => {
    const { code, out } = await run(["decode", "--jsonl"], `${command}\nDF09\nnot hex\n${response}\n`);
    assert.equal(code, 1);
    const lines = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    assert.equal(lines[0].kind, "command");
    assert.equal(lines[1].error.code, "truncated");
    assert.equal(typeof lines[1].error.offset, "number");
    assert.equal(lines[2].error.code, "unexpected");
    assert.equal(lines[3].kind, "response");
  });

  it("--keys: a MAC that does not verify exits 1 and says so, the JSON still printed", async () => {
    const keys = reference("rtds-keystore");
    // The last byte of the MAC changed: the signature (over the grouping header and payload) holds.
    const last = critical.slice(-2);
    const tampered = `${critical.slice(0, -2)}${last === "00" ? "01" : "00"}`;
    const one = await run(["decode", tampered, "--keys", keys]);
    assert.equal(one.code, 1);
    const j = JSON.parse(one.out);
    assert.equal(j.mac.valid, false);
    assert.equal(j.signature.valid, true);
    assert.match(one.err, /the MAC check failed \(does not verify\)/);
    assert.doesNotMatch(one.err, /signature check failed/);
    const lines = await run(["decode", "--jsonl", "--keys", keys], `${critical}\n${tampered}\n`);
    assert.equal(lines.code, 1);
    assert.deepEqual(
      lines.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).mac.valid),
      [true, false],
    );
    assert.match(lines.err, /line 2: the MAC check failed/);
    assert.doesNotMatch(lines.err, /line 1/);
  });

  it("--jsonl answers a blank line with an error line, so output lines stay aligned with input", async () => {
    const { code, out } = await run(["decode", "--jsonl"], `${command}\n\n  \n${response}\n`);
    assert.equal(code, 1);
    const lines = out.trimEnd().split("\n");
    assert.equal(lines.length, 4);
    assert.equal(JSON.parse(lines[0]!).kind, "command");
    assert.equal(JSON.parse(lines[1]!).error.code, "empty");
    assert.equal(JSON.parse(lines[2]!).error.code, "empty");
    assert.equal(JSON.parse(lines[3]!).kind, "response");
  });

  it("input that cannot be read is one line on stderr naming it, and exit 2", async () => {
    const missing = await run(["decode", "@/nonexistent/message.hex"]);
    assert.equal(missing.code, 2);
    assert.equal(missing.err, "meterway gbcs decode: cannot read /nonexistent/message.hex: no such file\n");
    assert.equal(missing.out, "");
    const folder = await run(["decode", `@${reference("rtds-keystore")}`]);
    assert.equal(folder.code, 2);
    assert.match(folder.err, /^meterway gbcs decode: cannot read .*rtds-keystore: it is a folder\n$/);
    const notHex = await run(["decode", "DF09ZZ"]);
    assert.equal(notHex.code, 2);
    assert.equal(notHex.err, "meterway gbcs decode: the argument is not hex (an even number of 0-9, A-F)\n");
    const empty = await run(["decode", "-"], "\n");
    assert.equal(empty.code, 2);
    assert.equal(empty.err, "meterway gbcs decode: stdin holds no message\n");
    const noKeys = await run(["decode", command, "--keys", "/nonexistent/keys"]);
    assert.equal(noKeys.code, 2);
    assert.equal(noKeys.err, "meterway gbcs decode: --keys /nonexistent/keys: no such folder\n");
    const encodeMissing = await run(["encode", "@/nonexistent/message.json"]);
    assert.equal(encodeMissing.code, 2);
    assert.equal(encodeMissing.err.split("\n").length, 2, "one line");
  });

  it("a message that does not decode exits 1; bad usage exits 2", async () => {
    const bad = await run(["decode", command.slice(0, 40)]);
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.out).error.code, "length");
    assert.equal((await run(["decode"])).code, 2);
    assert.equal((await run(["decode", command, "--bogus"])).code, 2);
    assert.equal((await run(["frobnicate"])).code, 2);
    assert.equal((await run([])).code, 2);
    assert.equal((await run(["encode", "{not json"])).code, 1);
  });
});
