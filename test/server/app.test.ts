import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FastifyPluginAsync } from "fastify";
import { appPlugin, buildApp } from "../../src/server/app.js";
import { checkHealth } from "../../src/server/health.js";
import { Counter, DccMetrics, MetricsRegistry } from "../../src/server/metrics.js";

const ok = { name: "store", check: async () => {} };

describe("app", () => {
  it("answers /healthz with 200 when every check passes and 503 with reasons otherwise", async () => {
    let storeUp = true;
    const app = await buildApp({
      metrics: new DccMetrics(),
      health: [
        {
          name: "store",
          check: async () => {
            if (!storeUp) throw new Error("database is locked");
          },
        },
        { name: "bus", check: async () => {} },
      ],
    });
    const up = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(up.statusCode, 200);
    assert.deepEqual(up.json(), { status: "ok", checks: { store: "ok", bus: "ok" } });
    storeUp = false;
    const down = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(down.statusCode, 503);
    assert.deepEqual(down.json(), { status: "failing", checks: { store: "database is locked", bus: "ok" } });
    await app.close();
  });

  it("serves metrics in the Prometheus text format, collectors refreshed per scrape", async () => {
    const metrics = new DccMetrics();
    let scrapes = 0;
    metrics.registry.onCollect(async () => {
      scrapes++;
      metrics.devices.reset();
      metrics.devices.set({ status: "Commissioned", type: "ESME", region: "North" }, 34);
    });
    metrics.requests.inc({ srv: "4.1.1", code: "I99" });
    metrics.requests.inc({ srv: "4.1.1", code: "I0" }, 2);
    metrics.requestDuration.observe({ srv: "4.1.1" }, 0.3);
    metrics.requestDuration.observe({ srv: "4.1.1" }, 7);
    metrics.deliveries.inc({ result: "delivered" });
    const app = await buildApp({ metrics, health: [ok] });
    const res = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    assert.match(text, /# TYPE meterway_requests_total counter/);
    assert.match(text, /^meterway_requests_total\{srv="4\.1\.1",code="I99"\} 1$/m);
    assert.match(text, /^meterway_requests_total\{srv="4\.1\.1",code="I0"\} 2$/m);
    assert.match(text, /^meterway_request_duration_seconds_bucket\{srv="4\.1\.1",le="0\.5"\} 1$/m);
    assert.match(text, /^meterway_request_duration_seconds_bucket\{srv="4\.1\.1",le="10"\} 2$/m);
    assert.match(text, /^meterway_request_duration_seconds_bucket\{srv="4\.1\.1",le="\+Inf"\} 2$/m);
    assert.match(text, /^meterway_request_duration_seconds_sum\{srv="4\.1\.1"\} 7\.3$/m);
    assert.match(text, /^meterway_request_duration_seconds_count\{srv="4\.1\.1"\} 2$/m);
    assert.match(text, /^meterway_deliveries_total\{result="delivered"\} 1$/m);
    assert.match(text, /^meterway_devices\{status="Commissioned",type="ESME",region="North"\} 34$/m);
    assert.equal(scrapes, 1);
    await app.close();
  });

  it("registers plugins in their own context and limits request bodies", async () => {
    const echo: FastifyPluginAsync<{ tag: string }> = async (app, options) => {
      app.addContentTypeParser("application/xml", { parseAs: "string" }, (_req, body, done) =>
        done(null, body),
      );
      app.post("/api/v1/echo", async (request) => `${options.tag}${String(request.body)}`);
    };
    const app = await buildApp({
      metrics: new DccMetrics(),
      health: [ok],
      bodyLimit: 64,
      plugins: [appPlugin("echo", echo, { tag: "got:" })],
    });
    const small = await app.inject({
      method: "POST",
      url: "/api/v1/echo",
      headers: { "content-type": "application/xml" },
      payload: "<a/>",
    });
    assert.equal(small.body, "got:<a/>");
    const large = await app.inject({
      method: "POST",
      url: "/api/v1/echo",
      headers: { "content-type": "application/xml" },
      payload: `<a>${"x".repeat(100)}</a>`,
    });
    assert.equal(large.statusCode, 413);
    await app.close();
  });

  it("runs onClose after the server stops", async () => {
    const events: string[] = [];
    const app = await buildApp({
      metrics: new DccMetrics(),
      health: [ok],
      onClose: async () => {
        events.push("closed");
      },
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    await app.close();
    assert.deepEqual(events, ["closed"]);
  });
});

describe("metrics registry", () => {
  it("escapes label values and refuses duplicates and bad names", async () => {
    const registry = new MetricsRegistry();
    const c = registry.counter("x_total", "help", ["l"]);
    c.inc({ l: 'a"b\\c\nd' });
    assert.match(await registry.render(), /x_total\{l="a\\"b\\\\c\\nd"\} 1/);
    assert.throws(() => registry.counter("x_total", "again"), /twice/);
    assert.throws(() => new Counter("bad-name", "h", []), RangeError);
    assert.throws(() => c.inc({ l: "a" }, -1), RangeError);
    assert.throws(() => registry.histogram("h", "h", [], [1, 1]), RangeError);
  });
});

describe("health checks", () => {
  it("bounds a check that never answers", async () => {
    const report = await checkHealth([{ name: "slow", check: () => new Promise(() => {}) }, ok], 20);
    assert.deepEqual(report, { status: "failing", checks: { slow: "no answer within 20 ms", store: "ok" } });
  });
});
