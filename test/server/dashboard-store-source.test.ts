import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { MemoryBus } from "../../src/bus/memory.js";
import { duisErrors } from "../../src/duis/errors.js";
import { reportRefusals } from "../../src/server/dashboard-refusals.js";
import { StoreDashboardSource } from "../../src/server/dashboard-store-source.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite.js";
import type {
  CspRegion,
  DeviceRecord,
  DeviceStatus,
  DeviceType,
  RequestRecord,
} from "../../src/store/types.js";

const T0 = Date.parse("2026-11-28T12:00:00.000Z");

function device(n: number, type: DeviceType, status: DeviceStatus, region: CspRegion): DeviceRecord {
  return {
    eui: `00db1234000000${n.toString(16).padStart(2, "0")}`,
    type,
    status,
    hubEui: null,
    mpxn: null,
    region,
    updatedAt: T0,
  };
}

function request(n: number, receivedAt: number): RequestRecord {
  return {
    id: `id-${n}`,
    requestId: `90-B3-D5-1F-30-01-00-00:00-DB-12-34-00-00-00-01:${n}`,
    originator: "90b3d51f30010000",
    target: "00db123400000001",
    counter: BigInt(n),
    srv: "4.1.1",
    commandVariant: 1,
    state: "acknowledged",
    responseCode: "I99",
    correlation: null,
    gbcsCommand: null,
    gbcsResponse: null,
    requestXml: null,
    error: null,
    executeAt: null,
    receivedAt,
    updatedAt: receivedAt,
  };
}

