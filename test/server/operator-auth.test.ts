/**
 * The operator's credential over the app as the composition root assembles it: the dashboard (page,
 * JSON, event stream) and /metrics behind the guard, /healthz and the login routes open.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { appPlugin, buildApp } from "../../src/server/app.js";
import { dashboardPlugin } from "../../src/server/dashboard.js";
import { MemoryDashboardSource } from "../../src/server/dashboard-memory-source.js";
import { DccMetrics } from "../../src/server/metrics.js";
import {
  loadOperatorToken,
  OperatorAuth,
  operatorGuard,
  operatorLoginRoutes,
  SESSION_COOKIE,
} from "../../src/server/operator-auth.js";

const TOKEN = "k3Jx9-operator-token-for-tests_0123456789";
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "meterway-operator-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function staticDir(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>meterway</title>");
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "assets", "index-abc.js"), "console.log(1)");
  return dir;
}

async function operatorApp(
  clock = { t: Date.UTC(2026, 11, 7, 12) },
  secure = false,
): Promise<FastifyInstance> {
  const auth = new OperatorAuth({
    token: TOKEN,
    secureCookie: secure,
    sessionSeconds: 3600,
    now: () => clock.t,
  });
  const guard = operatorGuard(auth);
  const source = new MemoryDashboardSource({
    instance: {
      name: "meterway",
      version: "0.1.0",
      mode: "embedded",
      startedAt: new Date(clock.t),
      premises: 1,
    },
  });
  const app = await buildApp({
    metrics: new DccMetrics(),
    health: [{ name: "store", check: async () => {} }],
    operatorGuard: guard,
    plugins: [
      appPlugin("operator-login", operatorLoginRoutes, { auth }),
      appPlugin("dashboard", dashboardPlugin, { source, staticDir: staticDir(), guard, pushIntervalMs: 50 }),
    ],
  });
  after(() => app.close());
  return app;
}

const GUARDED = [
  "/metrics",
  "/api/v1/dashboard/summary",
  "/api/v1/dashboard/responses?limit=5",
  "/api/v1/dashboard/events",
  "/assets/index-abc.js",
];

function sessionCookieOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  assert.ok(header !== undefined, "a Set-Cookie header");
  return header.split(";")[0]!;
}

describe("operator guard", () => {
  it("refuses the dashboard's feeds and /metrics without a credential, leaves /healthz open", async () => {
    const app = await operatorApp();
    for (const url of GUARDED) {
      const res = await app.inject({ url, headers: { accept: "application/json" } });
      assert.equal(res.statusCode, 401, url);
      assert.match(String(res.headers["www-authenticate"]), /^Bearer /, url);
      assert.equal(res.json<{ error: string }>().error, "operatorUnauthorized", url);
    }
    const wrong = await app.inject({
      url: "/metrics",
      headers: { authorization: "Bearer not-the-token-at-all" },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal((await app.inject("/healthz")).statusCode, 200);
  });

  it("sends a browser that asks for the page to the login form", async () => {
    const app = await operatorApp();
    const page = await app.inject({ url: "/", headers: { accept: "text/html,application/xhtml+xml" } });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, "/login");
    const form = await app.inject({ url: "/login" });
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<form method="post" action="\/login">/);
    assert.equal(form.headers["referrer-policy"], "no-referrer");
  });

  it("lets the Bearer token through to every guarded route", async () => {
    const app = await operatorApp();
    const authorization = `Bearer ${TOKEN}`;
    for (const url of GUARDED.filter((u) => !u.endsWith("/events"))) {
      assert.equal((await app.inject({ url, headers: { authorization } })).statusCode, 200, url);
    }
    assert.equal((await app.inject({ url: "/", headers: { authorization } })).statusCode, 200);
  });

  it("logs a browser in by link: an HttpOnly SameSite=Strict session cookie that opens the dashboard", async () => {
    const clock = { t: Date.UTC(2026, 11, 7, 12) };
    const app = await operatorApp(clock);
    const bad = await app.inject({ url: `/login?token=${TOKEN}x` });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.headers["set-cookie"], undefined);
    const login = await app.inject({ url: `/login?token=${encodeURIComponent(TOKEN)}` });
    assert.equal(login.statusCode, 200);
    assert.match(login.body, /url=\//, "the page leads on to the dashboard");
    const setCookie = String(login.headers["set-cookie"]);
    assert.match(
      setCookie,
      new RegExp(
        `^${SESSION_COOKIE}=\\d+\\.[A-Za-z0-9_-]{43}; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict$`,
      ),
    );
    const cookie = sessionCookieOf(login.headers["set-cookie"]);
    for (const url of ["/", "/api/v1/dashboard/summary", "/metrics"]) {
      assert.equal((await app.inject({ url, headers: { cookie } })).statusCode, 200, url);
    }
    // A forged or altered cookie is refused; so is one past its expiry.
    const forged = cookie.replace(/\.(.)/, (_m, c: string) => `.${c === "A" ? "B" : "A"}`);
    assert.equal((await app.inject({ url: "/metrics", headers: { cookie: forged } })).statusCode, 401);
    const later = cookie.replace(/=(\d+)\./, (_m, t: string) => `=${Number(t) + 3600}.`);
    assert.equal((await app.inject({ url: "/metrics", headers: { cookie: later } })).statusCode, 401);
    clock.t += 3601_000;
    assert.equal((await app.inject({ url: "/metrics", headers: { cookie } })).statusCode, 401, "expired");
  });

  it("logs in by the form, marks the cookie Secure under TLS, and logs out", async () => {
    const app = await operatorApp(undefined, true);
    const refused = await app.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "token=guess",
    });
    assert.equal(refused.statusCode, 401);
    assert.match(refused.body, /not the operator token/);
    const login = await app.inject({
      method: "POST",
      url: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ token: TOKEN }).toString(),
    });
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, "/");
    assert.match(String(login.headers["set-cookie"]), /; Secure$/);
    const cookie = sessionCookieOf(login.headers["set-cookie"]);
    assert.equal(
      (await app.inject({ url: "/api/v1/dashboard/summary", headers: { cookie } })).statusCode,
      200,
    );
    const logout = await app.inject({ method: "POST", url: "/logout", headers: { cookie } });
    assert.equal(logout.statusCode, 303);
    assert.match(String(logout.headers["set-cookie"]), new RegExp(`^${SESSION_COOKIE}=; Path=/; Max-Age=0`));
  });

  it("compares tokens whatever their length", () => {
    const auth = new OperatorAuth({ token: TOKEN, secureCookie: false });
    assert.equal(auth.tokenMatches(TOKEN), true);
    assert.equal(auth.tokenMatches(""), false);
    assert.equal(auth.tokenMatches(TOKEN.slice(0, -1)), false);
    assert.equal(auth.tokenMatches(`${TOKEN}${TOKEN}`), false);
    assert.throws(() => new OperatorAuth({ token: "short", secureCookie: false }), /at least 16/);
  });
});

describe("operator token file", () => {
  it("is generated on first run, owner-only, and read again after", async () => {
    const dataDir = tempDir();
    const first = await loadOperatorToken({ dataDir });
    assert.equal(first.created, true);
    assert.equal(first.path, join(dataDir, "operator-token"));
    assert.match(first.token, /^[A-Za-z0-9_-]{43}$/, "256 random bits");
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.equal(readFileSync(first.path, "utf8").trim(), first.token);
    const again = await loadOperatorToken({ dataDir });
    assert.deepEqual(again, { ...first, created: false });
  });

  it("is read from --operator-token-file, which must exist and hold a long enough token", async () => {
    const dir = tempDir();
    const file = join(dir, "token");
    writeFileSync(file, `${TOKEN}\n`);
    assert.deepEqual(await loadOperatorToken({ dataDir: dir, tokenFile: file }), {
      token: TOKEN,
      path: file,
      created: false,
    });
    await assert.rejects(loadOperatorToken({ dataDir: dir, tokenFile: join(dir, "missing") }), /cannot read/);
    writeFileSync(file, "tiny\n");
    await assert.rejects(loadOperatorToken({ dataDir: dir, tokenFile: file }), /at least 16 characters/);
  });
});
