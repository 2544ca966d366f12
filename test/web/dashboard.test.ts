/**
 * The dashboard in a real browser: the page built by Vite, served with a real Fastify and the
 * dashboard plugin over an in-memory DashboardSource behind the operator's login, as `meterway
 * start` serves it, driven by Debian's chromium through playwright-core. Skips (with the reason)
 * when /usr/bin/chromium is not installed.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { DuisError, duisErrors } from "../../src/duis/errors.js";
import { appPlugin, buildApp } from "../../src/server/app.js";
import { dashboardPlugin } from "../../src/server/dashboard.js";
import { MemoryDashboardSource } from "../../src/server/dashboard-memory-source.js";
import { refusalRecord } from "../../src/server/dashboard-refusals.js";
import type { ResponseRecord } from "../../src/server/dashboard-source.js";
import { DccMetrics } from "../../src/server/metrics.js";
import { OperatorAuth, operatorGuard, operatorLoginRoutes } from "../../src/server/operator-auth.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`;

/** The operator token; the same across a server restart, so a browser session outlives it. */
const TOKEN = "web-test-operator-token-0123456789";

/** The server's clock stands still, so every figure on the page is known in advance. */
const NOW = new Date("2026-11-28T14:00:02.000Z");

function response(secondsAgo: number, code: string, n: number, srv = "4.1.1"): ResponseRecord {
  return {
    at: new Date(NOW.getTime() - secondsAgo * 1000),
    requestId: `90-B3-D5-1F-30-01-00-00:00-DB-12-34-00-00-00-2A:${n}`,
    srv,
    deviceId: "00-DB-12-34-00-00-00-2A",
    responseCode: code,
    latencyMs: code === "I99" ? 4 : 180,
  };
}

function fleet(): MemoryDashboardSource {
  const source = new MemoryDashboardSource({
    instance: {
      name: "meterway",
      version: "0.1.0",
      mode: "embedded",
      startedAt: new Date(NOW.getTime() - (3 * 3600 + 5 * 60) * 1000),
      premises: 1234,
    },
  });
  source.setDevices(
    [
      { key: "InstalledNotCommissioned", count: 96 },
      { key: "Commissioned", count: 4618 },
      { key: "Suspended", count: 17 },
    ],
    [
      { key: "North", count: 1476 },
      { key: "Central", count: 1932 },
      { key: "South", count: 1323 },
    ],
  );
  source.setDeliveryQueue({ pending: 37, failed: 2 });
  // The last three whole 5-second buckets end at 14:00:00: 15 I0 and 5 I99 in each → 3/s and 1/s.
  let n = 0;
  for (let bucket = 0; bucket < 3; bucket++) {
    for (let i = 0; i < 15; i++) source.record(response(2.1 + bucket * 5 + i * 0.3, "I0", ++n));
    for (let i = 0; i < 5; i++) source.record(response(2.2 + bucket * 5 + i * 0.9, "I99", ++n));
  }
  // Fixed percentiles, to check how the tile writes them (the computation has its own tests).
  source.latency = async () => ({ count: 45, p50Ms: 120, p95Ms: 480, p99Ms: 2350 });
  return source;
}

async function serve(
  source: MemoryDashboardSource,
  staticDir: string,
  port = 0,
): Promise<[FastifyInstance, string]> {
  // Sessions are checked against real time (the browser holds the cookie), the data against NOW.
  const auth = new OperatorAuth({ token: TOKEN, secureCookie: false });
  const guard = operatorGuard(auth);
  const app = await buildApp({
    metrics: new DccMetrics(),
    health: [],
    operatorGuard: guard,
    plugins: [
      appPlugin("operator-login", operatorLoginRoutes, { auth }),
      appPlugin("dashboard", dashboardPlugin, {
        source,
        staticDir,
        clock: () => NOW,
        pushIntervalMs: 250,
        guard,
      }),
    ],
  });
  const address = await app.listen({ host: "127.0.0.1", port });
  return [app, address];
}

async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? "").trim();
}

