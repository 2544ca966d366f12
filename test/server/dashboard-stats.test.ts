import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { percentiles, type ResponseRecord } from "../../src/server/dashboard-source.js";
import { binValue, latencyBin, ResponseStats } from "../../src/server/dashboard-stats.js";
import { ResponseWindow } from "../../src/server/dashboard-window.js";

const T0 = Date.parse("2026-11-28T12:00:00.000Z");

function response(ms: number, code = "I0", latencyMs: number | null = 100): ResponseRecord {
  return {
    at: new Date(T0 + ms),
    requestId: `r:${ms}`,
    srv: "4.1.1",
    deviceId: null,
    responseCode: code,
    latencyMs,
  };
}

describe("latency bins", () => {
  it("report every latency within 2.5%", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 3_600_000, noNaN: true }), (ms) => {
        // Bin 0 is everything up to 0.1 ms, reported as 0.1.
        const value = binValue(latencyBin(ms));
        return Math.abs(value - ms) <= ms * 0.025 + 1e-9;
      }),
    );
  });
});

describe("ResponseStats", () => {
  it("counts codes per chart bucket from one-second steps", () => {
    const stats = new ResponseStats();
    stats.add(response(100, "I99"));
    stats.add(response(4_999, "I0"));
    stats.add(response(5_000, "I0"));
    stats.add(response(9_999, "E3"));
    stats.add(response(10_000, "I0")); // outside the window
    assert.deepEqual(stats.counts({ from: new Date(T0), bucketMs: 5000, buckets: 2 }), [
      { code: "I0", counts: [1, 1] },
      { code: "E3", counts: [0, 1] },
      { code: "I99", counts: [1, 0] },
    ]);
  });

  it("agrees with exact counting and nearest-rank percentiles (within 2.5%) on random traffic", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ms: fc.integer({ min: 0, max: 599_999 }),
            code: fc.constantFrom("I0", "I99", "E3", "E13"),
            latency: fc.option(fc.double({ min: 0.5, max: 60_000, noNaN: true }), { nil: null }),
          }),
          { maxLength: 300 },
        ),
        (items) => {
          const stats = new ResponseStats();
          const exact = new ResponseWindow();
          for (const { ms, code, latency } of items) {
            stats.add(response(ms, code, latency));
            exact.add(response(ms, code, latency));
          }
          const window = { from: new Date(T0), bucketMs: 5000, buckets: 120 };
          assert.deepEqual(stats.counts(window), exact.counts(window));
          const got = stats.latency(new Date(T0), new Date(T0 + 600_000));
          const want = exact.latency(new Date(T0), new Date(T0 + 600_000));
          assert.equal(got.count, want.count);
          for (const key of ["p50Ms", "p95Ms", "p99Ms"] as const) {
            const g = got[key];
            const w = want[key];
            if (w === null) assert.equal(g, null);
            else assert.ok(g !== null && Math.abs(g - w) <= w * 0.026 + 0.1, `${key}: ${g} vs ${w}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("forgets steps older than its retention as time moves on, and ignores late stragglers", () => {
    const stats = new ResponseStats({ retainMs: 10_000 });
    stats.add(response(0, "E3"));
    stats.add(response(12_000, "I0")); // reuses the slot of second 2 only
    assert.equal(stats.counts({ from: new Date(T0), bucketMs: 1000, buckets: 1 })[0]?.counts[0], 1);
    stats.add(response(20_000, "I0")); // reuses second 0's slot
    assert.deepEqual(stats.counts({ from: new Date(T0), bucketMs: 1000, buckets: 1 }), []);
    stats.add(response(500, "E13")); // older than anything kept: not counted
    assert.deepEqual(stats.counts({ from: new Date(T0), bucketMs: 1000, buckets: 1 }), []);
  });

  it("keeps the newest responses for the table, newest first, in bounded number", () => {
    const stats = new ResponseStats({ latest: 3 });
    for (const ms of [5, 1, 9, 3, 7, 2, 8, 6, 4]) stats.add(response(ms));
    assert.deepEqual(
      stats.latest(3).map((r) => r.requestId),
      ["r:9", "r:8", "r:7"],
    );
    assert.ok(stats.latest(100).length <= 6);
  });

  it("lists responses at the same instant last added first (a response follows its acknowledgement)", () => {
    const stats = new ResponseStats();
    stats.add(response(0, "I99"));
    stats.add(response(0, "I0"));
    assert.deepEqual(
      stats.latest(2).map((r) => r.responseCode),
      ["I0", "I99"],
    );
  });

  it("uses the same percentile rule as the exact helper for a single sample", () => {
    const stats = new ResponseStats();
    stats.add(response(0, "I0", 1000));
    const exact = percentiles([1000]);
    const got = stats.latency(new Date(T0), new Date(T0 + 1000));
    assert.equal(got.count, exact.count);
    assert.ok(Math.abs((got.p50Ms ?? 0) - 1000) <= 25);
  });
});

describe("ResponseStats with refusals at the HTTP level", () => {
  it("counts them under their HTTP code, lists them with their reason, and leaves them out of latency", () => {
    const stats = new ResponseStats();
    stats.add(response(100, "I0", 200));
    stats.add({ ...response(200, "HTTP 401", null), error: "certificateUnknown", reason: "unknown" });
    const counts = stats.counts({ from: new Date(T0), bucketMs: 1000, buckets: 1 });
    assert.deepEqual(
      counts.map((c) => [c.code, c.counts[0]]),
      [
        ["HTTP 401", 1],
        ["I0", 1],
      ],
    );
    assert.equal(stats.latency(new Date(T0), new Date(T0 + 1000)).count, 1);
    const [newest] = stats.latest(1);
    assert.equal(newest?.reason, "unknown");
    assert.equal(newest?.error, "certificateUnknown");
  });
});
