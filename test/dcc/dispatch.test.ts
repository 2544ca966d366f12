import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Dispatcher, type WanOutcome } from "../../src/dcc/dispatch.js";
import { fromHex } from "../../src/gbcs/cursor.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite.js";
import type { DeviceRecord, RequestRecord } from "../../src/store/types.js";
import { type Wan, WanError } from "../../src/wan/port.js";
import { concluder } from "../support/conclude.js";

const HUB: DeviceRecord = {
  eui: "0a01000000000000",
  type: "CHF",
  status: "Commissioned",
  hubEui: "0a01000000000000",
  mpxn: null,
  region: "North",
  updatedAt: 0,
};

function record(id: string, counter: bigint, target = "0a03000000000000"): RequestRecord {
  return {
    id,
    requestId: `90-B3-D5-1F-30-A0-00-01:0A-03-00-00-00-00-00-00:${counter}`,
    originator: "90b3d51f30a00001",
    target,
    counter,
    srv: "4.1.1",
    commandVariant: 1,
    state: "acknowledged",
    responseCode: "I99",
    correlation: `90b3d51f30a00001:${counter}`,
    gbcsCommand: fromHex("DD00"),
    gbcsResponse: null,
    requestXml: null,
    error: null,
    executeAt: null,
    receivedAt: 0,
    updatedAt: 0,
  };
}

const NODE = { id: "node-1", leaseMs: 30_000 };

function wan(send: Wan["send"]): Wan {
  return { send, onInbound: () => () => {}, close: async () => {} };
}