describe("dashboard page in chromium", { skip }, () => {
  let work: string;
  let dist: string;
  let source: MemoryDashboardSource;
  let app: FastifyInstance;
  let address: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "meterway-web-"));
    dist = join(work, "dist");
    // Build the current sources into a private folder: never a stale web/dist, never a shared one.
    await build({
      configFile: resolve("web/vite.config.ts"),
      logLevel: "silent",
      build: { outDir: dist, emptyOutDir: true },
    });
    source = fleet();
    [app, address] = await serve(source, dist);
    context = await chromium.launchPersistentContext(join(work, "profile"), {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    // Without a session the dashboard sends the browser to the login form; the token opens it.
    await page.goto(address);
    assert.equal(new URL(page.url()).pathname, "/login");
    await page.getByLabel("Operator token").fill(TOKEN);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator(".state-live").waitFor();
    assert.equal(new URL(page.url()).pathname, "/");
  });

  after(async () => {
    await context?.close();
    await app?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("shows the instance in the header", async () => {
    assert.equal(await textOf(page, "[data-field=mode]"), "embedded");
    assert.equal(await textOf(page, "[data-field=premises]"), "1,234");
    assert.equal(await textOf(page, "[data-field=devices]"), "4,731");
    assert.equal(await textOf(page, "[role=status]"), "Live");
    assert.match(await textOf(page, ".facts"), /up3 h 5 min/);
    assert.equal(await page.title(), "meterway · embedded");
  });

  it("shows devices by status and by CSP region", async () => {
    const status = page.getByRole("region", { name: "Devices by status" });
    const rows = await status
      .locator(".legend-list li")
      .evaluateAll((lis) =>
        lis.map((li) => Array.from(li.querySelectorAll("span"), (s) => s.textContent).filter(Boolean)),
      );
    assert.deepEqual(rows, [
      ["Installed not commissioned", "96", "2.0%"],
      ["Commissioned", "4,618", "98%"],
      ["Suspended", "17", "0.4%"],
    ]);
    assert.match(
      (await status.getByRole("img").getAttribute("aria-label")) ?? "",
      /^Installed not commissioned 2\.0%, Commissioned 98%/,
    );
    const regions = page.getByRole("img", { name: /North: 1,476, Central: 1,932, South: 1,323/ });
    assert.equal(await regions.count(), 1);
    assert.deepEqual(await regions.locator("text.bar-label").allTextContents(), [
      "North",
      "Central",
      "South",
    ]);
    assert.deepEqual(await regions.locator("text.bar-value").allTextContents(), [
      "1,476  ·  31%",
      "1,932  ·  41%",
      "1,323  ·  28%",
    ]);
    // The longest bar is the busiest region's, drawn full width.
    assert.equal(await regions.locator("rect.bar-fill").nth(1).getAttribute("width"), "100%");
  });

  it("shows request rates, latency and the delivery queue", async () => {
    const rates = page.getByRole("region", { name: "Responses per second by response code" });
    assert.equal(await textOf(page, ".headline-value"), "4.00");
    const legend = await rates
      .locator(".code-legend li")
      .evaluateAll((lis) =>
        lis.map((li) => Array.from(li.querySelectorAll("span"), (s) => s.textContent).filter(Boolean)),
      );
    assert.deepEqual(legend, [
      ["I99", "1.00"],
      ["I0", "3.00"],
    ]);
    assert.equal(await rates.locator("path.band").count(), 2);
    assert.equal(await textOf(page, ".y-top"), "5/s");

    const latency = page.getByRole("region", { name: "Latency" });
    assert.deepEqual(await latency.locator("dd").allTextContents(), ["120ms", "480ms", "2.35s"]);
    assert.equal(await latency.locator(".tile-aside").textContent(), "45 responses · 10 min");

    const queue = page.getByRole("region", { name: "Delivery queue" });
    assert.deepEqual(await queue.locator(".big").allTextContents(), ["37", "2"]);
    assert.equal(await queue.locator(".figure.is-bad").count(), 1);
  });

  it("lists the latest responses and updates the table when new ones arrive, without moving the page", async () => {
    const table = page.getByRole("table", { name: "Latest responses, newest first" });
    assert.equal(await table.locator("tbody tr").count(), 20);
    const first = table.locator("tbody tr").first();
    assert.equal(
      await first.getAttribute("data-request-id"),
      "90-B3-D5-1F-30-01-00-00:00-DB-12-34-00-00-00-2A:1",
    );

    assert.ok(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes("layout-shift")));
    await page.evaluate(() => {
      const w = window as unknown as { shift: number };
      w.shift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.shift += (entry as unknown as { value: number }).value;
      }).observe({ type: "layout-shift" });
    });
    source.record({ ...response(1, "E13", 777, "6.15.1"), deviceId: null, latencyMs: 2350 });
    await first.and(page.locator('[data-request-id$=":777"]')).waitFor();
    const cells = await first.locator("td").allTextContents();
    assert.deepEqual(cells.slice(2), ["6.15.1", "—", "E13", "2.35 s"]);
    assert.match(cells[0] ?? "", /^\d\d:\d\d:01$/);
    assert.equal(await first.locator(".code-pill.class-validation").count(), 1);
    assert.match((await first.locator(".code-pill").getAttribute("title")) ?? "", /^E13: Failed Validation/);
    assert.equal(await page.evaluate(() => (window as unknown as { shift: number }).shift), 0);
    assert.deepEqual(problems, []);
  });

  it("lists a refusal at the HTTP level with its reason, in a colour of its own", async () => {
    source.recordRefusal(
      refusalRecord(
        401,
        `${new DuisError("certificateUnknown", "no user X").message}\n`,
        new Date(NOW.getTime() - 3500),
      ),
    );
    const row = page.locator('tbody tr[data-code="HTTP 401"]');
    await row.waitFor();
    const cells = await row.locator("td").allTextContents();
    assert.deepEqual(cells.slice(1, 5), [duisErrors.certificateUnknown.message, "—", "—", "HTTP 401"]);
    assert.equal(await row.locator(".code-pill.class-refused").count(), 1);
    assert.match(
      (await row.locator(".code-pill").getAttribute("title")) ?? "",
      /refused before a DUIS answer/,
    );
    // The legend names each class; a success, an acknowledgement, an E-code and a refusal differ.
    const swatches = page.locator(".class-legend li .swatch");
    assert.equal(await swatches.count(), 7);
    const colours = await swatches.evaluateAll((els) =>
      els.map((el) => getComputedStyle(el).backgroundColor),
    );
    assert.equal(new Set(colours).size, 7, colours.join(" "));
    const pill = (code: string) =>
      page
        .locator(`tbody tr[data-code="${code}"] .code-pill`)
        .first()
        .evaluate((el) => getComputedStyle(el).color);
    const pills = [await pill("I0"), await pill("I99"), await pill("E13"), await pill("HTTP 401")];
    assert.equal(new Set(pills).size, 4, pills.join(" "));
    // The legend says what each code means on hover.
    const legend = page.locator('.code-legend li[data-code="HTTP 401"]');
    await legend.waitFor();
    assert.match((await legend.getAttribute("title")) ?? "", /no DUIS|unknown|certificate/i);
  });

  it("falls back to polling when the event stream cannot get through", async () => {
    const polling = await context.newPage();
    try {
      await polling.route("**/api/v1/dashboard/events", (route) => route.abort());
      await polling.goto(address);
      await polling.getByRole("status").filter({ hasText: "Live (polling)" }).waitFor();
      source.record({ ...response(0.5, "E51", 888), latencyMs: 12 });
      await polling.locator('tbody tr:first-child[data-request-id$=":888"]').waitFor();
      assert.equal(await polling.getByRole("alert").isHidden(), true);
    } finally {
      await polling.close();
    }
  });

  it("says so when the server answers but cannot read its data", async () => {
    const working = source.deliveryQueue.bind(source);
    source.deliveryQueue = async () => {
      throw new Error("database is locked");
    };
    const banner = page.getByRole("alert");
    try {
      await banner.waitFor({ state: "visible" });
      assert.match((await banner.textContent()) ?? "", /cannot read its data\. database is locked\./);
      assert.equal(await textOf(page, "[role=status]"), "Degraded");
    } finally {
      source.deliveryQueue = working;
    }
    await banner.waitFor({ state: "hidden" });
    assert.equal(await textOf(page, "[role=status]"), "Live");
  });

  it("shows a banner when the server is unreachable, and recovers when it is back", async () => {
    const port = new URL(address).port;
    await app.close();
    const banner = page.getByRole("alert");
    await banner.waitFor({ state: "visible" });
    const said = (await banner.textContent()) ?? "";
    assert.match(said, /Server unreachable\. Retrying in \d+ s \(attempt \d+\)/);
    assert.equal(await textOf(page, "[role=status]"), "Unreachable");
    assert.equal(await page.title(), "meterway · unreachable");
    // The figures stay on screen, marked stale.
    assert.equal(await textOf(page, "[data-field=premises]"), "1,234");
    assert.equal(await page.locator("body.is-stale").count(), 1);

    [app, address] = await serve(source, dist, Number(port));
    await banner.getByRole("button", { name: "Retry now" }).click();
    await banner.waitFor({ state: "hidden" });
    await page.locator(".state-live").waitFor();
    assert.equal(await page.locator("body.is-stale").count(), 0);
  });

  it("refuses a wrong token at the login form", async () => {
    const login = await context.newPage();
    try {
      await login.goto(`${address}/login`);
      await login.getByLabel("Operator token").fill("not-the-operator-token");
      await login.getByRole("button", { name: "Log in" }).click();
      await login.getByRole("alert").filter({ hasText: "not the operator token" }).waitFor();
      assert.equal(new URL(login.url()).pathname, "/login");
    } finally {
      await login.close();
    }
  });

  it("goes to the login form when the session ends, and back by the printed login link", async () => {
    // Polling, so that the next request after the session ends is the page's own.
    const polling = await context.newPage();
    try {
      await polling.route("**/api/v1/dashboard/events", (route) => route.abort());
      await polling.goto(address);
      await polling.getByRole("status").filter({ hasText: "Live (polling)" }).waitFor();
      await context.clearCookies();
      await polling.waitForURL(/\/login$/);
      await polling.getByLabel("Operator token").waitFor();
      // The link `meterway start` prints logs in at once and leads on to the dashboard.
      await polling.goto(`${address}/login?token=${TOKEN}`);
      await polling.waitForURL(/\/$/);
      await polling.getByRole("status").filter({ hasText: "Live" }).waitFor();
    } finally {
      await polling.close();
    }
  });
});
