import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { RequestCounters } from "../../src/dcc/counters.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite.js";
import type { RequestRecord } from "../../src/store/types.js";

const USER = "90b3d51f30010000";
const RID = (counter: bigint) => `90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:${counter}`;

describe("RequestID counters", () => {
  let dir: string;
  let store: SqliteStore;
  let counters: RequestCounters;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "meterway-counters-"));
    store = openSqliteStore({ file: join(dir, "dcc.sqlite"), synchronous: "NORMAL" });
    counters = new RequestCounters(store.counters, store.requests);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = (counter: bigint, commandVariant = 1) =>
    counters.accept({ originator: USER, counter, requestId: RID(counter), commandVariant });

  it("accepts strictly increasing counters and refuses equal and lower ones", async () => {
    assert.deepEqual(await check(10n), { ok: true, continuation: false });
    assert.deepEqual(await check(11n), { ok: true, continuation: false });
    assert.deepEqual(await check(11n), { ok: false, reason: "equal", last: 11n });
    assert.deepEqual(await check(3n), { ok: false, reason: "lower", last: 11n });
    assert.deepEqual(await check(2n ** 64n - 1n), { ok: true, continuation: false });
  });

  it("keeps one counter per originator, persisted across instances", async () => {
    await check(50n);
    const again = new RequestCounters(store.counters, store.requests);
    assert.equal(
      (await again.accept({ originator: USER, counter: 50n, requestId: RID(50n), commandVariant: 1 })).ok,
      false,
    );
    const other = await again.accept({
      originator: "90b3d51f30030000",
      counter: 1n,
      requestId: "x:y:1",
      commandVariant: 1,
    });
    assert.equal(other.ok, true);
  });

  it("lets exactly one of many concurrent requests with the same counter through", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => check(77n)));
    assert.equal(results.filter((r) => r.ok).length, 1);
  });

  async function transformed(counter: bigint, state: RequestRecord["state"] = "responded"): Promise<void> {
    await store.requests.insert({
      id: `cv4-${counter}`,
      requestId: RID(counter),
      originator: USER,
      target: "00db1234567890a0",
      counter,
      srv: "1.1.1",
      commandVariant: 4,
      state,
      responseCode: state === "responded" ? "I0" : null,
      correlation: null,
      gbcsCommand: null,
      gbcsResponse: null,
      requestXml: null,
      error: null,
      executeAt: null,
      receivedAt: 0,
      updatedAt: 0,
    });
  }

  it("treats a CV5 with the RequestID of an answered CV4 as its continuation, once", async () => {
    assert.equal((await check(100n, 4)).ok, true);
    await transformed(100n);
    assert.deepEqual(await check(100n, 5), { ok: true, continuation: true });
    assert.equal((await check(100n, 5)).ok, false, "a resent CV5 is a replay");
    assert.equal((await check(100n, 1)).ok, false, "a CV1 with that counter is a replay");
  });

  it("does not treat a CV5 as a continuation without a Pre-Command issued for it", async () => {
    assert.equal((await check(200n, 4)).ok, true);
    await transformed(200n, "failed");
    assert.equal((await check(200n, 6)).ok, false);
    assert.equal((await check(201n, 5)).ok, true, "a fresh counter is fine");
  });

  it("lets only one of concurrent continuations through", async () => {
    await check(300n, 4);
    await transformed(300n);
    const results = await Promise.all(Array.from({ length: 10 }, () => check(300n, 7)));
    assert.equal(results.filter((r) => r.ok).length, 1);
  });
});
