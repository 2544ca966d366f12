import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { get, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { appPlugin, buildApp } from "../../src/server/app.js";
import { dashboardPlugin } from "../../src/server/dashboard.js";
import type { ResponsesJson, SummaryJson } from "../../src/server/dashboard-api.js";
import { MemoryDashboardSource } from "../../src/server/dashboard-memory-source.js";
import type { DashboardSource, ResponseRecord } from "../../src/server/dashboard-source.js";
import { DccMetrics } from "../../src/server/metrics.js";

const NOW = new Date("2026-11-28T12:00:07.500Z");
const startedAt = new Date("2026-11-28T10:00:00.000Z");

function staticDir(withPage: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "meterway-dashboard-"));
  if (withPage) {
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>meterway</title>");
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log('x')");
  }
  return dir;
}

function record(
  at: string,
  code: string,
  latencyMs: number | null,
  n: number,
  deviceId: string | null = "00-DB-12-34-00-00-00-01",
): ResponseRecord {
  return {
    at: new Date(at),
    requestId: `90-B3-D5-1F-30-01-00-00:00-DB-12-34-00-00-00-01:${n}`,
    srv: "4.1.1",
    deviceId,
    responseCode: code,
    latencyMs,
  };
}

function source(): MemoryDashboardSource {
  const s = new MemoryDashboardSource({
    instance: { name: "meterway", version: "0.1.0", mode: "embedded", startedAt, premises: 2 },
  });
  s.setDevices(
    [
      { key: "Withdrawn", count: 1 },
      { key: "Commissioned", count: 7 },
      { key: "Pending", count: 2 },
    ],
    [
      { key: "South", count: 4 },
      { key: "North", count: 6 },
    ],
  );
  s.setDeliveryQueue({ pending: 3, failed: 1 });
  s.record(
    record("2026-11-28T11:50:04.000Z", "I0", 5000, 1), // before the chart's window: latency window too
    record("2026-11-28T11:50:05.000Z", "I99", 4, 2), // first bucket of the chart
    record("2026-11-28T12:00:04.999Z", "I0", 200, 2), // last whole bucket
    record("2026-11-28T12:00:05.000Z", "E3", 30, 3), // current, partial bucket: not charted
  );
  return s;
}

async function app(
  src: DashboardSource,
  dir = staticDir(true),
  extra: { pushIntervalMs?: number } = {},
): Promise<FastifyInstance> {
  const instance = Fastify();
  await instance.register(dashboardPlugin, {
    source: src,
    staticDir: dir,
    clock: () => NOW,
    windowSeconds: 600,
    bucketSeconds: 5,
    ...extra,
  });
  after(() => instance.close());
  return instance;
}

describe("GET /api/v1/dashboard/summary", () => {
  it("reports the instance, devices in lifecycle and north-to-south order, and the queue", async () => {
    const res = await (await app(source())).inject("/api/v1/dashboard/summary");
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["cache-control"], "no-store");
    const summary = res.json<SummaryJson>();
    assert.equal(summary.at, NOW.toISOString());
    assert.deepEqual(summary.instance, {
      name: "meterway",
      version: "0.1.0",
      mode: "embedded",
      startedAt: startedAt.toISOString(),
      premises: 2,
    });
    assert.deepEqual(summary.devices, {
      total: 10,
      byStatus: [
        { key: "Pending", count: 2 },
        { key: "Commissioned", count: 7 },
        { key: "Withdrawn", count: 1 },
      ],
      byRegion: [
        { key: "North", count: 6 },
        { key: "South", count: 4 },
      ],
    });
    assert.deepEqual(summary.delivery, { pending: 3, failed: 1 });
  });

  it("charts whole buckets only, ending at the last bucket boundary", async () => {
    const summary = (await (await app(source())).inject("/api/v1/dashboard/summary")).json<SummaryJson>();
    const { requests } = summary;
    assert.equal(requests.from, "2026-11-28T11:50:05.000Z");
    assert.equal(requests.bucketSeconds, 5);
    assert.equal(requests.buckets, 120);
    const byCode = new Map(requests.series.map((s) => [s.code, s.counts]));
    assert.deepEqual([...byCode.keys()].sort(), ["I0", "I99"]);
    assert.equal(byCode.get("I99")?.[0], 1);
    assert.equal(byCode.get("I0")?.[119], 1);
    assert.equal(
      byCode.get("I0")?.reduce((a, b) => a + b, 0),
      1,
    );
  });

  it("takes latency over the last window, without acknowledgements", async () => {
    const summary = (await (await app(source())).inject("/api/v1/dashboard/summary")).json<SummaryJson>();
    assert.deepEqual(summary.latency, { count: 2, p50Ms: 30, p95Ms: 200, p99Ms: 200, windowSeconds: 600 });
  });

  it("answers 503 with the reason when the source fails", async () => {
    const broken = source();
    broken.deliveryQueue = async () => {
      throw new Error("database is locked");
    };
    const res = await (await app(broken)).inject("/api/v1/dashboard/summary");
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { error: "source unavailable", message: "database is locked" });
  });
});

