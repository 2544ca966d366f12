/**
 * The app's HTTP limits over real sockets: a body that never finishes and headers that never end are
 * cut by their timeouts, connections past the cap are dropped, dashboard event streams are capped
 * per address and in all, and the per-address rate limits answer 429 before a body is read.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { type AddressLimits, type AppDeps, appPlugin, buildApp } from "../../src/server/app.js";
import { dashboardPlugin } from "../../src/server/dashboard.js";
import { MemoryDashboardSource } from "../../src/server/dashboard-memory-source.js";
import { DccMetrics } from "../../src/server/metrics.js";
import { TokenBuckets } from "../../src/server/rate-limit.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A POST route that counts the bodies it parsed, and answers 400 to "junk". */
function echoRoutes(parsed: { count: number }): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser("application/xml", { parseAs: "string" }, (_request, body, done) => {
      parsed.count++;
      done(null, body);
    });
    app.post("/api/v1/serviceS", async (request, reply) =>
      request.body === "junk" ? reply.code(400).send("junk\n") : reply.send("ok\n"),
    );
  };
}

async function serve(deps: Partial<AppDeps> = {}): Promise<{ app: FastifyInstance; port: number }> {
  const app = await buildApp({
    metrics: new DccMetrics(),
    health: [{ name: "store", check: async () => {} }],
    ...deps,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  after(() => app.close());
  const address = app.server.address();
  assert.ok(address !== null && typeof address === "object");
  return { app, port: address.port };
}

/** Opens a raw connection, writes `text`, and resolves with everything received until the server closes it. */
function rawExchange(port: number, text: string): { socket: Socket; done: Promise<string> } {
  const socket = connect({ host: "127.0.0.1", port });
  socket.setEncoding("utf8");
  let received = "";
  const done = new Promise<string>((resolve) => {
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("close", () => resolve(received));
    socket.on("error", () => {});
  });
  socket.write(text);
  return { socket, done };
}

/** One keep-alive GET on an open socket; resolves with the status line. */
function getOn(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes("\r\n\r\n")) {
        socket.off("data", onData);
        resolve(text.split("\r\n")[0]!);
      }
    };
    socket.on("data", onData);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe("HTTP timeouts", () => {
  it("cuts a connection whose body never finishes (408), after its headers arrived", async () => {
    const { port } = await serve({
      limits: { requestTimeoutMs: 600, headersTimeoutMs: 300 },
      plugins: [appPlugin("echo", echoRoutes({ count: 0 }), {})],
    });
    const slow = rawExchange(
      port,
      "POST /api/v1/serviceS HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<a",
    );
    // A byte now and then, as a slow-body sender does to stay under an idle timeout.
    const drip = setInterval(() => slow.socket.write("b"), 100);
    const received = await slow.done;
    clearInterval(drip);
    assert.match(received, /^HTTP\/1\.1 408 /);
  });

  it("cuts a connection whose headers never end", async () => {
    const { port } = await serve({ limits: { requestTimeoutMs: 600, headersTimeoutMs: 300 } });
    const slow = rawExchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
    const drip = setInterval(() => slow.socket.write("X-Slow: 1\r\n"), 50);
    const received = await slow.done;
    clearInterval(drip);
    assert.match(received, /^HTTP\/1\.1 408 /);
  });
});

describe("connection cap", () => {
  it("drops connections past maxConnections and takes new ones once a slot frees", async () => {
    const { app, port } = await serve({ limits: { maxConnections: 2 } });
    const held = [rawExchange(port, ""), rawExchange(port, "")];
    for (const h of held) assert.equal(await getOn(h.socket, "/healthz"), "HTTP/1.1 200 OK");
    const third = rawExchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(await third.done, "", "closed without an answer");
    held[0]!.socket.destroy();
    await held[0]!.done;
    // The server learns of the close on its own time: wait until it counts one connection.
    for (;;) {
      const open = await new Promise<number>((resolve, reject) =>
        app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
      if (open <= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const fourth = rawExchange(port, "");
    assert.equal(await getOn(fourth.socket, "/healthz"), "HTTP/1.1 200 OK");
    fourth.socket.destroy();
    held[1]!.socket.destroy();
  });
});

describe("dashboard event streams", () => {
  function staticDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "meterway-limits-"));
    dirs.push(dir);
    writeFileSync(join(dir, "index.html"), "<!doctype html>");
    mkdirSync(join(dir, "assets"));
    return dir;
  }

  function openStream(port: number, localAddress: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      get({ host: "127.0.0.1", port, path: "/api/v1/dashboard/events", localAddress }, resolve).on(
        "error",
        reject,
      );
    });
  }

  it("are capped per client address and in all, with 429 past a cap", async () => {
    const source = new MemoryDashboardSource({
      instance: { name: "meterway", version: "0.1.0", mode: "embedded", startedAt: new Date(), premises: 0 },
    });
    const { port } = await serve({
      plugins: [
        appPlugin("dashboard", dashboardPlugin, {
          source,
          staticDir: staticDir(),
          maxStreams: 3,
          maxStreamsPerAddress: 2,
        }),
      ],
    });
    // The loopback network answers on every 127.x address: three "clients" on one machine.
    const open = [await openStream(port, "127.0.0.1"), await openStream(port, "127.0.0.1")];
    assert.deepEqual(
      open.map((r) => r.statusCode),
      [200, 200],
    );
    const third = await openStream(port, "127.0.0.1");
    assert.equal(third.statusCode, 429, "a third from one address");
    assert.ok(Number(third.headers["retry-after"]) >= 1);
    third.resume();
    const other = await openStream(port, "127.0.0.2");
    assert.equal(other.statusCode, 200, "another address has its own share");
    const overall = await openStream(port, "127.0.0.3");
    assert.equal(overall.statusCode, 429, "past the cap in all");
    overall.resume();
    // A stream that ends gives its slot back.
    open[0]!.destroy();
    for (;;) {
      const again = await openStream(port, "127.0.0.3");
      if (again.statusCode === 200) {
        again.destroy();
        break;
      }
      again.resume();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    open[1]!.destroy();
    other.destroy();
  });
});

