/**
 * Rate limits on the composed DCC over real HTTP: one user's flood is refused with 429 once its
 * signature is verified, while another user's requests still succeed; a flood of unsigned junk from
 * one address is refused with 429 before it is read, so it leaves no audit rows behind.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { readImportRegistersRequest } from "../../src/cli/request-client.js";
import { DEFAULT_LIMITS, type HttpLimitsConfig, resolveConfig } from "../../src/config/config.js";
import { DEMO_NETWORK_OPERATOR, DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { ZERO_DELAY_MODELS } from "../../src/wan/regions.js";
import { userIdentity } from "../support/composed-dcc.js";

const NOW = Date.UTC(2026, 11, 7, 12);

async function start(limits: Partial<HttpLimitsConfig>): Promise<{ dcc: Dcc; base: string }> {
  const dir = mkdtempSync(join(tmpdir(), "meterway-rate-"));
  const dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0, limits }), {
    now: () => NOW,
    wan: { models: ZERO_DELAY_MODELS },
  });
  after(async () => {
    await dcc.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dcc, base: await dcc.listen() };
}

function post(base: string, body: string): Promise<Response> {
  return fetch(`${base}/api/v1/serviceS`, {
    method: "POST",
    headers: { "content-type": "application/xml" },
    body,
  });
}

function responseCode(text: string): string | undefined {
  return /ResponseCode>([^<]+)</.exec(text)?.[1];
}

describe("rate limits on the composed DCC", () => {
  it("refuses one user's flood with 429 and Retry-After, while another user's requests succeed", async () => {
    const { dcc, base } = await start({ userRate: { ratePerSecond: 0.01, burst: 3 }, addressRate: null });
    const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
    const operator = userIdentity(dcc, DEMO_NETWORK_OPERATOR.eui);
    const { esme } = premisesPlan(0);
    // One after another: parallel requests could overtake each other's counters (409) and blur the count.
    const answers: Array<{ status: number; code: string | undefined; retryAfter: string | null }> = [];
    for (let i = 0; i < 8; i++) {
      const response = await post(base, readImportRegistersRequest(supplier, esme, 100n + BigInt(i)));
      const text = await response.text();
      answers.push({
        status: response.status,
        code: responseCode(text),
        retryAfter: response.headers.get("retry-after"),
      });
    }
    const acknowledged = answers.filter((a) => a.code === "I99");
    const limited = answers.filter((a) => a.status === 429);
    assert.equal(acknowledged.length, 3, JSON.stringify(answers));
    assert.equal(limited.length, 5, JSON.stringify(answers));
    assert.ok(limited.every((a) => Number(a.retryAfter) >= 1 && a.code === undefined));

    // The network operator's own budget is untouched by the supplier's flood.
    const other = await post(base, readImportRegistersRequest(operator, esme, 7n));
    assert.equal(other.status, 200);
    assert.equal(responseCode(await other.text()), "I99");

    // Throttled requests are counted, not audited or recorded.
    const refused = (await dcc.store.audit.list()).filter((a) => a.kind === "request.refused");
    assert.deepEqual(refused, []);
    assert.equal(dcc.metrics.rateLimited.get({ limit: "user" }), 5);
  });

  it("refuses a flood of junk POSTs from one address with 429 before reading them: no audit rows", async () => {
    const { dcc, base } = await start({
      ...DEFAULT_LIMITS,
      addressRate: { ratePerSecond: 0.01, burst: 50 },
      refusalRate: { ratePerSecond: 0.01, burst: 4 },
    });
    const before = (await dcc.store.audit.list()).length;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await post(base, `<junk n="${i}">not a DUIS request`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    const read = statuses.filter((s) => s !== 429);
    assert.deepEqual(read, [400, 400, 400, 400], "four refusals read, then the address is shut out");
    const audited = (await dcc.store.audit.list()).length - before;
    assert.equal(audited, read.length, "only what was read was audited");
    // Health checks still get through from the same address.
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });
});
