/**
 * Refusals at the HTTP level on the dashboard: the registry key told from the answer's body, and a
 * real app (Fastify over a socket, the DUIS routes, the address rate limit, the body limit) reporting
 * its refusals into a dashboard source, with the registry's message and without the details.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { DuisError, duisErrors } from "../../src/duis/errors.js";
import { appPlugin, buildApp } from "../../src/server/app.js";
import { MemoryDashboardSource } from "../../src/server/dashboard-memory-source.js";
import {
  isDuisPath,
  refusalKey,
  refusalRecord,
  reportRefusals,
} from "../../src/server/dashboard-refusals.js";
import { duisRoutes } from "../../src/server/duis-routes.js";
import { DccMetrics } from "../../src/server/metrics.js";
import { TokenBuckets } from "../../src/server/rate-limit.js";

const NOW = Date.parse("2026-11-28T14:00:00.000Z");

describe("refusalKey", () => {
  it("reads the key a JSON body names, when it has that status", () => {
    const body = JSON.stringify({ error: "userApiReplayed", message: "nonce abc was used already" });
    assert.equal(refusalKey(409, body), "userApiReplayed");
    assert.equal(refusalKey(401, body), null, "a key of another status is not believed");
  });

  it("tells the key of a text body by the registry message it starts with", () => {
    const e = new DuisError("certificateUnknown", "no user 90-B3-D5-1F-30-01-00-00");
    assert.equal(refusalKey(401, `${e.message}\n`), "certificateUnknown");
    assert.equal(refusalKey(429, Buffer.from(`${new DuisError("rateLimited").message}\n`)), "rateLimited");
  });

  it("falls back to the only key with the status, else none", () => {
    assert.equal(
      refusalKey(413, JSON.stringify({ statusCode: 413, code: "FST_ERR_CTP_BODY_TOO_LARGE" })),
      "bodyTooLarge",
    );
    assert.equal(refusalKey(401, "something else"), null);
    assert.equal(refusalKey(404, undefined), null);
  });
});

describe("refusalRecord", () => {
  it("keeps the code, the key and the registry message, and nothing of the request", () => {
    const e = new DuisError("certificateUnknown", "no user 90-B3-D5-1F-30-01-00-00");
    const r = refusalRecord(401, `${e.message}\n`, new Date(NOW));
    assert.deepEqual(r, {
      at: new Date(NOW),
      requestId: "",
      srv: "",
      deviceId: null,
      responseCode: "HTTP 401",
      latencyMs: null,
      error: "certificateUnknown",
      reason: duisErrors.certificateUnknown.message,
    });
  });

  it("says the status when the key cannot be told", () => {
    assert.equal(refusalRecord(401, "?", new Date(NOW)).reason, "refused with HTTP 401");
  });
});

describe("isDuisPath", () => {
  it("takes the DUIS web services and user APIs, not the dashboard or the admin API", () => {
    for (const p of [
      "/api/v1/serviceS",
      "/api/v1/serviceD",
      "/api/v1/responses",
      "/api/v1/users/90-B3/receive-url",
    ]) {
      assert.ok(isDuisPath(p), p);
    }
    for (const p of ["/api/v1/dashboard/summary", "/api/v1/admin/users", "/metrics", "/api/v1/serviceX"]) {
      assert.ok(!isDuisPath(p), p);
    }
  });
});

describe("an app reporting its refusals to the dashboard", () => {
  let app: FastifyInstance;
  let base: string;
  const source = new MemoryDashboardSource({
    instance: { name: "m", version: "0", mode: "embedded", startedAt: new Date(NOW), premises: 0 },
  });

  before(async () => {
    const unknown = new DuisError("certificateUnknown", "no user 90-B3-D5-1F-30-01-00-00");
    app = await buildApp({
      metrics: new DccMetrics(),
      health: [],
      bodyLimit: 4096,
      addressLimits: { requests: new TokenBuckets({ ratePerSecond: 0.001, burst: 4 }) },
      onRefusal: reportRefusals(source, () => NOW),
      plugins: [
        appPlugin("duis", duisRoutes, {
          // The pipeline's answer to a request signed by no known user (an HTTP-only refusal).
          pipeline: {
            submit: async () => ({
              httpStatus: unknown.httpStatus,
              contentType: "text/plain" as const,
              body: `${unknown.message}\n`,
              responseCode: null,
              error: unknown.key,
            }),
          },
          delivery: { pull: async () => [], kick: () => {} },
          users: { get: async () => undefined, put: async () => {} },
          nonces: { use: async () => true },
          now: () => NOW,
          receiveUrls: { check: async () => null },
          usersSetReceiveUrl: false,
        }),
      ],
    });
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  });

  after(async () => {
    await app.close();
  });

  it("lists 401, 415, 413 and 429 with their registry messages, and not a 404 elsewhere", async () => {
    const post = (type: string, body: string) =>
      fetch(`${base}/api/v1/serviceS`, { method: "POST", headers: { "content-type": type }, body });
    assert.equal((await post("application/xml", "<x/>")).status, 401);
    assert.equal((await post("text/plain", "hello")).status, 415);
    assert.equal((await post("application/xml", "x".repeat(5000))).status, 413);
    assert.equal((await fetch(`${base}/nowhere`)).status, 404);
    assert.equal((await post("application/xml", "<x/>")).status, 429);

    const rows = await source.latestResponses(10);
    assert.deepEqual(
      rows.map((r) => [r.responseCode, r.error, r.reason]),
      [
        ["HTTP 429", "rateLimited", duisErrors.rateLimited.message],
        ["HTTP 413", "bodyTooLarge", duisErrors.bodyTooLarge.message],
        ["HTTP 415", "unsupportedMediaType", duisErrors.unsupportedMediaType.message],
        ["HTTP 401", "certificateUnknown", duisErrors.certificateUnknown.message],
      ],
    );
    assert.ok(!JSON.stringify(rows).includes("90-B3-D5-1F"), "the details stay out");
    const counts = await source.responseCounts({ from: new Date(NOW - 1000), bucketMs: 2000, buckets: 1 });
    assert.deepEqual(counts.map((c) => [c.code, c.counts[0]]).sort(), [
      ["HTTP 401", 1],
      ["HTTP 413", 1],
      ["HTTP 415", 1],
      ["HTTP 429", 1],
    ]);
  });
});