describe("dispatch: WAN failures end in a recorded, answered error", () => {
  let dir: string;
  let store: SqliteStore;
  const answers: { id: string; outcome: WanOutcome }[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "meterway-dispatch-"));
    store = openSqliteStore({ file: join(dir, "dcc.sqlite"), synchronous: "NORMAL" });
    answers.length = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function dispatcher(w: Wan, hub: DeviceRecord | null = HUB): Dispatcher {
    return new Dispatcher({
      requests: store.requests,
      inventory: { hubOf: async () => hub ?? undefined },
      wan: w,
      now: () => 1,
      node: NODE,
      conclude: concluder(store, 1, (request, outcome) => void answers.push({ id: request.id, outcome })),
      enqueueDispatch: async () => {},
    });
  }

  async function outcomeOf(d: Dispatcher, id: string, counter: bigint) {
    await store.requests.insert(record(id, counter));
    await d.dispatch(id);
    const stored = await store.requests.get(id);
    return { stored, answers: answers.filter((a) => a.id === id) };
  }

  it("E20 when the device has no hub or the hub is not reachable", async () => {
    const noHub = await outcomeOf(
      dispatcher(
        wan(async () => []),
        null,
      ),
      "a",
      1n,
    );
    assert.equal(noHub.stored?.state, "failed");
    assert.equal(noHub.stored?.responseCode, "E20", `no hub: ${noHub.stored?.error}`);
    const unknown = await outcomeOf(
      dispatcher(
        wan(async (hub) => {
          throw new WanError("unknown-hub", hub);
        }),
      ),
      "b",
      2n,
    );
    assert.equal(unknown.stored?.responseCode, "E20", `unknown hub: ${unknown.stored?.error}`);
    assert.equal(unknown.answers.length, 1);
  });

  it("E21 when the command or response is lost, times out, or the device answers nothing", async () => {
    for (const [id, failure] of [
      ["c", "lost"],
      ["d", "timeout"],
    ] as const) {
      const r = await outcomeOf(
        dispatcher(
          wan(async (hub) => {
            throw new WanError(failure, hub);
          }),
        ),
        id,
        BigInt(id.charCodeAt(0)),
      );
      assert.equal(r.stored?.responseCode, "E21");
      assert.match(r.stored?.error ?? "", new RegExp(failure));
    }
    const silent = await outcomeOf(dispatcher(wan(async () => [])), "e", 5n);
    assert.equal(silent.stored?.responseCode, "E21");
    assert.deepEqual(
      silent.answers.map((a) => a.outcome.code),
      ["E21"],
    );
  });

  it("sends a request once, even when dispatched twice", async () => {
    let sends = 0;
    const d = dispatcher(
      wan(async () => {
        sends += 1;
        return [];
      }),
    );
    await store.requests.insert(record("f", 6n));
    await Promise.all([d.dispatch("f"), d.dispatch("f")]);
    assert.equal(sends, 1);
  });

  it("holds what it sends under this node's lease, and leaves it to recovery when the WAN closes", async () => {
    const d = dispatcher(
      wan(async (hub) => {
        throw new WanError("closed", hub);
      }),
    );
    await store.requests.insert(record("g", 7n), { owner: "node-0", expiresAt: 5 });
    await d.dispatch("g");
    assert.equal((await store.requests.get("g"))?.state, "sent");
    assert.deepEqual(await store.requests.custody("g"), {
      owner: "node-1",
      leaseExpiresAt: 30_001,
      answered: false,
    });
    assert.equal(answers.length, 0);
    // Restarted (same node): its own request caught on the WAN ends with E21, answered once.
    const redispatched: string[] = [];
    const again = () => d.recover(async (id) => void redispatched.push(id), { own: true });
    assert.deepEqual(await again(), { resumed: 0, failed: 1, answered: 0 });
    assert.deepEqual(await again(), { resumed: 0, failed: 0, answered: 0 });
    assert.deepEqual(
      answers.map((a) => [a.id, a.outcome.code]),
      [["g", "E21"]],
    );
  });

  it("takes all of its own open work at start, however much, not a first batch", async () => {
    const d = dispatcher(wan(async () => []));
    const many = 1_005; // more than a sweep's batch
    await store.transaction(async (tx) => {
      for (let i = 0; i < many; i++) {
        await tx.requests.insert(
          record(`own-${i}`, BigInt(1000 + i), `0a03${i.toString(16).padStart(12, "0")}`),
          {
            owner: "node-1",
            expiresAt: 100,
          },
        );
      }
    });
    const redispatched: string[] = [];
    const result = await d.recover(async (id) => void redispatched.push(id), { own: true });
    assert.equal(result.resumed, many);
    assert.equal(new Set(redispatched).size, many);
  });

  it("recovers only its own work and expired leases; answers a finished request left unanswered", async () => {
    const d = dispatcher(wan(async () => []));
    await store.requests.insert(record("mine", 10n), { owner: "node-1", expiresAt: 100 });
    await store.requests.insert(record("live", 11n), { owner: "node-2", expiresAt: 100 });
    await store.requests.insert(record("dead", 12n), { owner: "node-3", expiresAt: 0 });
    await store.requests.insert(
      { ...record("done", 13n), state: "sent" },
      { owner: "node-1", expiresAt: 100 },
    );
    // A finished request whose answer was never queued (as a store from before answers were
    // recorded with the state could hold one).
    assert.ok(
      await store.requests.transition("done", ["sent"], "responded", 1, {
        responseCode: "I0",
        gbcsResponse: fromHex("DD01"),
      }),
    );
    const redispatched: string[] = [];
    const redispatch = async (id: string) => void redispatched.push(id);
    // The sweep takes only the dead node's work.
    assert.deepEqual(await d.recover(redispatch, { own: false }), { resumed: 1, failed: 0, answered: 0 });
    assert.deepEqual(redispatched, ["dead"]);
    // At start: its own too, never the live node's.
    assert.deepEqual(await d.recover(redispatch, { own: true }), { resumed: 2, failed: 0, answered: 1 });
    assert.deepEqual(redispatched.sort(), ["dead", "dead", "mine"]);
    assert.equal((await store.requests.custody("live"))?.owner, "node-2");
    assert.deepEqual(
      answers.map((a) => [a.id, a.outcome.code]),
      [["done", "I0"]],
    );
  });

  it("schedules due future-dated requests it holds or no live node holds", async () => {
    const d = dispatcher(wan(async () => []));
    await store.requests.insert({ ...record("s1", 20n), executeAt: 1 }, { owner: "node-1", expiresAt: 100 });
    await store.requests.insert({ ...record("s2", 21n), executeAt: 1 }, { owner: "node-2", expiresAt: 100 });
    await store.requests.insert({ ...record("s3", 22n), executeAt: 1 }, { owner: "node-3", expiresAt: 0 });
    await store.requests.insert({ ...record("s4", 23n), executeAt: 2 }, { owner: "node-1", expiresAt: 100 });
    const due: string[] = [];
    assert.equal(await d.dispatchDue(async (id) => void due.push(id)), 2);
    assert.deepEqual(due, ["s1", "s3"]);
  });

  it("ignores an undecodable or uncorrelated frame", async () => {
    const events: string[] = [];
    const d = new Dispatcher({
      requests: store.requests,
      inventory: { hubOf: async () => HUB },
      wan: wan(async () => []),
      now: () => 1,
      node: NODE,
      conclude: async () => assert.fail("no answer expected"),
      onEvent: (e) => events.push(e.kind),
      enqueueDispatch: async () => assert.fail("nothing to dispatch"),
    });
    await d.inbound(fromHex("0102"), HUB.eui);
    assert.deepEqual(events, ["frame.undecodable"]);
  });
});
