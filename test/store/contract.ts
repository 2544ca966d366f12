/**
 * The storage port's behaviour, as one suite every adapter runs: `storeContract(name, open)` with a
 * function that opens a fresh, empty store. The SQLite adapter runs it in test/store/sqlite.test.ts;
 * a PostgreSQL adapter runs the same suite.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Repositories, Store } from "../../src/store/port.js";
import type { UserRecord } from "../../src/store/types.js";
import { device, request, T0 } from "../support/store-records.js";

export function storeContract(name: string, open: () => Store | Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    it("stores and queries devices", async () => {
      const store = await open();
      await store.devices.put([
        device("0000000000000001", { type: "CHF", mpxn: null, hubEui: "0000000000000001" }),
        device("0000000000000002"),
        device("0000000000000003", { type: "GSME", mpxn: "1234567", region: "South" }),
        device("0000000000000009", { hubEui: "0000000000000008", status: "Pending" }),
      ]);
      assert.equal((await store.devices.byHub("0000000000000001")).length, 3);
      assert.deepEqual(
        (await store.devices.byMpxn("1234567")).map((d) => d.eui),
        ["0000000000000003"],
      );
      assert.deepEqual(
        (await store.devices.list({ status: "Commissioned", after: "0000000000000001", limit: 1 })).map(
          (d) => d.eui,
        ),
        ["0000000000000002"],
      );
      assert.equal(await store.devices.setStatus("0000000000000002", "Suspended", T0 + 1), true);
      assert.equal(await store.devices.setStatus("ffffffffffffffff", "Suspended", T0 + 1), false);
      assert.equal((await store.devices.get("0000000000000002"))?.status, "Suspended");
      const counts = await store.devices.counts();
      assert.deepEqual(
        counts.find((c) => c.region === "North" && c.type === "ESME" && c.status === "Suspended"),
        { region: "North", type: "ESME", status: "Suspended", count: 1 },
      );
      assert.equal(
        counts.reduce((n, c) => n + c.count, 0),
        4,
      );
      await store.close();
    });

    it("answers registrations by effective date", async () => {
      const store = await open();
      await store.registrations.put([
        {
          mpxn: "1234567890123",
          role: "IS",
          partyEui: "aaaaaaaaaaaaaaaa",
          effectiveFrom: T0,
          effectiveTo: null,
        },
        {
          mpxn: "1234567890123",
          role: "ED",
          partyEui: "dddddddddddddddd",
          effectiveFrom: T0,
          effectiveTo: null,
        },
      ]);
      assert.equal(await store.registrations.partyAt("1234567890123", "IS", T0 - 1), undefined);
      assert.equal(await store.registrations.partyAt("1234567890123", "IS", T0), "aaaaaaaaaaaaaaaa");
      // Change of supplier at T0+100.
      assert.equal(await store.registrations.close("1234567890123", "IS", T0 + 100), true);
      await store.registrations.put([
        {
          mpxn: "1234567890123",
          role: "IS",
          partyEui: "bbbbbbbbbbbbbbbb",
          effectiveFrom: T0 + 100,
          effectiveTo: null,
        },
      ]);
      assert.equal(await store.registrations.partyAt("1234567890123", "IS", T0 + 99), "aaaaaaaaaaaaaaaa");
      assert.equal(await store.registrations.partyAt("1234567890123", "IS", T0 + 100), "bbbbbbbbbbbbbbbb");
      assert.equal(await store.registrations.partyAt("1234567890123", "ED", T0 + 100), "dddddddddddddddd");
      assert.equal((await store.registrations.forMpxn("1234567890123")).length, 3);
      assert.equal(await store.registrations.close("999", "IS", T0), false);
      await store.close();
    });

    it("stores users with certificates, found by issuer and serial", async () => {
      const store = await open();
      const user: UserRecord = {
        eui: "90b3d51f30010000",
        name: "Demo Supplier",
        roles: ["IS", "GS"],
        receiveResponseUrl: "http://localhost:9000/receive",
        certificates: [
          {
            serial: "37250744094852421200045328576547436839",
            issuer: "CN=Z1,OU=07",
            usage: "xml",
            pem: "PEM",
          },
          { serial: "12", issuer: "CN=Z1,OU=07", usage: "ds" },
        ],
      };
      // The same serial under another issuer belongs to someone else.
      const other: UserRecord = {
        ...user,
        eui: "90b3d51f30020000",
        certificates: [{ serial: "12", issuer: "CN=Y9,OU=07", usage: "ds" }],
      };
      await store.users.put(user);
      await store.users.put(other);
      const got = await store.users.get(user.eui);
      assert.deepEqual(got?.roles, ["IS", "GS"]);
      assert.equal(got?.certificates.length, 2);
      assert.equal(
        (await store.users.byCertificate("CN=Z1,OU=07", "37250744094852421200045328576547436839"))?.eui,
        user.eui,
      );
      // The issuer as another tool writes it: spaces, case, RDN order, an OID for the type.
      for (const written of ["CN=Z1, OU=07", "cn=z1,ou=07", "OU = 07, CN = Z1", "2.5.4.3=Z1;2.5.4.11=07"]) {
        assert.equal((await store.users.byCertificate(written, "12"))?.eui, user.eui, written);
      }
      assert.equal((await store.users.byCertificate("CN=Y9, OU=07", "12"))?.eui, other.eui);
      assert.equal(await store.users.byCertificate("CN=X1,OU=07", "12"), undefined);
      assert.equal(await store.users.byCertificate("CN=Z1,OU=07", "13"), undefined);
      assert.equal(await store.users.byCertificate("not a name", "12"), undefined);
      await store.users.put({ ...user, certificates: [] });
      assert.equal(await store.users.byCertificate("CN=Z1,OU=07", "12"), undefined);
      assert.equal((await store.users.list()).length, 2);
      await store.close();
    });

    it("accepts a user-API nonce once until it expires", async () => {
      const store = await open();
      assert.equal(await store.nonces.use("u1", "n-1", T0 + 600_000, T0), true);
      assert.equal(await store.nonces.use("u1", "n-1", T0 + 600_000, T0 + 1), false);
      // Another user's nonce of the same text is its own.
      assert.equal(await store.nonces.use("u2", "n-1", T0 + 600_000, T0 + 1), true);
      // Of many concurrent uses of one fresh nonce, exactly one wins.
      const burst = await Promise.all(
        Array.from({ length: 20 }, () => store.nonces.use("u1", "n-2", T0 + 600_000, T0)),
      );
      assert.equal(burst.filter(Boolean).length, 1);
      assert.equal(await store.nonces.purgeExpired(T0 + 599_999, 100), 0);
      assert.equal(await store.nonces.purgeExpired(T0 + 600_000, 2), 2);
      assert.equal(await store.nonces.purgeExpired(T0 + 600_000, 100), 1);
      await store.close();
    });

    it("purges old final requests and audit lines in batches, never pending work", async () => {
      const store = await open();
      const old = T0 - 40 * 86_400_000;
      await store.requests.insert(
        request("done-1", { state: "responded", updatedAt: old, requestId: "r:1" }),
      );
      await store.requests.insert(request("done-2", { state: "failed", updatedAt: old, requestId: "r:2" }));
      await store.requests.insert(
        request("done-3", { state: "responded", updatedAt: old, requestId: "r:3" }),
      );
      await store.requests.insert(request("recent", { state: "responded", updatedAt: T0, requestId: "r:4" }));
      await store.requests.insert(
        request("waiting", { state: "acknowledged", updatedAt: old, requestId: "r:5" }),
      );
      await store.requests.insert(request("sent", { state: "sent", updatedAt: old, requestId: "r:6" }));
      await store.requests.insert(
        request("undelivered", { state: "responded", updatedAt: old, requestId: "r:7" }),
      );
      await store.outbox.enqueue({
        id: "m7",
        userEui: "90b3d51f30010000",
        kind: "response",
        requestId: "r:7",
        body: "<x/>",
        nextAttemptAt: old,
        createdAt: old,
        expiresAt: T0 + 86_400_000,
      });
      // A delivered answer does not hold its request back.
      await store.outbox.enqueue({
        id: "m3",
        userEui: "90b3d51f30010000",
        kind: "response",
        requestId: "r:3",
        body: "<x/>",
        nextAttemptAt: old,
        createdAt: old,
        expiresAt: T0 + 86_400_000,
      });
      assert.equal(await store.outbox.acquireLease("90b3d51f30010000", "node", old, old + 60_000), true);
      assert.equal(await store.outbox.markDelivered("m3", "node", old), true);
      const before = T0 - 30 * 86_400_000;
      assert.equal(await store.requests.purgeFinished(before, 2), 2);
      assert.equal(await store.requests.purgeFinished(before, 2), 1);
      assert.equal(await store.requests.purgeFinished(before, 2), 0);
      for (const id of ["recent", "waiting", "sent", "undelivered"]) {
        assert.notEqual(await store.requests.get(id), undefined, id);
      }
      for (const id of ["done-1", "done-2", "done-3"])
        assert.equal(await store.requests.get(id), undefined, id);

      for (const at of [old, old + 1, old + 2, T0]) {
        await store.audit.append({
          at,
          kind: "request.acknowledged",
          actor: null,
          requestId: null,
          detail: null,
        });
      }
      assert.equal(await store.audit.purgeBefore(before, 2), 2);
      assert.equal(await store.audit.purgeBefore(before, 2), 1);
      assert.equal(await store.audit.purgeBefore(before, 2), 0);
      assert.deepEqual(
        (await store.audit.list()).map((l) => l.at),
        [T0],
      );
      await store.close();
    });

    it("accepts exactly one of many concurrent advances with the same counter", async () => {
      const store = await open();
      const results = await Promise.all(Array.from({ length: 50 }, () => store.counters.advance("o1", 5n)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.counters.advance("o1", 5n), false);
      assert.equal(await store.counters.advance("o1", 4n), false);
      assert.equal(await store.counters.advance("o1", 6n), true);
      // Numeric, not lexicographic, order across digit counts and up to uint64 max.
      assert.equal(await store.counters.advance("o1", 10n), true);
      assert.equal(await store.counters.advance("o1", 9n), false);
      assert.equal(await store.counters.advance("o1", 18446744073709551615n), true);
      assert.equal(await store.counters.get("o1"), 18446744073709551615n);
      await assert.rejects(store.counters.advance("o1", 1n << 64n), RangeError);
      await store.close();
    });

    it("compare-and-set succeeds once per expected value", async () => {
      const store = await open();
      // Concurrent calls: exactly one wins, whichever (a pooled store may run them in either order).
      const first = await Promise.all([
        store.counters.compareAndSet("o", undefined, 1n),
        store.counters.compareAndSet("o", undefined, 2n),
      ]);
      assert.deepEqual([...first].sort(), [false, true]);
      const created = first[0] ? 1n : 2n;
      assert.equal(await store.counters.get("o"), created);
      const next = await Promise.all([
        store.counters.compareAndSet("o", created, 7n),
        store.counters.compareAndSet("o", created, 8n),
      ]);
      assert.deepEqual([...next].sort(), [false, true]);
      assert.equal(await store.counters.get("o"), next[0] ? 7n : 8n);
      assert.equal(await store.counters.compareAndSet("o", created, 9n), false);
      await store.close();
    });

    it("moves requests through their lifecycle with guarded transitions", async () => {
      const store = await open();
      await store.requests.insert(request("r1"));
      await assert.rejects(store.requests.insert(request("r1")));
      const command = Uint8Array.from([0xdd, 0, 0, 0, 0, 0, 0]);
      assert.equal(
        await store.requests.transition("r1", ["received"], "acknowledged", T0 + 1, { responseCode: "I99" }),
        true,
      );
      // Two workers race to send: one wins.
      const sends = await Promise.all([
        store.requests.transition("r1", ["acknowledged"], "sent", T0 + 2, {
          gbcsCommand: command,
          correlation: "c1",
        }),
        store.requests.transition("r1", ["acknowledged"], "sent", T0 + 2, {
          gbcsCommand: command,
          correlation: "c1",
        }),
      ]);
      assert.deepEqual(sends.sort(), [false, true]);
      const sent = await store.requests.byCorrelation("c1");
      assert.equal(sent?.state, "sent");
      assert.deepEqual(sent?.gbcsCommand, command);
      assert.equal(sent?.counter, 1000n);
      assert.equal(
        await store.requests.update("r1", T0 + 3, { gbcsResponse: Uint8Array.from([1, 2]) }),
        true,
      );
      assert.equal(
        await store.requests.transition("r1", ["sent"], "responded", T0 + 4, { responseCode: "I0" }),
        true,
      );
      await store.requests.insert(request("r2", { commandVariant: 5 }));
      assert.deepEqual(
        (await store.requests.byRequestId(request("x").requestId)).map((r) => r.id),
        ["r1", "r2"],
      );
      assert.deepEqual(
        (await store.requests.inState("received")).map((r) => r.id),
        ["r2"],
      );
      assert.deepEqual(await store.requests.counts(), { received: 1, responded: 1 });
      const r1 = await store.requests.get("r1");
      assert.equal(r1?.responseCode, "I0");
      assert.deepEqual(r1?.gbcsResponse, Uint8Array.from([1, 2]));
      assert.equal(r1?.updatedAt, T0 + 4);
      await store.close();
    });

    it("keeps a request's custody: leases, take-over of expired and own work, answered once", async () => {
      const store = await open();
      const a = { owner: "node-a", expiresAt: T0 + 30_000 };
      const b = { owner: "node-b", expiresAt: T0 + 30_000 };
      await store.requests.insert(request("a1", { state: "acknowledged", receivedAt: T0 }), a);
      await store.requests.insert(request("a2", { state: "acknowledged", receivedAt: T0 + 1 }), a);
      await store.requests.insert(request("b1", { state: "acknowledged", receivedAt: T0 + 2 }), b);
      await store.requests.insert(request("n1", { state: "acknowledged", receivedAt: T0 + 3 }));
      // Answered synchronously: a final state on insert.
      await store.requests.insert(request("s1", { state: "failed", responseCode: "E4" }), a);
      assert.deepEqual(await store.requests.custody("s1"), {
        owner: "node-a",
        leaseExpiresAt: T0 + 30_000,
        answered: true,
      });
      assert.deepEqual(await store.requests.custody("n1"), {
        owner: null,
        leaseExpiresAt: null,
        answered: false,
      });
      assert.equal(await store.requests.custody("nope"), undefined);

      // Node b starting: its own work and the unowned, never node a's live leases.
      const later = { owner: "node-b", expiresAt: T0 + 40_000 };
      assert.deepEqual(
        (await store.requests.takeOver(later, T0 + 10_000, { own: true })).map((r) => r.id),
        ["b1", "n1"],
      );
      // A sweep (not own): nothing is free now.
      assert.deepEqual(await store.requests.takeOver(later, T0 + 10_000, { own: false }), []);
      // Node a renews; its leases hold past their first expiry.
      assert.equal(await store.requests.renewLeases("node-a", T0 + 60_000), 2);
      assert.equal(await store.requests.renewLeases("node-b", T0 + 60_000), 2);
      assert.deepEqual(await store.requests.takeOver(later, T0 + 45_000, { own: false }), []);
      // Node a stops renewing: after expiry its open work is taken over, once, oldest first.
      assert.equal(await store.requests.renewLeases("node-b", T0 + 70_000), 2);
      const c = { owner: "node-c", expiresAt: T0 + 100_000 };
      const [first, second] = await Promise.all([
        store.requests.takeOver(c, T0 + 61_000, { own: false }),
        store.requests.takeOver({ ...c, owner: "node-d" }, T0 + 61_000, { own: false }),
      ]);
      const taken = [...first!, ...second!].map((r) => r.id).sort();
      assert.deepEqual(taken, ["a1", "a2"]);
      assert.ok(first!.length === 0 || second!.length === 0, "one node took them all");

      // The node that sends a request owns it from then on.
      assert.equal(
        await store.requests.transition(
          "b1",
          ["acknowledged"],
          "sent",
          T0 + 5,
          {},
          {
            owner: "node-e",
            expiresAt: T0 + 200_000,
          },
        ),
        true,
      );
      assert.equal((await store.requests.custody("b1"))?.owner, "node-e");

      // Answered once: the second mark says it already was; answered work is no one's any more.
      assert.equal(await store.requests.markAnswered("b1"), true);
      assert.equal(await store.requests.markAnswered("b1"), false);
      assert.equal(await store.requests.renewLeases("node-e", T0 + 300_000), 0);
      assert.deepEqual(
        (await store.requests.takeOver(c, T0 + 10_000_000, { own: true })).map((r) => r.id),
        ["a1", "a2", "n1"],
      );
      assert.deepEqual(await store.requests.custody("a1"), {
        owner: "node-c",
        leaseExpiresAt: T0 + 100_000,
        answered: false,
      });
      await store.close();
    });

    it("sends one request per device at a time, the device's queue oldest first", async () => {
      const store = await open();
      const T = "00db1234567890a4";
      const U = "00db1234567890a5";
      const X = "90b3d51f30010000";
      const Y = "90b3d51f30020000";
      const queued = (id: string, originator: string, counter: bigint, receivedAt: number, patch = {}) =>
        request(id, {
          originator,
          counter,
          receivedAt,
          target: T,
          state: "acknowledged",
          responseCode: "I99",
          correlation: `${originator}:${counter}`,
          gbcsCommand: Uint8Array.of(0xdd, Number(counter & 0xffn)),
          ...patch,
        });
      // Inserted out of order on purpose: the queue's order is the records', not the insertion's.
      for (const r of [
        queued("d", X, 4n, T0 + 2),
        queued("c", Y, 100n, T0 + 1),
        queued("b", X, 2n, T0 + 1),
        queued("a", X, 1n, T0),
        // Y's counter 9 was received before its counter 8: 8 still goes first.
        queued("g", Y, 109n, T0 + 3),
        queued("h", Y, 108n, T0 + 4),
        // Future-dated, received first: it holds no one up until its date.
        queued("f", X, 3n, T0 - 5, { executeAt: T0 + 1000 }),
        queued("e", X, 5n, T0 + 9, { target: U }),
      ])
        await store.requests.insert(r);

      const at = T0 + 10;
      assert.equal((await store.requests.nextQueued(T, at))?.id, "a");
      assert.equal(await store.requests.startSending("b", at), "busy", "a is ahead of b");
      assert.equal(await store.requests.startSending("a", at), "sent");
      assert.equal(await store.requests.startSending("e", at), "sent", "another device is not held up");
      assert.equal((await store.requests.get("a"))?.state, "sent");
      assert.equal((await store.requests.nextQueued(T, at))?.id, "b", "next ignores what is in flight");
      assert.equal(await store.requests.startSending("b", at), "busy", "a is in flight");
      assert.equal(await store.requests.startSending("a", at), "gone");
      assert.equal(await store.requests.startSending("nope", at), "gone");
      // The schema itself refuses a second command in flight to one device, whatever the caller.
      await assert.rejects(store.requests.transition("b", ["acknowledged"], "sent", at));
      assert.equal((await store.requests.get("b"))?.state, "acknowledged");

      assert.equal(await store.requests.transition("a", ["sent"], "responded", at), true);
      // Two workers offered the head at once: one sends it.
      const race = await Promise.all([
        store.requests.startSending("b", at),
        store.requests.startSending("b", at),
      ]);
      assert.deepEqual(race.sort(), ["gone", "sent"]);
      assert.equal(await store.requests.transition("b", ["sent"], "failed", at), true);

      const order: string[] = [];
      for (let next = await store.requests.nextQueued(T, at); next !== undefined; ) {
        assert.equal(await store.requests.startSending(next.id, at), "sent", next.id);
        assert.equal(await store.requests.transition(next.id, ["sent"], "responded", at), true);
        order.push(next.id);
        next = await store.requests.nextQueued(T, at);
      }
      assert.deepEqual(order, ["c", "d", "h", "g"]);
      assert.equal(await store.requests.startSending("f", at), "busy", "not due yet");
      assert.equal((await store.requests.nextQueued(T, T0 + 1000))?.id, "f");
      assert.equal(await store.requests.startSending("f", T0 + 1000), "sent");
      await store.close();
    });

    it("finds users whose queue head is due, retries, and keeps a failed queue until expiry", async () => {
      const store = await open();
      const user = "90b3d51f30010000";
      await store.users.put({ ...receiver(user), receiveResponseUrl: "http://192.0.2.1/r" });
      await store.users.put(receiver("90b3d51f30020000")); // pull only: never due for a POST
      for (const [id, at, eui] of [
        ["m1", T0, user],
        ["m2", T0 + 10, user],
        ["m3", T0 + 1000, user],
        ["p1", T0, "90b3d51f30020000"],
      ] as const) {
        await store.outbox.enqueue(outboxEntry(id, eui, at));
      }
      assert.deepEqual(await store.outbox.dueUsers(T0 + 10, 10), [user]);
      assert.equal(await store.outbox.acquireLease(user, "node-a", T0 + 10, T0 + 60_000), true);
      // Leased: not due for anyone else until the lease expires.
      assert.deepEqual(await store.outbox.dueUsers(T0 + 10, 10), []);
      assert.equal(await store.outbox.markDelivered("m1", "node-b", T0 + 11), false, "only the holder marks");
      assert.equal(await store.outbox.markDelivered("m1", "node-a", T0 + 11), true);
      assert.equal(
        await store.outbox.markAttemptFailed("m2", "node-a", "connection refused", T0 + 5000),
        true,
      );
      assert.equal(await store.outbox.releaseLease(user, "node-a"), true);
      // The head (m2) now waits for its retry, and gates m3 although m3 was never tried.
      assert.deepEqual(await store.outbox.dueUsers(T0 + 1000, 10), []);
      assert.deepEqual(await store.outbox.dueUsers(T0 + 4999, 10), []);
      assert.equal(await store.outbox.countPending(user, 10_000), 2);
      assert.equal(await store.outbox.countPending(user, 1), 1, "counts no further than asked");
      assert.deepEqual(await store.outbox.dueUsers(T0 + 5000, 10), [user]);
      assert.equal(await store.outbox.acquireLease(user, "node-b", T0 + 5000, T0 + 60_000), true);
      assert.equal(await store.outbox.markAttemptFailed("m2", "node-b", "HTTP 500", null), true);
      const m2 = await store.outbox.get("m2");
      assert.equal(m2?.state, "failed");
      assert.equal(m2?.attempts, 2);
      assert.equal(m2?.lastError, "HTTP 500");
      assert.deepEqual(
        (await store.outbox.forUser(user)).map((e) => e.id),
        ["m2", "m3"],
      );
      assert.deepEqual(await store.outbox.counts(), { delivered: 1, failed: 1, pending: 2 });
      assert.equal(await store.outbox.purgeExpired(T0 + 10 + 2 * 86_400_000), 3);
      assert.equal(await store.outbox.remove("m3"), true);
      await store.close();
    });

    it("gives a user's delivery lease to one holder at a time until it expires", async () => {
      const store = await open();
      const user = "90b3d51f30010000";
      await store.users.put({ ...receiver(user), receiveResponseUrl: "http://192.0.2.1/r" });
      await store.outbox.enqueue(outboxEntry("m1", user, T0));
      // Many concurrent takers: exactly one wins.
      const takers = Array.from({ length: 8 }, (_, i) => `node-${i}`);
      const won = await Promise.all(takers.map((h) => store.outbox.acquireLease(user, h, T0, T0 + 1000)));
      assert.equal(won.filter(Boolean).length, 1);
      const holder = takers[won.indexOf(true)]!;
      const other = takers.find((h) => h !== holder)!;
      assert.equal(
        await store.outbox.acquireLease(user, holder, T0 + 10, T0 + 2000),
        true,
        "its own: renewed",
      );
      assert.equal(await store.outbox.renewLease(user, holder, T0 + 3000), true);
      assert.equal(await store.outbox.acquireLease(user, other, T0 + 2999, T0 + 9000), false, "still live");
      assert.equal(await store.outbox.releaseLease(user, other), false, "not its lease");
      // Expired: another holder takes it over, and the old holder can neither renew nor mark.
      assert.equal(await store.outbox.acquireLease(user, other, T0 + 3000, T0 + 9000), true);
      assert.equal(await store.outbox.renewLease(user, holder, T0 + 9000), false);
      assert.equal(await store.outbox.markDelivered("m1", holder, T0 + 3001), false);
      assert.equal(await store.outbox.markDelivered("m1", other, T0 + 3001), true);
      // Expired leases are cleared by the purge; a released one is gone at once.
      assert.equal(await store.outbox.purgeExpired(T0 + 9000), 0);
      assert.equal(await store.outbox.renewLease(user, other, T0 + 20_000), false);
      assert.equal(await store.outbox.acquireLease(user, holder, T0 + 9001, T0 + 10_000), true);
      assert.equal(await store.outbox.releaseLease(user, holder), true);
      assert.equal(await store.outbox.acquireLease(user, other, T0 + 9002, T0 + 10_000), true);
      await store.close();
    });

    it("appends audit lines in order with JSON detail", async () => {
      const store = await open();
      const s1 = await store.audit.append({
        at: T0,
        kind: "request.received",
        actor: "u",
        requestId: "r",
        detail: { a: 1 },
      });
      const s2 = await store.audit.append({
        at: T0,
        kind: "request.acknowledged",
        actor: null,
        requestId: null,
        detail: null,
      });
      assert.ok(s2 > s1);
      assert.deepEqual(
        (await store.audit.list({ requestId: "r" })).map((l) => l.detail),
        [{ a: 1 }],
      );
      assert.deepEqual(
        (await store.audit.list({ afterSeq: s1 })).map((l) => l.kind),
        ["request.acknowledged"],
      );
      await store.close();
    });

    it("commits a transaction as a whole or not at all", async () => {
      const store = await open();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.meta.set("a", "1");
          await tx.counters.advance("o", 1n);
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.equal(await store.meta.get("a"), undefined);
      assert.equal(await store.counters.get("o"), undefined);

      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const tx = store.transaction(async (t) => {
        await t.meta.set("b", "inside");
        await gate;
      });
      // Outside, the write is not seen before the commit (it is seen after, or the call waits).
      const outside = store.meta.get("b");
      await new Promise((r) => setImmediate(r));
      release();
      await tx;
      assert.ok([undefined, "inside"].includes(await outside));
      assert.equal(await store.meta.get("b"), "inside");

      let leaked: Repositories | undefined;
      await store.transaction(async (t) => {
        leaked = t;
      });
      await assert.rejects(leaked!.meta.get("b"), /transaction has ended/);
      await store.close();
      await assert.rejects(store.meta.get("b"), /closed/);
    });
  });
}

/**
 * Migration 6 on data written before it: two requests `sent` to one device (on the WAN together when
 * an older version stopped). The upgrade keeps the first sent and ends the other as E21, so that the
 * one-in-flight index can be built; a device with one in flight is left alone.
 */
