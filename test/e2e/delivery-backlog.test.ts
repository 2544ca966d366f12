/**
 * The per-user delivery cap through the composed DCC: a pull-only supplier whose undelivered
 * responses reach `--max-pending-per-user` has its new requests refused at intake (HTTP 429,
 * `backlogFull`, the counter not used), and is served again once it takes them with the pull API.
 * The operator sees the backlog with the admin API, behind the configured token.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { type UserIdentity, userApiAuthorization } from "../../src/cli/request-client.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { ZERO_DELAY_MODELS } from "../../src/wan/regions.js";
import { checkSignedResponse, postReadImportRegisters, userIdentity } from "../support/composed-dcc.js";

describe("delivery backlog cap through the composed DCC", () => {
  let dir: string;
  let dcc: Dcc;
  let supplier: UserIdentity;
  const now = () => Date.UTC(2026, 11, 7, 12);
  const esme = premisesPlan(0).esme;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-backlog-"));
    dcc = await compose(
      resolveConfig({
        dataDir: dir,
        premises: 1,
        port: 0,
        host: "127.0.0.1",
        maxPendingPerUser: 2,
      }),
      { now, wan: { models: ZERO_DELAY_MODELS } },
    );
    supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
  });
  after(async () => {
    await dcc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function pendingReaches(n: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await dcc.store.outbox.countPending(DEMO_SUPPLIER.eui, 100)) >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.fail(`the supplier's queue did not reach ${n}`);
  }

  async function pull(ack: readonly string[]): Promise<string[]> {
    const path = `/api/v1/responses${ack.length === 0 ? "" : `?ack=${ack.join(",")}`}`;
    const r = await dcc.app.inject({
      method: "GET",
      url: path,
      headers: { authorization: userApiAuthorization(supplier, "GET", path, "", new Date(now())) },
    });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as { responses: { id: string }[] }).responses.map((e) => e.id);
  }

  it("refuses new requests while the queue is at the cap, and accepts them once it is taken", async () => {
    assert.equal((await dcc.store.users.get(DEMO_SUPPLIER.eui))?.receiveResponseUrl, null, "pull only");
    for (const counter of [1000n, 1001n]) {
      const ack = await postReadImportRegisters(dcc, supplier, esme, counter);
      assert.equal(checkSignedResponse(dcc, ack.body).header.responseCode, "I99");
    }
    await pendingReaches(2);

    const refused = await postReadImportRegisters(dcc, supplier, esme, 1002n);
    assert.equal(refused.statusCode, 429, refused.body);
    assert.match(refused.body, /too many responses and alerts are waiting/);
    const audit = await dcc.store.audit.list({ limit: 10_000 });
    assert.ok(
      audit.some((a) => a.kind === "request.refused" && JSON.stringify(a.detail).includes("backlogFull")),
    );

    // The operator sees the backlog with the admin API (the configured bearer token only).
    const adminPath = `/api/v1/admin/users/${DEMO_SUPPLIER.eui}`;
    assert.equal((await dcc.app.inject({ method: "GET", url: adminPath })).statusCode, 401);
    const seen = await dcc.app.inject({
      method: "GET",
      url: adminPath,
      headers: { authorization: `Bearer ${dcc.operator.token}` },
    });
    assert.equal(seen.statusCode, 200, seen.body);
    assert.equal(seen.json().pendingDeliveries, 2);

    await pull(await pull([]));
    assert.equal(await dcc.store.outbox.countPending(DEMO_SUPPLIER.eui, 100), 0);
    // The refused request's counter was not used: the same request goes through now.
    const again = await postReadImportRegisters(dcc, supplier, esme, 1002n);
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(checkSignedResponse(dcc, again.body).header.responseCode, "I99");
  });
});
