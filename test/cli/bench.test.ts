import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bench } from "../../src/cli/bench.js";
import { runCommand } from "../support/cli-io.js";

const run = (args: string[]) => runCommand(bench, args, { env: process.env });

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
