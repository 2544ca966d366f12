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

    it("stores users with certificates, found by serial", async () => {
      const store = await open();
      const user: UserRecord = {
        eui: "90b3d51f30010000",
        name: "Demo Supplier",
        roles: ["IS", "GS"],
        receiveResponseUrl: "http://localhost:9000/receive",
        certificates: [
          { serial: "37250744094852421200045328576547436839", issuer: "CN=Z1", usage: "xml", pem: "PEM" },
          { serial: "12", issuer: "CN=Z1", usage: "ds" },
        ],
      };
      await store.users.put(user);
      const got = await store.users.get(user.eui);
      assert.deepEqual(got?.roles, ["IS", "GS"]);
      assert.equal(got?.certificates.length, 2);
      assert.equal(
        (await store.users.byCertificateSerial("37250744094852421200045328576547436839"))?.eui,
        user.eui,
      );
      assert.equal(await store.users.byCertificateSerial("13"), undefined);
      await store.users.put({ ...user, certificates: [] });
      assert.equal(await store.users.byCertificateSerial("12"), undefined);
      assert.equal((await store.users.list()).length, 1);
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

    it("claims due outbox entries once, retries, and keeps a failed queue until expiry", async () => {
      const store = await open();
      for (const [id, at] of [
        ["m1", T0],
        ["m2", T0 + 10],
        ["m3", T0 + 1000],
      ] as const) {
        await store.outbox.enqueue({
          id,
          userEui: "90b3d51f30010000",
          kind: "response",
          requestId: "rid",
          body: "<x/>",
          nextAttemptAt: at,
          createdAt: at,
          expiresAt: at + 2 * 86_400_000,
        });
      }
      // Two concurrent claims: one takes both due entries, the other none (either may be first).
      const claims = await Promise.all([
        store.outbox.claimDue(T0 + 10, 10, 30_000),
        store.outbox.claimDue(T0 + 10, 10, 30_000),
      ]);
      assert.deepEqual(claims.map((c) => c.map((e) => e.id).join(",")).sort(), ["", "m1,m2"]);
      assert.equal(await store.outbox.markDelivered("m1", T0 + 11), true);
      assert.equal(await store.outbox.markAttemptFailed("m2", "connection refused", T0 + 500), true);
      assert.deepEqual(
        (await store.outbox.claimDue(T0 + 600, 10, 1000)).map((e) => e.id),
        ["m2"],
      );
      assert.equal(await store.outbox.markAttemptFailed("m2", "HTTP 500", null), true);
      const m2 = await store.outbox.get("m2");
      assert.equal(m2?.state, "failed");
      assert.equal(m2?.attempts, 2);
      assert.equal(m2?.lastError, "HTTP 500");
      assert.deepEqual(
        (await store.outbox.forUser("90b3d51f30010000")).map((e) => e.id),
        ["m2", "m3"],
      );
      assert.deepEqual(await store.outbox.counts(), { delivered: 1, failed: 1, pending: 1 });
      assert.equal(await store.outbox.purgeExpired(T0 + 10 + 2 * 86_400_000), 2);
      assert.equal(await store.outbox.remove("m3"), true);
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
