import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { transform } from "../../src/cli/transform.js";
import { runCommand } from "../support/cli-io.js";
import { reference } from "../support/reference.js";

/** Runs `meterway transform` in process; returns its exit code and output. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCommand(transform, args);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

const duis = (name: string) => reference("rtds-4.9.1-duis", name);
const gbcs = (folder: string, name: string) =>
  readFileSync(reference("rtds-4.5.0-gbcs", folder, name), "utf8").trim();
// RTDS commands were made on 2015-01-01; GBZ commands carry the DCC's time.
const rtdsTime = ["--at", "2015-01-01T00:00:00Z"];

describe("meterway transform", () => {
  it("writes the MACed ECS17b command of the RTDS 4.1.1 template, byte for byte", async () => {
    const r = await run([
      duis("ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"),
      "--keys",
      reference("rtds-keystore"),
      "--device-type",
      "ESME",
      ...rtdsTime,
    ]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), gbcs("4.1.1_ECS17b", "ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX"));
  });

  it("writes the Pre-Command of a critical CV4 request (7.1 Enable Supply, ECS42)", async () => {
    const r = await run([duis("ECS42_7.1_SUCCESS_REQUEST_DUIS.XML"), ...rtdsTime]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), gbcs("7.1_ECS42", "ECS42_7.1_SUCCESS_PRECOMMAND_GBCS.HEX"));
  });

  it("asks for the device type when the SRV applies to several", async () => {
    const r = await run([
      duis("ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"),
      "--keys",
      reference("rtds-keystore"),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--device-type/);
  });

  it("says so when the ACB has no key agreement with the device", async () => {
    const r = await run([duis("ECS17b_4.1.1_SINGLE_SUCCESS_REQUEST_DUIS.XML"), "--device-type", "ESME"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no key agreement/);
  });

  it("refuses an SRV without a transform with a clear reason", async () => {
    const r = await run([duis("8.2_READ_INVENTORY_REQUEST_DUIS.XML")]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no transform yet|not supported/);
  });
});
