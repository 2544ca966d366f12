/**
 * Serves the built dashboard with demo data and takes screenshots of it, light and dark:
 *   npx tsx test/web/support/preview.ts [outDir]      (needs web/dist and /usr/bin/chromium)
 * For looking at the page while working on it; nothing here is asserted.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Fastify from "fastify";
import { chromium } from "playwright-core";
import { dashboardPlugin } from "../../../src/server/dashboard.js";
import { MemoryDashboardSource } from "../../../src/server/dashboard-memory-source.js";
import { demoInstance, demoResponse, fillDemo, Random } from "./demo-data.js";

const out = resolve(process.argv[2] ?? tmpdir());
const random = new Random(7);
const source = new MemoryDashboardSource({ instance: demoInstance(new Date()) });
fillDemo(source, new Date(), random);
const app = Fastify();
await app.register(dashboardPlugin, { source, staticDir: resolve("web/dist"), pushIntervalMs: 1000 });
const address = await app.listen({ host: "127.0.0.1", port: 0 });
let counter = 9_000_000;
const live = setInterval(() => {
  for (let i = 0; i < 40; i++)
    source.record(demoResponse(new Date(), counter++, random.next() < 0.5 ? "I99" : "I0", random));
}, 1000);

const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "mw-chrome-")), {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
for (const scheme of ["light", "dark"] as const) {
  for (const width of [1440, 820]) {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 1000 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(address);
    await page.waitForSelector(".state-live");
    await page.waitForTimeout(1500);
    const file = join(out, `dashboard-${scheme}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(file);
    await page.close();
  }
}
// A viewport-sized one, small enough for the docs.
{
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1200, height: 860 });
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(address);
  await page.waitForSelector(".state-live");
  await page.waitForTimeout(1500);
  const file = join(out, "dashboard-1200.png");
  await page.screenshot({ path: file });
  console.log(file);
  await page.close();
}

// The same page once the server has gone away.
const page = await browser.newPage();
await page.setViewportSize({ width: 1280, height: 720 });
await page.goto(address);
await page.waitForSelector(".state-live");
clearInterval(live);
await app.close();
await page.waitForSelector(".banner:not([hidden])");
await page.waitForTimeout(300);
const file = join(out, "dashboard-unreachable.png");
await page.screenshot({ path: file });
console.log(file);
await browser.close();
