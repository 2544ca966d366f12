/**
 * Two DCC nodes on one PostgreSQL store own their work. Node A's requests are held on its WAN (a
 * manual timer) when node B starts: B's recovery leaves them alone, and A answers them with the
 * devices' I0s, once each. When A stops with a request on the WAN, B's sweep takes it over only once
 * A's lease has expired, and answers it with E21, once. A node whose key folder differs from the
 * store's DCC refuses to start, naming the keys that differ.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ComposeOptions, compose, type Dcc } from "../../src/cli/compose.js";
import { ConfigError, resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import type { CspRegion } from "../../src/store/types.js";
import { ManualTimer } from "../../src/wan/memory.js";
import { DEFAULT_REGION_MODELS, type RegionModel } from "../../src/wan/regions.js";
import { checkSignedResponse, postReadImportRegisters, userIdentity } from "../support/composed-dcc.js";
import { testPostgres } from "../support/postgres.js";

const server = await testPostgres("two DCC nodes on one PostgreSQL store");

/** One second each way, never lost: a request stays on the WAN until the test moves the timer. */
const ONE_SECOND: Record<CspRegion, RegionModel> = Object.fromEntries(
  Object.keys(DEFAULT_REGION_MODELS).map((r) => [
    r,
    { medianMs: 1000, sigma: 0, loss: 0, capacity: Number.POSITIVE_INFINITY },
  ]),
) as Record<CspRegion, RegionModel>;

if (server !== undefined) {
  describe("two DCC nodes on one PostgreSQL store", () => {
    const root = mkdtempSync(join(tmpdir(), "meterway-nodes-"));
    const clock = { t: Date.UTC(2026, 10, 28, 9, 30) };
    const now = () => clock.t;
    let url: string;
    let a: Dcc;
    let b: Dcc | undefined;
    const timerA = new ManualTimer();
    const options = (timer: ManualTimer): ComposeOptions => ({
      now,
      wan: { models: ONE_SECOND, timer },
      // No timed heartbeat: the test calls it, so leases move only with the test's clock.
      leases: { leaseMs: 30_000, heartbeatMs: 3_600_000 },
    });

    before(async () => {
      url = server.urlFor(await server.schema());
      a = await compose(
        resolveConfig({ dataDir: join(root, "a"), premises: 2, port: 0, store: url, nodeId: "node-a" }),
        options(timerA),
      );
    });
    after(async () => {
      await b?.close();
      await a.close();
      rmSync(root, { recursive: true, force: true });
    });

    /** The responses queued for the supplier (pull only), by counter. */
    async function answers(counter: bigint): Promise<string[]> {
      return (await a.store.outbox.forUser(DEMO_SUPPLIER.eui))
        .filter((e) => e.kind === "response" && e.requestId?.endsWith(`:${counter}`))
        .map((e) => parseResponse(parseXml(e.body).root).header.responseCode);
    }

    /** Sends a 4.1.1 through A and waits until it is on A's WAN. */
    async function onTheWan(counter: bigint, premises: number): Promise<string> {
      const supplier = userIdentity(a, DEMO_SUPPLIER.eui);
      const ack = await postReadImportRegisters(a, supplier, premisesPlan(premises).esme, counter);
      assert.equal(checkSignedResponse(a, ack.body).header.responseCode, "I99");
      const request = await a.store.requests.byCorrelation(`${DEMO_SUPPLIER.eui}:${counter}`);
      for (let i = 0; i < 1000 && (await a.store.requests.get(request!.id))?.state !== "sent"; i++) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal((await a.store.requests.get(request!.id))?.state, "sent");
      return request!.id;
    }

    it("a node started mid-run leaves the other's in-flight requests alone", async () => {
      const ids = [await onTheWan(2001n, 0), await onTheWan(2002n, 1)];
      b = await compose(
        resolveConfig({
          dataDir: join(root, "b"),
          premises: 2,
          port: 0,
          store: url,
          nodeId: "node-b",
          pki: a.pki.dir,
        }),
        options(new ManualTimer()),
      );
      assert.deepEqual(b.recovered, { resumed: 0, failed: 0, answered: 0 });
      assert.deepEqual(await b.pipeline.heartbeat(), { resumed: 0, failed: 0, answered: 0 });
      for (const id of ids) {
        assert.equal((await a.store.requests.get(id))?.state, "sent");
        assert.equal((await a.store.requests.custody(id))?.owner, "node-a");
      }
      // The devices answer A: real I0s, each answered once.
      await timerA.advance(5_000);
      await a.bus.drain();
      assert.deepEqual(await answers(2001n), ["I0"]);
      assert.deepEqual(await answers(2002n), ["I0"]);
    });

    it("takes over a stopped node's work once its lease has expired, and answers it once", async () => {
      assert.ok(b !== undefined);
      const id = await onTheWan(2003n, 0);
      // A stops with the request on the WAN (its WAN closes first; the device's late answer reaches
      // no one): the request stays sent, under A's lease.
      await a.wan.close();
      await timerA.advance(5_000);
      await a.close();
      assert.equal((await b.store.requests.get(id))?.state, "sent");
      assert.deepEqual(await b.pipeline.heartbeat(), { resumed: 0, failed: 0, answered: 0 });
      clock.t += 31_000;
      assert.deepEqual(await b.pipeline.heartbeat(), { resumed: 0, failed: 1, answered: 0 });
      assert.deepEqual(await b.pipeline.heartbeat(), { resumed: 0, failed: 0, answered: 0 });
      const taken = await b.store.requests.get(id);
      assert.equal(taken?.state, "failed");
      assert.equal(taken?.responseCode, "E21");
      const queued = (await b.store.outbox.forUser(DEMO_SUPPLIER.eui)).filter((e) =>
        e.requestId?.endsWith(":2003"),
      );
      assert.deepEqual(
        queued.map((e) => parseResponse(parseXml(e.body).root).header.responseCode),
        ["E21"],
      );
      // A starts again (same node id): nothing of its old work is left to do twice.
      a = await compose(
        resolveConfig({ dataDir: join(root, "a"), premises: 2, port: 0, store: url, nodeId: "node-a" }),
        options(timerA),
      );
      assert.deepEqual(a.recovered, { resumed: 0, failed: 0, answered: 0 });
      assert.deepEqual(await answers(2003n), ["E21"]);
    });

    it("refuses to start a node whose keys are not the store's DCC's", async () => {
      await assert.rejects(
        compose(
          resolveConfig({ dataDir: join(root, "c"), premises: 2, port: 0, store: url, nodeId: "node-c" }),
          options(new ManualTimer()),
        ),
        (error: unknown) =>
          error instanceof ConfigError &&
          /not the keys of the DCC this store belongs to/.test(error.message) &&
          /ACB key agreement/.test(error.message) &&
          /DCC XML signing/.test(error.message),
      );
      // Nothing of the refused node's was taken: A's store still opens with its keys.
      assert.equal(await a.store.requests.counts().then((c) => c.failed), 1);
    });
  });
}
