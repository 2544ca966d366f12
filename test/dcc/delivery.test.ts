import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { DEFAULT_DELIVERY_POLICY, Delivery, retryDelayMs } from "../../src/dcc/delivery.js";
import { ReceiveUrlPolicy } from "../../src/dcc/receive-url.js";
import { DuisError } from "../../src/duis/errors.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite.js";

const USER = "90b3d51f30010000";
const OTHER = "90b3d51f30030000";

class Clock {
  t = Date.UTC(2026, 10, 28, 12);
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

describe("delivery", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: Clock;
  let delivery: Delivery;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-delivery-"));
    clock = new Clock();
    store = openSqliteStore({ file: join(dir, "dcc.sqlite"), synchronous: "NORMAL" });
    delivery = new Delivery({
      outbox: store.outbox,
      users: store.users,
      now: clock.now,
      // The receivers here listen on loopback, which the policy allows only when told to.
      receiveUrls: new ReceiveUrlPolicy({ allow: ["loopback"] }),
      policy: { requestTimeoutMs: 300 },
    });
  });
  afterEach(async () => {
    await delivery.stop();
    for (const close of closers.splice(0)) await close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function user(eui: string, url: string | null): Promise<void> {
    await store.users.put({ eui, name: eui, roles: ["IS"], receiveResponseUrl: url, certificates: [] });
  }

  async function receiver(port = 0): Promise<ResponseReceiver> {
    const r = await ResponseReceiver.start("127.0.0.1", port);
    closers.push(() => r.close());
    return r;
  }

  function enqueue(userEui: string, body: string): Promise<string> {
    return delivery.enqueue({ userEui, kind: "response", requestId: null, body });
  }

  /** Moves to the entry's next attempt and runs a pass. */
  async function retryAfter(id: string): Promise<void> {
    const entry = await store.outbox.get(id);
    clock.t = Math.max(clock.t, entry!.nextAttemptAt);
    await delivery.runDue();
  }

  it("retries at least once within 300 s of a failure", () => {
    assert.ok(retryDelayMs(DEFAULT_DELIVERY_POLICY, 1) <= 300_000);
    for (let n = 1; n < 50; n++) assert.ok(retryDelayMs(DEFAULT_DELIVERY_POLICY, n) <= 300_000);
    assert.ok(retryDelayMs(DEFAULT_DELIVERY_POLICY, 2) > retryDelayMs(DEFAULT_DELIVERY_POLICY, 1));
  });

  it("keeps messages while the endpoint is down, then delivers each once, in order", async () => {
    const probe = await ResponseReceiver.start();
    const url = probe.url;
    const port = Number(new URL(url).port);
    await probe.close(); // the endpoint is down: connections are refused
    await user(USER, url);
    const ids = [await enqueue(USER, "<m1/>"), await enqueue(USER, "<m2/>"), await enqueue(USER, "<m3/>")];

    await delivery.runDue();
    const first = await store.outbox.get(ids[0]!);
    assert.equal(first?.attempts, 1);
    assert.ok(first!.lastError);
    assert.ok(first!.nextAttemptAt - clock.t <= 300_000, "a retry within 300 s");
    // The head gates the rest: later messages are not sent ahead of it.
    assert.equal((await store.outbox.get(ids[1]!))?.attempts, 0);

    await retryAfter(ids[0]!);
    assert.equal((await store.outbox.get(ids[0]!))?.attempts, 2);

    const back = await receiver(port);
    await retryAfter(ids[0]!);
    assert.deepEqual(
      back.received.map((m) => m.body),
      ["<m1/>", "<m2/>", "<m3/>"],
    );
    for (const id of ids) assert.equal((await store.outbox.get(id))?.state, "delivered");

    // Nothing is sent again to an endpoint that answered 200.
    for (let i = 0; i < 5; i++) {
      clock.advance(3_600_000);
      await delivery.runDue();
    }
    assert.equal(back.received.length, 3);
  });

  it("retries after a 500 and delivers once", async () => {
    const endpoint = await receiver();
    endpoint.statuses.push(500, 503);
    await user(USER, endpoint.url);
    const id = await enqueue(USER, "<r/>");
    await delivery.runDue();
    assert.equal((await store.outbox.get(id))?.lastError, "HTTP 500");
    await retryAfter(id);
    assert.equal((await store.outbox.get(id))?.lastError, "HTTP 503");
    await retryAfter(id);
    assert.deepEqual(
      endpoint.received.map((m) => m.body),
      ["<r/>"],
    );
    assert.equal((await store.outbox.get(id))?.attempts, 3);
    clock.advance(600_000);
    await delivery.runDue();
    assert.equal(endpoint.received.length, 1);
  });

  it("gives up on an endpoint that hangs, and delivers when it answers", async () => {
    let requests = 0;
    const answered: string[] = [];
    const hanging: Server = createServer((request, response) => {
      requests += 1;
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        if (requests === 1) return; // never answers
        answered.push(Buffer.concat(chunks).toString());
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    closers.push(async () => {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    });
    await user(USER, `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/receive`);
    const id = await enqueue(USER, "<slow/>");
    await delivery.runDue();
    const timedOut = await store.outbox.get(id);
    assert.equal(timedOut?.state, "pending");
    assert.match(timedOut?.lastError ?? "", /PostTimeout: no complete answer within 300 ms/);
    await retryAfter(id);
    assert.equal((await store.outbox.get(id))?.state, "delivered");
    assert.deepEqual(answered, ["<slow/>"]);
  });

  it("does not hold one user's messages behind another user's dead endpoint", async () => {
    const up = await receiver();
    await user(USER, "http://127.0.0.1:9/down");
    await user(OTHER, up.url);
    await enqueue(USER, "<a/>");
    await enqueue(OTHER, "<b/>");
    await delivery.runDue();
    assert.deepEqual(
      up.received.map((m) => m.body),
      ["<b/>"],
    );
  });

  it("keeps an undelivered message two days, then marks it failed and purges it", async () => {
    await user(USER, "http://127.0.0.1:9/down");
    const id = await enqueue(USER, "<late/>");
    await delivery.runDue();
    clock.advance(2 * 24 * 3600_000 - 60_000);
    await delivery.runDue();
    assert.equal((await store.outbox.get(id))?.state, "pending", "still kept before two days");
    clock.advance(120_000);
    await delivery.runDue();
    assert.equal(await store.outbox.get(id), undefined);
  });

  it("lets a user pull its messages and acknowledge them", async () => {
    await user(USER, null);
    await user(OTHER, null);
    const a = await enqueue(USER, "<a/>");
    const b = await enqueue(USER, "<b/>");
    await delivery.runDue(); // pull-only users get no POST
    const pulled = await delivery.pull(USER, []);
    assert.deepEqual(
      pulled.map((e) => e.id),
      [a, b],
    );
    assert.deepEqual(await delivery.pull(OTHER, [a]), [], "another user cannot take it");
    assert.deepEqual(
      (await delivery.pull(USER, [a])).map((e) => e.body),
      ["<b/>"],
    );
    assert.deepEqual(await delivery.pull(USER, [b]), []);
  });

  it("delivers what is enqueued while a pass is running (kick)", async () => {
    const endpoint = await receiver();
    await user(USER, endpoint.url);
    await enqueue(USER, "<1/>");
    delivery.kick();
    await enqueue(USER, "<2/>");
    delivery.kick();
    await delivery.idle();
    assert.deepEqual(
      endpoint.received.map((m) => m.body),
      ["<1/>", "<2/>"],
    );
  });

  it("sends nothing while another node holds the user's lease, and takes over once it expires", async () => {
    const endpoint = await receiver();
    await user(USER, endpoint.url);
    const id = await enqueue(USER, "<held/>");
    assert.equal(await store.outbox.acquireLease(USER, "other-node", clock.t, clock.t + 5_000), true);
    delivery.kickUser(USER);
    await delivery.idle();
    await delivery.runDue();
    assert.equal(endpoint.received.length, 0, "a first attempt waits for the lease too");
    clock.advance(5_000);
    await delivery.runDue();
    assert.deepEqual(
      endpoint.received.map((m) => m.body),
      ["<held/>"],
    );
    assert.equal((await store.outbox.get(id))?.state, "delivered");
    assert.equal(await store.outbox.acquireLease(USER, "other-node", clock.t, clock.t + 1), true, "released");
  });

  it("refuses, at delivery, a URL whose host resolves to loopback, and records why", async () => {
    const endpoint = await receiver();
    const strict = new Delivery({ outbox: store.outbox, users: store.users, now: clock.now });
    await user(USER, `http://localhost:${new URL(endpoint.url).port}/receive`);
    const id = await enqueue(USER, "<m/>");
    await strict.runDue();
    await strict.stop();
    const entry = await store.outbox.get(id);
    assert.equal(entry?.state, "pending");
    assert.match(entry?.lastError ?? "", /ReceiveUrlRefused: localhost resolves to .* is a loopback address/);
    assert.equal(endpoint.received.length, 0);
  });

  it("refuses a user's new requests once its pending queue is at the cap", async () => {
    const capped = new Delivery({
      outbox: store.outbox,
      users: store.users,
      now: clock.now,
      policy: { maxPendingPerUser: 3 },
    });
    await user(USER, null);
    for (let i = 0; i < 2; i++)
      await capped.enqueue({ userEui: USER, kind: "response", requestId: null, body: "<q/>" });
    await capped.checkBacklog(USER);
    // Answers already owed are never refused: the queue may reach and pass the cap.
    for (let i = 0; i < 2; i++)
      await capped.enqueue({ userEui: USER, kind: "alert", requestId: null, body: "<a/>" });
    await assert.rejects(capped.checkBacklog(USER), (error: unknown) => {
      assert.ok(error instanceof DuisError);
      assert.equal(error.key, "backlogFull");
      assert.equal(error.httpStatus, 429);
      return true;
    });
    await capped.checkBacklog(OTHER);
    const taken = await capped.pull(USER, []);
    await capped.pull(
      USER,
      taken.slice(0, 2).map((e) => e.id),
    );
    await capped.checkBacklog(USER);
    await capped.stop();
  });

  it("delivers one user's queue on kickUser, in order, without a pass over every due entry", async () => {
    const endpoint = await receiver();
    await user(USER, endpoint.url);
    let passes = 0;
    const dueUsers = store.outbox.dueUsers.bind(store.outbox);
    store.outbox.dueUsers = (...args) => {
      passes++;
      return dueUsers(...args);
    };
    // Messages enqueued while the user's loop runs are picked up by that loop or by the one more
    // round it goes when it ends: none waits for the timer.
    for (let i = 1; i <= 20; i++) {
      await enqueue(USER, `<m${i}/>`);
      delivery.kickUser(USER);
    }
    for (let i = 0; i < 100 && endpoint.received.length < 20; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      endpoint.received.map((m) => m.body),
      Array.from({ length: 20 }, (_, i) => `<m${i + 1}/>`),
    );
    assert.equal(passes, 0, "kickUser does not look for every user's due entries");
    assert.equal((await store.outbox.forUser(USER, 10)).length, 0);
  });
});