describe("per-address rate limits", () => {
  it("answer 429 with Retry-After before the body is read, and never limit /healthz", async () => {
    const parsed = { count: 0 };
    const addressLimits: AddressLimits = { requests: new TokenBuckets({ ratePerSecond: 0.01, burst: 3 }) };
    const metrics = new DccMetrics();
    const app = await buildApp({
      metrics,
      health: [{ name: "store", check: async () => {} }],
      addressLimits,
      plugins: [appPlugin("echo", echoRoutes(parsed), {})],
    });
    after(() => app.close());
    const post = () =>
      app.inject({
        method: "POST",
        url: "/api/v1/serviceS",
        headers: { "content-type": "application/xml" },
        payload: "<ok/>",
      });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await post()).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 429, 429, 429]);
    assert.equal(parsed.count, 3, "refused bodies were never parsed");
    const refused = await post();
    assert.equal(refused.headers["retry-after"], "100");
    assert.equal(refused.headers.connection, "close");
    assert.match(refused.body, /too many requests/);
    assert.equal((await app.inject("/healthz")).statusCode, 200);
    assert.equal(
      (await app.inject("/metrics")).statusCode,
      429,
      "everything else shares the address's budget",
    );
    assert.match(await metrics.registry.render(), /^meterway_rate_limited_total\{limit="address"\} 5$/m);
  });

  it("shut out an address that keeps sending refused requests, good ones included", async () => {
    const parsed = { count: 0 };
    const app = await buildApp({
      metrics: new DccMetrics(),
      health: [{ name: "store", check: async () => {} }],
      addressLimits: { refusals: new TokenBuckets({ ratePerSecond: 0.01, burst: 2 }) },
      plugins: [appPlugin("echo", echoRoutes(parsed), {})],
    });
    after(() => app.close());
    const post = (payload: string) =>
      app.inject({
        method: "POST",
        url: "/api/v1/serviceS",
        headers: { "content-type": "application/xml" },
        payload,
      });
    assert.equal((await post("<ok/>")).statusCode, 200, "good requests cost nothing here");
    assert.equal((await post("junk")).statusCode, 400);
    assert.equal((await post("junk")).statusCode, 400);
    assert.equal((await post("junk")).statusCode, 429);
    assert.equal((await post("<ok/>")).statusCode, 429);
    assert.equal(parsed.count, 3);
    assert.equal((await app.inject("/metrics")).statusCode, 429);
  });
});
