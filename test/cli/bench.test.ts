import assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { describe, it } from "node:test";
import { bench } from "../../src/cli/bench.js";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const code = await bench(args, { stdout, stderr, stdin: Readable.from([]), env: process.env });
  return { code, out, err };
}

describe("meterway bench", () => {
  it("lists its suites and refuses unknown ones and bad options", async () => {
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /suites: .*gbcs/);
    const unknown = await run(["nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown suite 'nope'/);
    assert.equal((await run(["gbcs", "--min-cpu-ms", "-1"])).code, 2);
  });
});
