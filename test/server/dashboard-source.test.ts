import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryDashboardSource } from "../../src/server/dashboard-memory-source.js";
import { bucketOf, countByCode, percentiles } from "../../src/server/dashboard-source.js";

const from = new Date("2026-11-28T12:00:00.000Z");
const window = { from, bucketMs: 5000, buckets: 4 };
const at = (ms: number): Date => new Date(from.getTime() + ms);

describe("bucketOf", () => {
  it("uses half-open buckets: a boundary belongs to the later bucket", () => {
    assert.equal(bucketOf(window, at(0)), 0);
    assert.equal(bucketOf(window, at(4999)), 0);
    assert.equal(bucketOf(window, at(5000)), 1);
    assert.equal(bucketOf(window, at(19_999)), 3);
  });

  it("puts times outside the window nowhere", () => {
    assert.equal(bucketOf(window, at(-1)), -1);
    assert.equal(bucketOf(window, at(20_000)), -1);
  });
});

describe("countByCode", () => {
  it("counts per code per bucket, busiest code first, ties by code", () => {
    const counts = countByCode(window, [
      { at: at(0), code: "I99" },
      { at: at(1), code: "I0" },
      { at: at(6000), code: "I0" },
      { at: at(19_000), code: "E3" },
      { at: at(19_500), code: "E13" },
      { at: at(25_000), code: "I0" },
    ]);
    assert.deepEqual(counts, [
      { code: "I0", counts: [1, 1, 0, 0] },
      { code: "E13", counts: [0, 0, 0, 1] },
      { code: "E3", counts: [0, 0, 0, 1] },
      { code: "I99", counts: [1, 0, 0, 0] },
    ]);
  });

  it("returns nothing for an empty window", () => {
    assert.deepEqual(countByCode(window, []), []);
  });
});

describe("percentiles", () => {
  it("takes nearest-rank percentiles of unsorted samples", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    assert.deepEqual(percentiles(samples), { count: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99 });
  });

  it("reports a single sample for every percentile and null for none", () => {
    assert.deepEqual(percentiles([42]), { count: 1, p50Ms: 42, p95Ms: 42, p99Ms: 42 });
    assert.deepEqual(percentiles([]), { count: 0, p50Ms: null, p95Ms: null, p99Ms: null });
  });
});

describe("MemoryDashboardSource", () => {
  const instance = {
    name: "meterway",
    version: "0.1.0",
    mode: "embedded" as const,
    startedAt: from,
    premises: 3,
  };
  const response = (ms: number, code: string, latencyMs: number | null, n: number) => ({
    at: at(ms),
    requestId: `90-B3-D5-1F-30-01-00-00:00-DB-12-34-00-00-00-01:${n}`,
    srv: "4.1.1",
    deviceId: "00-DB-12-34-00-00-00-01",
    responseCode: code,
    latencyMs,
  });

  it("keeps responses in time order whatever order they come in, and lists the newest first", async () => {
    const source = new MemoryDashboardSource({ instance });
    source.record(response(3000, "I0", 300, 3), response(1000, "I0", 100, 1), response(2000, "I0", 200, 2));
    const latest = await source.latestResponses(2);
    assert.deepEqual(
      latest.map((r) => r.requestId.split(":")[2]),
      ["3", "2"],
    );
  });

  it("drops the oldest responses beyond its capacity", async () => {
    const source = new MemoryDashboardSource({ instance, capacity: 2 });
    source.record(response(1000, "I0", 1, 1), response(2000, "I0", 2, 2), response(3000, "I0", 3, 3));
    assert.equal((await source.latestResponses(10)).length, 2);
  });

  it("leaves I99 acknowledgements and unknown latencies out of the percentiles", async () => {
    const source = new MemoryDashboardSource({ instance });
    source.record(
      response(0, "I99", 3, 1),
      response(100, "I0", 400, 1),
      response(200, "I0", null, 2),
      response(300, "E3", 10, 3),
      response(30_000, "I0", 999, 4),
    );
    assert.deepEqual(await source.latency(at(0), at(20_000)), {
      count: 2,
      p50Ms: 10,
      p95Ms: 400,
      p99Ms: 400,
    });
  });
});
