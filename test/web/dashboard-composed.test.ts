/**
 * The dashboard of a composed DCC (`compose`, as `meterway start` runs it) in chromium, fed by real
 * requests over HTTP: signed 4.1.1s that end in I0, E-code refusals (a device the DCC does not know,
 * a user that is not the meter's supplier), and refusals at the HTTP level (not XML, too large, not
 * well-formed, a changed signature, a replayed counter, then the per-address refusal limit's 429).
 * The DCC's clock steps forward through the last minutes as the traffic goes, so the chart shows a
 * history. With METERWAY_WRITE_SCREENSHOTS=1 it writes docs/dashboard.png from this page.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { readImportRegistersRequest, type UserIdentity } from "../../src/cli/request-client.js";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_OTHER_USER, DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { duisErrors } from "../../src/duis/errors.js";
import { ZERO_DELAY_MODELS } from "../../src/wan/regions.js";
import { registerReceiveUrl, userIdentity } from "../support/composed-dcc.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
const WRITE = process.env.METERWAY_WRITE_SCREENSHOTS === "1";
const PREMISES = 6;
/** The address the refused requests come from (reads come from 127.0.0.3, the page from 127.0.0.1). */
const REFUSED = "127.0.0.2";
/** How far behind real time the DCC's clock starts; it catches up step by step. */
const START_BEHIND_MS = 8 * 60_000;
const STEPS = 16;

/** A POST from a chosen local address (the page's own 127.0.0.1 stays clear of the refusal limit). */
function post(base: string, path: string, type: string, body: string, localAddress: string) {
  const url = new URL(path, base);
  return new Promise<{ status: number; body: string }>((done, fail) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress,
        headers: { "content-type": type, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

describe("dashboard of a composed DCC in chromium", { skip }, () => {
  let work: string;
  let dcc: Dcc;
  let receiver: ResponseReceiver;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let behind = START_BEHIND_MS;
  const now = () => Date.now() - behind;
  const problems: string[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "meterway-web-dcc-"));
    const dist = join(work, "dist");
    await build({
      configFile: resolve("web/vite.config.ts"),
      logLevel: "silent",
      build: { outDir: dist, emptyOutDir: true },
    });
    dcc = await compose(
      resolveConfig({
        dataDir: join(work, "data"),
        premises: PREMISES,
        port: 0,
        host: "127.0.0.1",
        // Five refusals per address, then 429s (the rate refills too slowly to matter here).
        limits: { refusalRate: { ratePerSecond: 0.0001, burst: 5 } },
      }),
      { now, staticDir: dist, wan: { models: ZERO_DELAY_MODELS } },
    );
    base = await dcc.listen();
    receiver = await ResponseReceiver.start();
    await registerReceiveUrl(dcc, userIdentity(dcc, DEMO_SUPPLIER.eui), receiver.url, now());
  });

  after(async () => {
    await context?.close();
    await dcc?.close();
    await receiver?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("shows I0s, E-codes and HTTP refusals from real traffic, each in its class's colour", async () => {
    const supplier: UserIdentity = userIdentity(dcc, DEMO_SUPPLIER.eui);
    const other: UserIdentity = userIdentity(dcc, DEMO_OTHER_USER.eui);
    const duis = (body: string, from = "127.0.0.3", type = "application/xml") =>
      post(base, "/api/v1/serviceS", type, body, from);
    let counter = 5000n;
    const answered: number[] = [];
    const refusals = [
      () => duis("meter reading, please", REFUSED, "text/plain"), // 415
      () => duis(`<x>${"y".repeat(1_100_000)}</x>`, REFUSED), // 413
      () => duis("<DUISRequest><unclosed></DUISRequest>", REFUSED), // 400
      () =>
        duis(
          readImportRegistersRequest(supplier, premisesPlan(0).esme, 1n).replace("4.1.1", "4.1.1 "),
          REFUSED,
        ), // 4xx
      () => duis(readImportRegistersRequest(supplier, premisesPlan(0).esme, 2n), REFUSED), // 409: counter not increasing
      () => duis("<x/>", REFUSED), // 429 from here on
      () => duis("<x/>", REFUSED),
    ];
    for (let step = 0; step < STEPS; step++) {
      behind = START_BEHIND_MS - (step * START_BEHIND_MS) / (STEPS - 1);
      const reads = 3 + (step % 4);
      for (let i = 0; i < reads; i++) {
        const r = await duis(
          readImportRegistersRequest(supplier, premisesPlan(i % PREMISES).esme, counter++),
        );
        answered.push(r.status);
      }
      if (step % 3 === 1) {
        // E19: no such device; E2: the other user's role may not read registers.
        await duis(readImportRegistersRequest(supplier, "00-DB-12-34-FF-FF-FF-F1", counter++));
        await duis(readImportRegistersRequest(other, premisesPlan(1).esme, BigInt(9000 + step)));
      }
      const refuse = refusals[Math.floor(step / 2) - 1];
      if (step % 2 === 0 && refuse !== undefined) answered.push((await refuse()).status);
      await new Promise((r) => setTimeout(r, 50));
    }
    behind = 0;
    // The newest rows: an unknown device's E19, a rate-limited request, and reads still answering.
    await duis(readImportRegistersRequest(supplier, "00-DB-12-34-FF-FF-FF-F1", counter++));
    answered.push((await duis("<x/>", REFUSED)).status);
    for (let i = 0; i < 3; i++) {
      answered.push(
        (await duis(readImportRegistersRequest(supplier, premisesPlan(i).esme, counter++))).status,
      );
    }
    for (let i = 0; i < 50 && receiver.received.length < answered.filter((s) => s === 200).length - 8; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(answered.includes(415) && answered.includes(413) && answered.includes(429), answered.join(","));

    context = await chromium.launchPersistentContext(join(work, "profile"), {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
      viewport: { width: 1280, height: 1000 },
      deviceScaleFactor: 1,
      colorScheme: "light",
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${base}/login?token=${dcc.operator.token}`);
    await page.locator(".state-live").waitFor();

    // An HTTP refusal is listed with the registry's reason and its own class.
    const refused = page.locator('tbody tr[data-code="HTTP 429"]').first();
    await refused.waitFor();
    assert.equal((await refused.locator("td").nth(1).textContent())?.trim(), duisErrors.rateLimited.message);
    assert.equal(await refused.locator(".code-pill.class-throttled").count(), 1);
    // The chart's legend has the codes seen, each with its meaning on hover.
    for (const code of ["I0", "I99", "HTTP 429"]) {
      await page.locator(`.code-legend li[data-code="${code}"]`).waitFor();
    }
    assert.match(
      (await page.locator('.code-legend li[data-code="HTTP 429"]').getAttribute("title")) ?? "",
      /too many requests/,
    );
    const swatch = (code: string) =>
      page
        .locator(`.code-legend li[data-code="${code}"] .swatch`)
        .evaluate((el) => getComputedStyle(el).backgroundColor);
    const colours = new Set([
      await swatch("I0"),
      await swatch("I99"),
      await swatch("other"),
      await swatch("HTTP 429"),
    ]);
    assert.equal(colours.size, 4);
    // The table lists every kind: I0s, E-codes and refusals at the HTTP level.
    const codes = await page
      .locator("tbody tr[data-code]")
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.code));
    for (const code of ["I0", "E19", "HTTP 429"])
      assert.ok(codes.includes(code), `${code} in ${codes.join(" ")}`);
    assert.deepEqual(problems, []);

    if (WRITE) {
      await page.waitForTimeout(500);
      await page.screenshot({ path: resolve("docs/dashboard.png"), fullPage: true });
    }
  });
});
