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
