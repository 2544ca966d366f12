import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { duisEui } from "../../src/cli/request-client.js";
import { runResponses } from "../../src/cli/responses.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { importRegisterCollection } from "../../src/sim/esme.js";
import { captureIo, runCommand } from "../support/cli-io.js";
import { postReadImportRegisters, userIdentity } from "../support/composed-dcc.js";

describe("meterway responses", () => {
  let dir: string;
  let dcc: Dcc;
  let url: string;
  const at = Date.now();
  let counter = BigInt(at) * 1000n;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-responses-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0, host: "127.0.0.1" }), {
      now: () => at,
      wan: { timeScale: 0.01 },
    });
    url = await dcc.listen();
  });
  after(async () => {
    await dcc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const pending = async () => dcc.store.outbox.forUser(DEMO_SUPPLIER.eui, 50);

  /** Sends a 4.1.1 for the ESME as the (pull-only) supplier; resolves with its RequestID once queued. */
  async function queuedRead(): Promise<string> {
    const esme = premisesPlan(0).esme;
    const mine = ++counter;
    const ack = await postReadImportRegisters(dcc, userIdentity(dcc, DEMO_SUPPLIER.eui), esme, mine);
    assert.match(ack.body, /I99/);
    const requestId = `${duisEui(DEMO_SUPPLIER.eui)}:${duisEui(esme)}:${mine}`;
    for (let i = 0; i < 300; i++) {
      if ((await pending()).some((e) => e.requestId === requestId)) return requestId;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`no response to ${requestId} in the user's queue`);
  }

  const lines = (out: string) =>
    out
      .trim()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it("prints the queued entries, verified and decoded, and leaves them queued without --ack", async () => {
    const requestId = await queuedRead();
    const run = await runCommand(runResponses, ["--url", url, "--data", dir]);
    assert.equal(run.code, 0, run.err);
    const line = lines(run.out).find((l) => l.requestId === requestId);
    assert.ok(line, run.out);
    assert.equal(typeof line.id, "string");
    assert.equal(line.signature, "verified");
    assert.equal(line.responseCode, "I0");
    const gbcs = line.gbcs as { mac: { valid: unknown }; registers: { registers: Record<string, unknown> } };
    assert.equal(gbcs.mac.valid, true);
    const expected = importRegisterCollection(deviceEnergy(premisesPlan(0).esme), at);
    assert.equal(gbcs.registers.registers.activeImportValue, expected.activeImportValue);
    assert.ok(
      (await pending()).some((e) => e.requestId === requestId),
      "still queued: nothing acknowledged",
    );
  });

  it("with --ack, acknowledges what it printed: the queue is empty after, and each entry printed once", async () => {
    const first = await queuedRead();
    const second = await queuedRead();
    const run = await runCommand(runResponses, ["--url", url, "--data", dir, "--ack"]);
    assert.equal(run.code, 0, run.err);
    const printed = lines(run.out);
    for (const id of [first, second])
      assert.equal(printed.filter((l) => l.requestId === id).length, 1, `${id} once: ${run.out}`);
    assert.deepEqual(await pending(), [], "acknowledged");
    const again = await runCommand(runResponses, ["--url", url, "--data", dir]);
    assert.equal(again.out, "", "nothing left to print");
  });

  it("with --follow, prints what arrives while it polls, until stopped", async () => {
    const t = captureIo();
    const stop = new AbortController();
    const run = runResponses(["--url", url, "--data", dir, "--ack", "--follow", "--interval", "0.1"], t.io, {
      signal: stop.signal,
    });
    try {
      const requestId = await queuedRead();
      for (let i = 0; i < 300 && !t.out().includes(requestId); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(t.out().includes(requestId), t.out() + t.err());
    } finally {
      stop.abort();
    }
    assert.equal(await run, 0, t.err());
    assert.deepEqual(await pending(), [], "acknowledged before it stopped");
  });

  it("fails with the DCC's refusal when the signing key is not the user's", async () => {
    const other = premisesPlan(0).esme;
    const run = await runCommand(runResponses, [
      "--url",
      url,
      "--data",
      dir,
      "--key",
      join(dcc.pki.dir, `${DEMO_SUPPLIER.eui}-ds.key`),
      "--user",
      other,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.err, /the DCC refused: HTTP 4\d\d/);
  });

  for (const [args, message] of [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--interval", "0"], /--interval '0' is not a positive number of seconds/],
    [["--user", "nobody"], /--user 'nobody' is not an EUI-64/],
    [["--keys", "/nonexistent/keys"], /--keys \/nonexistent\/keys: no such folder/],
  ] as const) {
    it(`refuses ${args.join(" ")} with one line and exit status 2`, async () => {
      const run = await runCommand(runResponses, [...args, "--data", dir]);
      assert.equal(run.code, 2);
      assert.match(run.err, message);
      assert.equal(run.err.trim().split("\n").length, 1, run.err);
    });
  }
});