export async function upgradeWithTwoInFlight(
  openOld: () => Promise<Store>,
  openNew: () => Promise<Store>,
): Promise<void> {
  const old = await openOld();
  const sent = (id: string, target: string, updatedAt: number) =>
    request(id, { target, state: "sent", updatedAt, correlation: id, counter: BigInt(updatedAt - T0) });
  for (const r of [
    sent("second", "00db1234567890a4", T0 + 2),
    sent("first", "00db1234567890a4", T0 + 1),
    sent("alone", "00db1234567890a5", T0 + 3),
  ])
    await old.requests.insert(r);
  await old.close();
  const upgraded = await openNew();
  try {
    assert.equal((await upgraded.requests.get("first"))?.state, "sent");
    assert.equal((await upgraded.requests.get("alone"))?.state, "sent");
    const second = await upgraded.requests.get("second");
    assert.equal(second?.state, "failed");
    assert.equal(second?.responseCode, "E21");
    assert.match(second?.error ?? "", /one command in flight per device/);
  } finally {
    await upgraded.close();
  }
}

/** A service user with no certificates (pull only unless a URL is set). */
function receiver(eui: string): UserRecord {
  return { eui, name: eui, roles: ["IS"], receiveResponseUrl: null, certificates: [] };
}

/** A pending response for `userEui`, due and created at `at`, kept two days. */
function outboxEntry(id: string, userEui: string, at: number) {
  return {
    id,
    userEui,
    kind: "response" as const,
    requestId: "rid",
    body: "<x/>",
    nextAttemptAt: at,
    createdAt: at,
    expiresAt: at + 2 * 86_400_000,
  };
}
