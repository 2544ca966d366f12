import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { bench, parseBenchArgs } from "../../src/cli/bench.js";
import { runCommand } from "../support/cli-io.js";

const run = (args: string[]) => runCommand(bench, args, { env: process.env });

describe("meterway bench", () => {
  it("lists its suites and refuses unknown ones and bad options", async () => {
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /suites: .*gbcs/);
    assert.match(help.out, /--record/);
    const unknown = await run(["nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown suite 'nope'/);
    assert.equal((await run(["gbcs", "--min-cpu-ms", "-1"])).code, 2);
    assert.equal((await run(["gbcs", "--out"])).code, 2);
    const both = await run(["gbcs", "--out", "x", "--record"]);
    assert.equal(both.code, 2);
    assert.match(both.err, /give --out or --record/);
  });

  it("writes to bench/results/local/ (ignored by git) unless --out or --record says otherwise", () => {
    const root = "/project";
    const at = (args: string[]) => {
      const r = parseBenchArgs(args, root, "/here");
      assert.ok(typeof r === "object" && "resultsDir" in r, JSON.stringify(r));
      return r;
    };
    assert.equal(at([]).resultsDir, "/project/bench/results/local");
    assert.deepEqual(at([]).suites, ["gbcs", "duis", "transform", "platform", "e2e"]);
    assert.equal(at(["gbcs", "--out", "runs/today"]).resultsDir, "/here/runs/today");
    assert.deepEqual(at(["gbcs", "--out", "runs/today"]).suites, ["gbcs"]);
    assert.equal(at(["--record", "duis"]).resultsDir, "/project/bench/results");
  });

  it("the default results folder is ignored by git, the committed results are not", () => {
    const ignored = (path: string) =>
      spawnSync("git", ["check-ignore", "-q", path], { cwd: process.cwd() }).status === 0;
    assert.ok(ignored(join("bench", "results", "local", "gbcs.json")));
    assert.ok(!ignored(join("bench", "results", "gbcs.json")));
  });
});
