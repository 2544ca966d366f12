/**
 * Two delivery nodes on one PostgreSQL store (two pools, two Delivery instances), POSTing to a real
 * HTTP receiver that counts what it gets: no entry is sent twice, each user's messages arrive in
 * order, and a node that dies mid-queue leaves its users to the other once its lease expires.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, it } from "node:test";
import { Delivery } from "../../src/dcc/delivery.js";
import { ReceiveUrlPolicy } from "../../src/dcc/receive-url.js";
import { openPostgresStore, type PostgresStore } from "../../src/store/postgres.js";
import { testPostgres } from "../support/postgres.js";

const server = await testPostgres("delivery across two nodes");

/** A receive endpoint that records every POST body, in arrival order; `hold` leaves matching ones unanswered. */
class CountingReceiver {
  readonly bodies: string[] = [];
  hold: (body: string) => boolean = () => false;
  private readonly held: ServerResponse[] = [];
  private readonly server: Server;
  private heldSeen: (() => void) | undefined;

  constructor() {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        this.bodies.push(body);
        if (this.hold(body)) {
          this.held.push(response);
          this.heldSeen?.();
          return;
        }
        response.writeHead(200).end();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/receive`;
  }

  /** Resolves when a held request has arrived. */
  whenHeld(): Promise<void> {
    if (this.held.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.heldSeen = resolve;
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function body(user: string, n: number): string {
  return `<m u="${user}" n="${n}"/>`;
}

/** Each user's message numbers in the order the receiver got them. */
function arrivals(bodies: readonly string[]): Map<string, number[]> {
  const byUser = new Map<string, number[]>();
  for (const b of bodies) {
    const m = /^<m u="([0-9a-f]{16})" n="(\d+)"\/>$/.exec(b);
    assert.ok(m, b);
    const list = byUser.get(m[1]!) ?? [];
    list.push(Number(m[2]));
    byUser.set(m[1]!, list);
  }
  return byUser;
}

if (server !== undefined) {
  describe("delivery on two nodes sharing PostgreSQL", () => {
    const closers: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close().catch(() => {});
    });

    async function node(schema: string): Promise<PostgresStore> {
      const store = await openPostgresStore({ url: server!.url, schema, maxConnections: 4 });
      closers.push(() => store.close());
      return store;
    }

    async function receiver(): Promise<{ receiver: CountingReceiver; url: string }> {
      const r = new CountingReceiver();
      const url = await r.start();
      closers.push(() => r.close());
      return { receiver: r, url };
    }

    const loopback = new ReceiveUrlPolicy({ allow: ["loopback"] });

    it("sends each of a few thousand entries once, each user's in order, while both nodes enqueue and deliver", async () => {
      const schema = await server.schema();
      const [storeA, storeB] = [await node(schema), await node(schema)];
      const { receiver: endpoint, url } = await receiver();
      const users = Array.from({ length: 12 }, (_, i) => `90b3d51f3001${i.toString(16).padStart(4, "0")}`);
      for (const eui of users) {
        await storeA.users.put({ eui, name: eui, roles: ["IS"], receiveResponseUrl: url, certificates: [] });
      }
      const nodes = [storeA, storeB].map((store, i) => {
        const d = new Delivery({
          outbox: store.outbox,
          users: store.users,
          now: Date.now,
          receiveUrls: loopback,
          holder: `node-${i}`,
          policy: { requestTimeoutMs: 5_000, firstRetryMs: 20, maxRetryMs: 100 },
        });
        closers.push(() => d.stop());
        d.start(25);
        return d;
      });
      // Both nodes enqueue (as both answer requests) and kick the user's loop at once, as the
      // pipeline does after every response: the races the lease must settle.
      const perUser = 200;
      for (let n = 0; n < perUser; n++) {
        await Promise.all(
          users.map(async (eui, u) => {
            const enqueuer = nodes[(n + u) % 2]!;
            await enqueuer.enqueue({ userEui: eui, kind: "response", requestId: null, body: body(eui, n) });
            for (const d of nodes) d.kickUser(eui);
          }),
        );
      }
      const total = users.length * perUser;
      for (let i = 0; i < 600 && endpoint.bodies.length < total; i++)
        await new Promise((r) => setTimeout(r, 50));
      for (const d of nodes) await d.stop();

      assert.equal(endpoint.bodies.length, total, "every entry POSTed, none twice");
      assert.equal(new Set(endpoint.bodies).size, total, "no entry POSTed twice");
      const order = arrivals(endpoint.bodies);
      for (const eui of users) {
        assert.deepEqual(
          order.get(eui),
          Array.from({ length: perUser }, (_, n) => n),
          `${eui}: oldest first`,
        );
      }
      assert.deepEqual(await storeB.outbox.counts(), { delivered: total });
    });

    it("lets the other node deliver the rest once a dead node's lease expires (the entry in flight is sent again)", async () => {
      const schema = await server.schema();
      const [storeA, storeB] = [await node(schema), await node(schema)];
      const { receiver: endpoint, url } = await receiver();
      const eui = "90b3d51f30010000";
      await storeA.users.put({ eui, name: eui, roles: ["IS"], receiveResponseUrl: url, certificates: [] });
      let t = Date.UTC(2026, 11, 7, 12);
      const now = () => t;
      const policy = { requestTimeoutMs: 10_000, leaseMs: 20_000 };
      const a = new Delivery({
        outbox: storeA.outbox,
        users: storeA.users,
        now,
        receiveUrls: loopback,
        policy,
      });
      const b = new Delivery({
        outbox: storeB.outbox,
        users: storeB.users,
        now,
        receiveUrls: loopback,
        policy,
      });
      closers.push(() => b.stop());
      for (let n = 0; n < 10; n++)
        await a.enqueue({ userEui: eui, kind: "response", requestId: null, body: body(eui, n) });

      // Node A works the queue; the endpoint holds the fourth message, and A dies while it waits.
      endpoint.hold = (m) => m === body(eui, 3);
      void a.deliverUser(eui).catch(() => {});
      await endpoint.whenHeld();
      await storeA.close(); // the node is gone: it can neither mark nor release its lease
      assert.deepEqual(arrivals(endpoint.bodies).get(eui), [0, 1, 2, 3]);

      // Its lease is live: B sends nothing, not even the entries never tried.
      await b.runDue();
      await b.deliverUser(eui);
      assert.equal(endpoint.bodies.length, 4);

      // Expired: B takes the user over and sends from the oldest undelivered entry, in order.
      endpoint.hold = () => false;
      t += policy.leaseMs;
      await b.runDue();
      assert.deepEqual(arrivals(endpoint.bodies).get(eui), [0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(await storeB.outbox.counts(), { delivered: 10 });
    });
  });
}
