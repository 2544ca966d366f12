/**
 * One command in flight per device, across nodes: two Dispatchers, each on its own connection to
 * one database (two nodes of a cluster), take jobs from one shared work queue. The devices answer
 * after a random delay and, like SMETS2 devices, drop a command whose counter is not above the last
 * one they took from its originator. Every command must reach its device alone and in order, a
 * second device on the same hub must not wait for the first, and a future-dated request must hold
 * no one up.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Dispatcher, type WanOutcome } from "../../src/dcc/dispatch.js";
import { decodeFrame, encodeFrame } from "../../src/gbcs/frame.js";
import type { Store } from "../../src/store/port.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import type { DeviceRecord, RequestRecord } from "../../src/store/types.js";
import { type Wan, WanError } from "../../src/wan/port.js";
import { Rng } from "../../src/wan/rng.js";
import { concluder } from "../support/conclude.js";
import { testPostgres } from "../support/postgres.js";

const NODE = { id: "node-1", leaseMs: 30_000 };

const AT = Date.UTC(2026, 11, 1, 12);
const HUB: DeviceRecord = {
  eui: "0a01000000000000",
  type: "CHF",
  status: "Commissioned",
  hubEui: "0a01000000000000",
  mpxn: null,
  region: "Central",
  updatedAt: AT,
};
/** Two meters on one hub, and two suppliers sending to them. */
const A = "0a03000000000001";
const B = "0a03000000000002";
const X = "90b3d51f30a00001";
const Y = "90b3d51f30a00002";

function command(id: string, target: string, originator: string, counter: bigint, receivedAt: number) {
  const gbcsCommand = encodeFrame({
    cra: 1,
    counter,
    originator: originator.toUpperCase(),
    recipient: target.toUpperCase(),
    dateTime: null,
    messageCode: 0x0001,
    content: new Uint8Array(0),
  });
  return {
    id,
    requestId: `${originator}:${target}:${counter}`,
    originator,
    target,
    counter,
    srv: "4.1.1",
    commandVariant: 1,
    state: "acknowledged",
    responseCode: "I99",
    correlation: `${originator}:${counter}`,
    gbcsCommand,
    gbcsResponse: null,
    requestXml: null,
    error: null,
    executeAt: null,
    receivedAt,
    updatedAt: receivedAt,
  } satisfies RequestRecord;
}

/** The premises: devices that answer after a random delay and keep GBCS's counter rule. */
class Premises implements Wan {
  private readonly rng = new Rng(7);
  private readonly inFlight = new Map<string, number>();
  private readonly last = new Map<string, bigint>();
  /** The most commands one device had at once, and all devices together. */
  maxPerDevice = 0;
  maxTotal = 0;
  /** Commands a device dropped for a counter not above the last one. */
  dropped = 0;
  /** What each device took, in order: `originator:counter`. */
  readonly taken = new Map<string, string[]>();
  /**
   * The first command to each of A and B is held on the WAN until the other device has one too: one
   * device must not queue behind the other.
   */
  private readonly arrived = new Map<string, { seen: Promise<void>; see: () => void }>(
    [A, B].map((device) => {
      let see!: () => void;
      const seen = new Promise<void>((resolve) => {
        see = resolve;
      });
      return [device, { seen, see }];
    }),
  );

  async send(_hub: string, frame: Uint8Array): Promise<Uint8Array[]> {
    const f = decodeFrame(frame);
    const device = f.recipient.toLowerCase();
    const n = (this.inFlight.get(device) ?? 0) + 1;
    this.inFlight.set(device, n);
    this.maxPerDevice = Math.max(this.maxPerDevice, n);
    this.maxTotal = Math.max(
      this.maxTotal,
      [...this.inFlight.values()].reduce((a, b) => a + b, 0),
    );
    try {
      const first = this.arrived.get(device);
      if (first !== undefined) {
        this.arrived.delete(device);
        first.see();
        await this.waitFor(device === A ? B : A);
      }
      await new Promise((resolve) => setTimeout(resolve, this.rng.int(4)));
      const key = `${device}:${f.originator}`;
      const last = this.last.get(key);
      if (last !== undefined && f.counter <= last) {
        this.dropped += 1;
        return [];
      }
      this.last.set(key, f.counter);
      this.taken.set(device, [
        ...(this.taken.get(device) ?? []),
        `${f.originator.toLowerCase()}:${f.counter}`,
      ]);
      return [
        encodeFrame({
          cra: 2,
          counter: f.counter,
          originator: f.recipient,
          recipient: f.originator,
          dateTime: null,
          messageCode: 0x0001,
          content: Uint8Array.of(0x01),
        }),
      ];
    } finally {
      this.inFlight.set(device, (this.inFlight.get(device) ?? 1) - 1);
    }
  }