describe("StoreDashboardSource", () => {
  let store: SqliteStore;
  let bus: MemoryBus;
  let source: StoreDashboardSource;
  let now = T0;

  beforeEach(async () => {
    now = T0;
    store = openSqliteStore({ file: ":memory:", now: () => now });
    bus = new MemoryBus();
    source = new StoreDashboardSource({
      store,
      bus,
      instance: { name: "meterway", version: "0.1.0", mode: "embedded", startedAt: new Date(T0) },
      now: () => now,
      deviceCountsTtlMs: 10_000,
    });
    await store.devices.put([
      device(1, "CHF", "Commissioned", "North"),
      device(2, "ESME", "Commissioned", "North"),
      device(3, "GSME", "InstalledNotCommissioned", "North"),
      device(4, "CHF", "Commissioned", "South"),
      device(5, "ESME", "Suspended", "South"),
    ]);
  });

  afterEach(async () => {
    source.close();
    await bus.close();
    await store.close();
  });

  const byKey = (counts: readonly { key: string; count: number }[]): Record<string, number> =>
    Object.fromEntries(counts.map((c) => [c.key, c.count]));

  it("counts devices by status and region, and premises as Communications Hubs", async () => {
    assert.deepEqual(byKey(await source.devicesByStatus()), {
      Commissioned: 3,
      InstalledNotCommissioned: 1,
      Suspended: 1,
    });
    assert.deepEqual(byKey(await source.devicesByRegion()), { North: 3, South: 2 });
    const instance = await source.instance();
    assert.equal(instance.premises, 2);
    assert.equal(instance.mode, "embedded");
  });

  it("reuses device counts for a while, and recounts early when a status changes", async () => {
    assert.equal(byKey(await source.devicesByStatus()).Suspended, 1);
    await store.devices.setStatus("00db123400000005", "Commissioned", T0 + 1);
    now = T0 + 5_000;
    assert.equal(byKey(await source.devicesByStatus()).Suspended, 1, "still cached");
    await bus.publish("device.status", { eui: "00db123400000005", status: "Commissioned", at: now });
    assert.equal(byKey(await source.devicesByStatus()).Suspended, undefined);

    await store.devices.setStatus("00db123400000005", "Suspended", T0 + 2);
    now = T0 + 16_000;
    assert.equal(byKey(await source.devicesByStatus()).Suspended, 1, "expired after the TTL");
  });

  it("counts the outbox's pending and failed entries", async () => {
    for (const id of ["a", "b", "c"]) {
      await store.outbox.enqueue({
        id,
        userEui: "90b3d51f30010000",
        kind: "response",
        requestId: null,
        body: "<x/>",
        nextAttemptAt: T0,
        createdAt: T0,
        expiresAt: T0 + 172_800_000,
      });
    }
    // Entries are marked by the holder of their user's delivery lease.
    await store.outbox.acquireLease("90b3d51f30010000", "node", T0, T0 + 60_000);
    await store.outbox.markAttemptFailed("c", "node", "connection refused", null);
    await store.outbox.markDelivered("b", "node", T0 + 1);
    assert.deepEqual(await source.deliveryQueue(), { pending: 1, failed: 1 });
  });

  it("counts and lists refusals at the HTTP level next to the responses, with their reason", async () => {
    const reportRefusal = reportRefusals(source, () => T0 + 1500);
    reportRefusal("/api/v1/serviceS", 415, `${duisErrors.unsupportedMediaType.message}: got 'text/plain'\n`);
    reportRefusal("/api/v1/dashboard/summary", 429, "not a DUIS route: left out");
    const counts = await source.responseCounts({ from: new Date(T0), bucketMs: 1000, buckets: 2 });
    assert.deepEqual(counts, [{ code: "HTTP 415", counts: [0, 1] }]);
    const [row, ...rest] = await source.latestResponses(5);
    assert.equal(rest.length, 0);
    assert.equal(row?.error, "unsupportedMediaType");
    assert.equal(row?.reason, duisErrors.unsupportedMediaType.message);
    assert.equal((await source.latency(new Date(T0), new Date(T0 + 2000))).count, 0);
  });

  it("gathers responses from request.state events, with device and latency from the request", async () => {
    await store.requests.insert(request(1, T0));
    await bus.publish("request.state", {
      id: "id-1",
      requestId: request(1, T0).requestId,
      srv: "4.1.1",
      state: "acknowledged",
      responseCode: "I99",
      at: T0 + 3,
    });
    await bus.publish("request.state", {
      id: "id-1",
      requestId: request(1, T0).requestId,
      srv: "4.1.1",
      state: "responded",
      responseCode: "I0",
      at: T0 + 840,
    });
    // An event for a request the store does not have still counts, without device or latency.
    await bus.publish("request.state", {
      id: "id-unknown",
      requestId: "90-B3-D5-1F-30-01-00-00:00-DB-12-34-00-00-00-09:2",
      srv: "8.2",
      state: "failed",
      responseCode: "E3",
      at: T0 + 6_000,
    });
    await bus.publish("request.state", {
      id: "id-1",
      requestId: request(1, T0).requestId,
      srv: "4.1.1",
      state: "sent",
      responseCode: null,
      at: T0 + 10,
    });
    await source.settled();

    const latest = await source.latestResponses(10);
    assert.deepEqual(
      latest.map((r) => [r.responseCode, r.deviceId, r.latencyMs]),
      [
        ["E3", null, null],
        ["I0", "00-DB-12-34-00-00-00-01", 840],
        ["I99", "00-DB-12-34-00-00-00-01", 3],
      ],
    );
    const counts = await source.responseCounts({ from: new Date(T0), bucketMs: 5000, buckets: 2 });
    assert.deepEqual(counts, [
      { code: "E3", counts: [0, 1] },
      { code: "I0", counts: [1, 0] },
      { code: "I99", counts: [1, 0] },
    ]);
    const latency = await source.latency(new Date(T0), new Date(T0 + 10_000));
    assert.equal(latency.count, 1);
    for (const p of [latency.p50Ms, latency.p95Ms, latency.p99Ms]) {
      assert.ok(p !== null && Math.abs(p - 840) <= 840 * 0.025, `${p} is within 2.5% of 840`);
    }
  });
});
