/**
 * Retention over a real SQLite store: finished requests and audit lines past their periods go, in
 * batches; unfinished requests, undelivered answers and recent records stay; spent nonces go once
 * expired; a period of 0 keeps everything.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStartArgs } from "../../src/cli/start.js";
import { ConfigError, type MeterwayConfig } from "../../src/config/config.js";
import { Retention } from "../../src/dcc/retention.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import type { RequestState } from "../../src/store/types.js";
import { request, T0 } from "../support/store-records.js";

const DAY = 86_400_000;
const NOW = T0 + 100 * DAY;

async function filledStore() {
  const store = openSqliteStore({ file: ":memory:" });
  const old = NOW - 31 * DAY;
  const rows: Array<[string, RequestState, number]> = [
    ["pending-old", "acknowledged", NOW - 60 * DAY],
    ["sent-old", "sent", NOW - 60 * DAY],
    ["received-old", "received", NOW - 60 * DAY],
    ["recent", "responded", NOW - 29 * DAY],
    ["undelivered", "responded", old],
  ];
  for (let i = 0; i < 7; i++) rows.push([`old-${i}`, i % 2 === 0 ? "responded" : "failed", old]);
  for (const [id, state, at] of rows) {
    await store.requests.insert(
      request(id, { state, updatedAt: at, receivedAt: at, requestId: `rid:${id}` }),
    );
  }
  await store.outbox.enqueue({
    id: "answer",
    userEui: "90b3d51f30010000",
    kind: "response",
    requestId: "rid:undelivered",
    body: "<x/>",
    nextAttemptAt: old,
    createdAt: old,
    expiresAt: NOW + DAY,
  });
  for (let i = 0; i < 5; i++) {
    await store.audit.append({
      at: NOW - 91 * DAY + i,
      kind: "request.acknowledged",
      actor: null,
      requestId: null,
      detail: i,
    });
  }
  await store.audit.append({
    at: NOW - 89 * DAY,
    kind: "request.acknowledged",
    actor: null,
    requestId: null,
    detail: "kept",
  });
  await store.nonces.use("90b3d51f30010000", "spent-nonce-0000000", NOW - 1, NOW - 300_000);
  await store.nonces.use("90b3d51f30010000", "live-nonce-00000000", NOW + 60_000, NOW - 1000);
  return store;
}

describe("retention", () => {
  it("purges old finished requests and audit lines in batches, never pending work", async () => {
    const store = await filledStore();
    const calls: number[] = [];
    const retention = new Retention({
      requests: {
        purgeFinished: async (before, limit) => {
          const n = await store.requests.purgeFinished(before, limit);
          calls.push(n);
          return n;
        },
      },
      audit: store.audit,
      nonces: store.nonces,
      now: () => NOW,
      requestDays: 30,
      auditDays: 90,
      batchSize: 3,
    });
    assert.deepEqual(await retention.purge(), { requests: 7, audit: 5, nonces: 1 });
    assert.deepEqual(calls, [3, 3, 1], "three statements of at most three rows");
    const left = (await store.requests.inState("responded")).map((r) => r.id).sort();
    assert.deepEqual(left, ["recent", "undelivered"]);
    for (const id of ["pending-old", "sent-old", "received-old"])
      assert.notEqual(await store.requests.get(id), undefined);
    assert.deepEqual(
      (await store.audit.list()).map((l) => l.detail),
      ["kept"],
    );
    // The live nonce is still spent.
    assert.equal(await store.nonces.use("90b3d51f30010000", "live-nonce-00000000", NOW + 60_000, NOW), false);
    // Once delivered, the answer no longer holds its request.
    assert.equal(await store.outbox.acquireLease("90b3d51f30010000", "node", NOW, NOW + 60_000), true);
    assert.equal(await store.outbox.markDelivered("answer", "node", NOW), true);
    assert.deepEqual(await retention.purge(), { requests: 1, audit: 0, nonces: 0 });
    await store.close();
  });

  it("keeps everything with periods of 0", async () => {
    const store = await filledStore();
    const retention = new Retention({
      requests: store.requests,
      audit: store.audit,
      nonces: store.nonces,
      now: () => NOW,
      requestDays: 0,
      auditDays: 0,
    });
    assert.deepEqual(await retention.purge(), { requests: 0, audit: 0, nonces: 1 });
    assert.equal((await store.audit.list()).length, 6);
    await store.close();
  });

  it("runs on start and stops cleanly", async () => {
    const store = await filledStore();
    const lines: string[] = [];
    const retention = new Retention({
      requests: store.requests,
      audit: store.audit,
      nonces: store.nonces,
      now: () => NOW,
      requestDays: 30,
      auditDays: 90,
      log: (line) => lines.push(line),
    });
    retention.start();
    await retention.stop();
    // The first purge ran to its end before stop resolved (its first batch at least).
    assert.ok((await store.audit.list()).length < 6);
    assert.match(lines.join("\n"), /retention: purged 7 finished request\(s\) and 5 audit line\(s\)/);
    await store.close();
  });

  it("takes its periods from meterway start's flags", () => {
    const defaults = parseStartArgs([], "/tmp") as MeterwayConfig;
    assert.deepEqual(defaults.retention, { requestDays: 30, auditDays: 90 });
    const given = parseStartArgs(
      ["--retention-days", "7", "--audit-retention-days", "0"],
      "/tmp",
    ) as MeterwayConfig;
    assert.deepEqual(given.retention, { requestDays: 7, auditDays: 0 });
    assert.throws(() => parseStartArgs(["--retention-days", "-1"], "/tmp"), ConfigError);
    assert.throws(() => parseStartArgs(["--audit-retention-days", "1.5"], "/tmp"), ConfigError);
  });
});