  private async waitFor(other: string): Promise<void> {
    const first = this.arrived.get(other);
    if (first === undefined) return; // it has had its first command already (and is held for us)
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`device ${other} waited behind another device`)), 5000);
    });
    try {
      await Promise.race([first.seen, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  onInbound(): () => void {
    return () => {};
  }
  async close(): Promise<void> {}
}

/** Runs the two-node scenario on two stores sharing one database. */
async function twoNodes(stores: readonly [Store, Store]): Promise<void> {
  const premises = new Premises();
  const answers: { request: RequestRecord; outcome: WanOutcome }[] = [];
  const errors: unknown[] = [];
  const jobs = new Set<Promise<void>>();
  const nodes: Dispatcher[] = [];
  let turn = 0;
  // The shared work queue: each job goes to one node, the nodes in turn.
  const enqueue = async (id: string): Promise<void> => {
    const node = nodes[turn++ % nodes.length]!;
    const job: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => node.dispatch(id))
      .catch((error: unknown) => void errors.push(error))
      .finally(() => jobs.delete(job));
    jobs.add(job);
  };
  for (const store of stores)
    nodes.push(
      new Dispatcher({
        requests: store.requests,
        inventory: { hubOf: async () => HUB },
        wan: premises,
        now: () => AT,
        node: NODE,
        conclude: concluder(store, AT, (request, outcome) => void answers.push({ request, outcome })),
        enqueueDispatch: enqueue,
      }),
    );

  // 40 requests to A from two suppliers, 10 to B, received in this order; a future-dated one to A
  // received before all of them.
  const requests: RequestRecord[] = [];
  for (let i = 0; i < 40; i++) {
    const originator = i % 3 === 0 ? Y : X;
    requests.push(command(`a${i}`, A, originator, 1000n + BigInt(i), AT - 100 + i));
  }
  for (let i = 0; i < 10; i++) requests.push(command(`b${i}`, B, X, 5000n + BigInt(i), AT - 100 + i));
  const later = { ...command("later", A, X, 1n, AT - 200), executeAt: AT + 86_400_000 };
  for (const r of [later, ...requests]) await stores[0].requests.insert(r);
  // Every request's job at once, some twice (a redelivered job).
  for (const r of requests) await enqueue(r.id);
  for (const r of requests.slice(0, 10)) await enqueue(r.id);
  while (jobs.size > 0) await Promise.all([...jobs]);

  assert.deepEqual(errors, []);
  assert.equal(premises.maxPerDevice, 1, "never two commands in flight to one device");
  assert.ok(premises.maxTotal >= 2, "B was not held up by A");
  assert.equal(premises.dropped, 0, "no command dropped for its counter");
  assert.deepEqual(
    answers.map((a) => a.outcome.code).filter((code) => code !== "I0"),
    [],
  );
  for (const device of [A, B]) {
    const expected = requests.filter((r) => r.target === device).map((r) => `${r.originator}:${r.counter}`);
    assert.deepEqual(premises.taken.get(device), expected, `${device}: oldest first`);
    assert.deepEqual(
      answers
        .filter((a) => a.request.target === device)
        .map((a) => `${a.request.originator}:${a.request.counter}`),
      expected,
      `${device}: answered in order`,
    );
  }
  assert.equal((await stores[1].requests.get("later"))?.state, "acknowledged", "not due: not sent");
  assert.deepEqual(await stores[1].requests.counts(), { acknowledged: 1, responded: 50 });
}

describe("one command in flight per device across two dispatchers", () => {
  it("on one SQLite file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "meterway-order-"));
    const file = join(dir, "dcc.sqlite");
    const stores = [openSqliteStore({ file }), openSqliteStore({ file })] as const;
    try {
      await twoNodes(stores);
    } finally {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a device's next command goes when the one in flight ends, however it ends", () => {
  it("after no response, a WAN timeout, and a restart that fails the one on the WAN", async () => {
    const store = openSqliteStore({ file: ":memory:" });
    try {
      const queued: string[] = [];
      const answers: string[] = [];
      let sends = 0;
      const dispatcher = new Dispatcher({
        requests: store.requests,
        inventory: { hubOf: async () => HUB },
        wan: {
          // The first command gets no answer, the second times out on the WAN.
          send: async (hub) => {
            sends += 1;
            if (sends === 1) return [];
            throw new WanError("timeout", hub);
          },
          onInbound: () => () => {},
          close: async () => {},
        },
        now: () => AT,
        node: NODE,
        conclude: concluder(
          store,
          AT,
          (request, outcome) => void answers.push(`${request.id} ${outcome.code}`),
        ),
        enqueueDispatch: async (id) => void queued.push(id),
      });
      const [r1, r2, r3, r4] = [1, 2, 3, 4].map((i) => command(`r${i}`, A, X, BigInt(i), AT + i));
      for (const r of [r1!, r2!, r3!, r4!]) await store.requests.insert(r);

      await dispatcher.dispatch("r2");
      assert.equal((await store.requests.get("r2"))?.state, "acknowledged", "r1 first");
      await dispatcher.dispatch("r1");
      assert.deepEqual(queued.splice(0), ["r2"], "no answer: r1 ends E21, r2 is next");
      await dispatcher.dispatch("r2");
      assert.deepEqual(queued.splice(0), ["r3"], "WAN timeout: r2 ends E21, r3 is next");

      // r3 was on the WAN when the DCC stopped: recovery fails it, and r4 is queued.
      assert.equal(await store.requests.startSending("r3", AT), "sent");
      const resumed: string[] = [];
      assert.deepEqual(await dispatcher.recover(async (id) => void resumed.push(id), { own: true }), {
        resumed: 1,
        failed: 1,
        answered: 0,
      });
      assert.deepEqual(resumed, ["r4"]);
      assert.deepEqual(queued, ["r4"]);
      assert.deepEqual(answers, ["r1 E21", "r2 E21", "r3 E21"]);
    } finally {
      await store.close();
    }
  });
});

const server = await testPostgres("one command in flight per device on PostgreSQL");
if (server !== undefined) {
  describe("one command in flight per device across two dispatchers", () => {
    it("on one PostgreSQL database", async () => {
      const schema = await server.schema();
      const stores = [
        await openPostgresStore({ url: server.url, schema }),
        await openPostgresStore({ url: server.url, schema }),
      ] as const;
      try {
        await twoNodes(stores);
      } finally {
        for (const s of stores) await s.close();
      }
    });
  });
}