describe("GET /api/v1/dashboard/responses", () => {
  it("lists the latest responses newest first, 20 by default", async () => {
    const src = source();
    for (let i = 0; i < 30; i++)
      src.record(record(`2026-11-28T11:59:${String(i).padStart(2, "0")}.000Z`, "I0", i, 100 + i, null));
    const res = await (await app(src)).inject("/api/v1/dashboard/responses");
    assert.equal(res.statusCode, 200);
    const body = res.json<ResponsesJson>();
    assert.equal(body.responses.length, 20);
    assert.deepEqual(body.responses[0], {
      at: "2026-11-28T12:00:05.000Z",
      requestId: "90-B3-D5-1F-30-01-00-00:00-DB-12-34-00-00-00-01:3",
      srv: "4.1.1",
      deviceId: "00-DB-12-34-00-00-00-01",
      responseCode: "E3",
      latencyMs: 30,
    });
    assert.equal(body.responses[2]?.deviceId, null);
    assert.equal(body.responses[2]?.latencyMs, 29);
  });

  it("honours ?limit", async () => {
    const body = (
      await (await app(source())).inject("/api/v1/dashboard/responses?limit=2")
    ).json<ResponsesJson>();
    assert.deepEqual(
      body.responses.map((r) => r.responseCode),
      ["E3", "I0"],
    );
  });

  it("rejects a limit that is not an integer from 1 to 500", async () => {
    const instance = await app(source());
    for (const limit of ["0", "501", "abc", "1.5"]) {
      const res = await instance.inject(`/api/v1/dashboard/responses?limit=${limit}`);
      assert.equal(res.statusCode, 400, `limit=${limit}`);
    }
    assert.equal((await instance.inject("/api/v1/dashboard/responses?limit=500")).statusCode, 200);
  });
});

describe("the page", () => {
  it("serves index.html at / with a strict content security policy, not cached", async () => {
    const res = await (await app(source())).inject("/");
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/html/);
    assert.equal(res.headers["cache-control"], "no-cache");
    assert.match(String(res.headers["content-security-policy"]), /default-src 'self'/);
    assert.match(res.body, /<title>meterway<\/title>/);
  });

  it("serves hashed assets as immutable and nothing outside the build", async () => {
    const instance = await app(source());
    const asset = await instance.inject("/assets/index-abc123.js");
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers["cache-control"]), /immutable/);
    assert.equal((await instance.inject("/assets/missing.js")).statusCode, 404);
    assert.equal((await instance.inject("/assets/../index.html")).statusCode, 404);
    assert.equal((await instance.inject("/assets/%2e%2e/%2e%2e/package.json")).statusCode, 404);
  });

  it("says how to build the page when web/dist is missing, and the API still works", async () => {
    const instance = await app(source(), staticDir(false));
    const res = await instance.inject("/");
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build/);
    assert.equal((await instance.inject("/api/v1/dashboard/summary")).statusCode, 200);
  });
});

/** Reads server-sent events from a stream until `count` events have arrived. */
function readEvents(res: IncomingMessage, count: number): Promise<{ event: string; data: string }[]> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const events: { event: string; data: string }[] = [];
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buffer += chunk;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) events.push({ event, data });
        if (events.length === count) {
          res.removeAllListeners("data");
          resolve(events);
          return;
        }
        end = buffer.indexOf("\n\n");
      }
    });
    res.on("error", reject);
    res.on("end", () => reject(new Error(`stream ended after ${events.length} events`)));
  });
}

describe("GET /api/v1/dashboard/events", () => {
  it("streams summary and responses at once and on every tick, and ends when the server closes", async () => {
    const src = source();
    const instance = await app(src, staticDir(true), { pushIntervalMs: 50 });
    const address = await instance.listen({ host: "127.0.0.1", port: 0 });
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${address}/api/v1/dashboard/events`, resolve).on("error", reject),
    );
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/event-stream/);
    const first = await readEvents(res, 2);
    assert.deepEqual(
      first.map((e) => e.event),
      ["summary", "responses"],
    );
    assert.equal(JSON.parse(first[0]?.data ?? "{}").devices.total, 10);

    src.record(record("2026-11-28T12:00:06.000Z", "E13", 12, 9));
    let latest = "";
    while (latest !== "E13") {
      const [, responses] = await readEvents(res, 2);
      latest = JSON.parse(responses?.data ?? "{}").responses[0].responseCode;
    }

    const ended = new Promise<void>((resolve) => res.on("end", resolve));
    res.resume();
    await instance.close();
    await ended;
  });

  it("sends an unavailable event when the source fails", async () => {
    const broken = source();
    broken.devicesByRegion = async () => {
      throw new Error("store offline");
    };
    const instance = await app(broken, staticDir(true), { pushIntervalMs: 50 });
    const address = await instance.listen({ host: "127.0.0.1", port: 0 });
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${address}/api/v1/dashboard/events`, resolve).on("error", reject),
    );
    const [event] = await readEvents(res, 1);
    assert.deepEqual(event, { event: "unavailable", data: JSON.stringify({ message: "store offline" }) });
    res.destroy();
  });
});

describe("in the app factory", () => {
  it("registers through appPlugin beside /healthz and /metrics", async () => {
    const instance = await buildApp({
      metrics: new DccMetrics(),
      health: [],
      plugins: [
        appPlugin("dashboard", dashboardPlugin, {
          source: source(),
          staticDir: staticDir(true),
          clock: () => NOW,
        }),
      ],
    });
    after(() => instance.close());
    assert.equal((await instance.inject("/")).statusCode, 200);
    assert.equal((await instance.inject("/api/v1/dashboard/summary")).json<SummaryJson>().devices.total, 10);
    assert.equal((await instance.inject("/healthz")).statusCode, 200);
  });
});
