import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { premisesNotice } from "../../src/cli/premises-notice.js";
import { parseStartArgs, runStart } from "../../src/cli/start.js";
import type { MeterwayConfig } from "../../src/config/config.js";
import { captureIo } from "../support/cli-io.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the DCC once with `args` and stops it as soon as it listens; returns its stdout. */
async function startOnce(args: string[]): Promise<string> {
  const config = parseStartArgs([...args, "--port", "0", "--host", "127.0.0.1"]) as MeterwayConfig;
  const io = captureIo();
  const stop = new AbortController();
  const code = await runStart(config, io.io, { signal: stop.signal, onListening: () => stop.abort() });
  assert.equal(code, 0, io.err());
  return io.out();
}

describe("meterway start --premises on a folder that already has a fleet", () => {
  it("says that the folder keeps its premises and how to get a new one", async () => {
    const data = mkdtempSync(join(tmpdir(), "meterway-premises-"));
    dirs.push(data);
    const first = await startOnce(["--data", data, "--premises", "3"]);
    assert.match(first, /Fleet: 3 premises/);
    assert.doesNotMatch(first, /note:/, "a new folder takes --premises as it is");
    const again = await startOnce(["--data", data, "--premises", "2"]);
    assert.match(again, /Fleet: 3 premises/);
    assert.match(
      again,
      new RegExp(
        `note: the data folder \\S*${data.split("/").at(-1)} already holds 3 premises; --premises 2 applies only to a new folder \\(a fleet grows, never shrinks\\); use --data DIR for a new one`,
      ),
    );
    const grown = await startOnce(["--data", data, "--premises", "4"]);
    assert.match(grown, /Fleet: 4 premises/);
    assert.doesNotMatch(grown, /note:/, "a larger --premises grows the fleet");
  });

  it("stays quiet without the flag, and names the store when it is PostgreSQL", () => {
    const config = (args: string[]) => parseStartArgs(args, "/srv") as MeterwayConfig;
    const reused = { fleet: { premises: 500, added: 0 }, firstRun: false };
    assert.equal(premisesNotice(config([]), reused), "", "the default asks for nothing");
    assert.equal(premisesNotice(config(["--premises", "10"]), { ...reused, firstRun: true }), "");
    assert.equal(premisesNotice(config(["--premises", "10", "--profile", "rtds"]), reused), "");
    assert.match(
      premisesNotice(config(["--premises", "10"]), reused, "/srv"),
      /^note: the data folder \.\/var already holds 500 premises; --premises 10 applies only/,
    );
    assert.match(
      premisesNotice(config(["--premises", "10", "--store", "postgres://db/meterway"]), reused),
      /^note: the store already holds 500 premises; --premises 10 applies only to a new store/,
    );
  });
});
