import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResponseRecord } from "../../src/server/dashboard-source.js";
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

describe("ResponseWindow", () => {
  it("keeps responses sorted when they arrive out of order", () => {
    const window = new ResponseWindow();
    for (const ms of [30, 10, 20, 40, 15]) window.add(response(ms));
    assert.deepEqual(
      window.latest(10).map((r) => r.requestId),
      ["r:40", "r:30", "r:20", "r:15", "r:10"],
    );
    assert.deepEqual(
      [...window.between(new Date(T0 + 15), new Date(T0 + 30))].map((r) => r.requestId),
      ["r:15", "r:20"],
    );
  });

  it("drops responses older than the retention behind the newest", () => {
    const window = new ResponseWindow({ retainMs: 1000 });
    window.add(response(0));
    window.add(response(500));
    window.add(response(1500));
    assert.equal(window.size, 2);
    assert.deepEqual(
      window.latest(10).map((r) => r.requestId),
      ["r:1500", "r:500"],
    );
  });

  it("holds at most its capacity, through many compactions", () => {
    const window = new ResponseWindow({ capacity: 100, retainMs: Number.POSITIVE_INFINITY });
    for (let ms = 0; ms < 10_000; ms++) window.add(response(ms));
    assert.equal(window.size, 100);
    assert.equal(window.latest(1)[0]?.requestId, "r:9999");
    assert.equal([...window.between(new Date(T0), new Date(T0 + 10_000))][0]?.requestId, "r:9900");
  });

  it("counts codes per bucket and leaves acknowledgements out of latency", () => {
    const window = new ResponseWindow();
    window.add(response(100, "I99", 2));
    window.add(response(200, "I0", 300));
    window.add(response(5100, "E3", 40));
    window.add(response(5200, "I0", null));
    assert.deepEqual(window.counts({ from: new Date(T0), bucketMs: 5000, buckets: 2 }), [
      { code: "I0", counts: [1, 1] },
      { code: "E3", counts: [0, 1] },
      { code: "I99", counts: [1, 0] },
    ]);
    assert.deepEqual(window.latency(new Date(T0), new Date(T0 + 10_000)), {
      count: 2,
      p50Ms: 40,
      p95Ms: 300,
      p99Ms: 300,
    });
  });
});
