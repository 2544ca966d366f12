/**
 * Two DCC nodes sharing PostgreSQL and a NATS JetStream bus (the dispatch and inbound queues are
 * shared, so either node may send or answer any request). Node A has requests on its WAN when node
 * B starts: B's recovery fails none of them, A answers them with the devices' I0s, and requests sent
 * to either node afterwards are each answered exactly once, with I0, whichever node takes them.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ComposeOptions, compose, type Dcc } from "../../src/cli/compose.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import type { CspRegion } from "../../src/store/types.js";
import { ManualTimer } from "../../src/wan/memory.js";
import { DEFAULT_REGION_MODELS, type RegionModel } from "../../src/wan/regions.js";
import { checkSignedResponse, postReadImportRegisters, userIdentity } from "../support/composed-dcc.js";
import { testNats } from "../support/nats.js";
import { testPostgres } from "../support/postgres.js";

const pg = await testPostgres("two DCC nodes on PostgreSQL and NATS");
const nats = await testNats("two DCC nodes on PostgreSQL and NATS");

/** One second each way, never lost: requests stay on a node's WAN until its timer moves. */
const ONE_SECOND: Record<CspRegion, RegionModel> = Object.fromEntries(
  Object.keys(DEFAULT_REGION_MODELS).map((r) => [
    r,
    { medianMs: 1000, sigma: 0, loss: 0, capacity: Number.POSITIVE_INFINITY },
  ]),
) as Record<CspRegion, RegionModel>;

if (pg !== undefined && nats !== undefined) {
  describe("two DCC nodes on PostgreSQL and NATS", () => {
    const root = mkdtempSync(join(tmpdir(), "meterway-nats-nodes-"));
    const clock = { t: Date.UTC(2026, 10, 28, 9, 30) };
    const now = () => clock.t;
    const timers = { a: new ManualTimer(), b: new ManualTimer() };
    let a: Dcc;
    let b: Dcc | undefined;
    let store: string;
    let bus: string;
    const options = (timer: ManualTimer): ComposeOptions => ({
      now,
      wan: { models: ONE_SECOND, timer },
      leases: { heartbeatMs: 3_600_000 },
    });

    before(async () => {
      store = pg.urlFor(await pg.schema());
      bus = `${nats.url}?prefix=${nats.prefix()}`;
      a = await compose(
        resolveConfig({ dataDir: join(root, "a"), premises: 3, port: 0, store, bus, nodeId: "node-a" }),
        options(timers.a),
      );
    });
    after(async () => {
      await b?.close();
      await a.close();
      rmSync(root, { recursive: true, force: true });
    });

    /** The supplier's queued responses (pull only) by counter. */
    async function answers(): Promise<Map<bigint, string[]>> {
      const byCounter = new Map<bigint, string[]>();
      for (const e of await a.store.outbox.forUser(DEMO_SUPPLIER.eui, 1000)) {
        if (e.kind !== "response") continue;
        const response = parseResponse(parseXml(e.body).root);
        const counter = response.header.requestId!.counter;
        byCounter.set(counter, [...(byCounter.get(counter) ?? []), response.header.responseCode]);
      }
      return byCounter;
    }

    async function send(node: Dcc, counter: bigint): Promise<void> {
      const supplier = userIdentity(node, DEMO_SUPPLIER.eui);
      // A premises per request in flight at once: a device takes one command at a time.
      const premises = Number(counter % 3n);
      const ack = await postReadImportRegisters(node, supplier, premisesPlan(premises).esme, counter);
      assert.equal(checkSignedResponse(node, ack.body).header.responseCode, "I99");
    }

    /** Moves both WANs on until every counter has an answer (or gives up after many rounds). */
    async function untilAnswered(counters: readonly bigint[]): Promise<Map<bigint, string[]>> {
      for (let round = 0; round < 200; round++) {
        await timers.a.advance(2_000);
        await timers.b.advance(2_000);
        const got = await answers();
        if (counters.every((c) => got.has(c))) return got;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return answers();
    }

    it("a node started mid-run fails none of the other's requests; each is answered once, with I0", async () => {
      const first = [3001n, 3002n, 3003n];
      for (const counter of first) await send(a, counter);
      // All three on A's WAN before B exists.
      for (let i = 0; i < 1000 && (await a.store.requests.counts()).sent !== 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal((await a.store.requests.counts()).sent, 3);
      b = await compose(
        resolveConfig({
          dataDir: join(root, "b"),
          premises: 3,
          port: 0,
          store,
          bus,
          nodeId: "node-b",
          pki: a.pki.dir,
        }),
        options(timers.b),
      );
      assert.deepEqual(b.recovered, { resumed: 0, failed: 0, answered: 0 });
      assert.deepEqual(await b.pipeline.heartbeat(), { resumed: 0, failed: 0, answered: 0 });

      // Then more requests, to either node; either may send them.
      const later = [3004n, 3005n, 3006n, 3007n];
      for (const counter of later) await send(counter % 2n === 0n ? b : a, counter);
      const got = await untilAnswered([...first, ...later]);
      for (const counter of [...first, ...later]) {
        assert.deepEqual(got.get(counter), ["I0"], `counter ${counter}`);
      }
      assert.equal((await a.store.requests.counts()).failed ?? 0, 0);
    });
  });
}
