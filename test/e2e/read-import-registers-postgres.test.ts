/**
 * SRV 4.1.1 end to end on the PostgreSQL store (`--store postgres://…`): the composed DCC as in
 * read-import-registers.test.ts, its state in a fresh schema of the local server. The signed request
 * is acknowledged (I99), the ESME's answer is delivered to the supplier's receive URL as a signed I0
 * with the simulated meter's registers, the request's lifecycle is in PostgreSQL, and after a restart
 * on the same database the DCC is not new and still refuses the used counter.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { type MeterwayConfig, resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import {
  assertEsmeReading,
  checkSignedResponse,
  postReadImportRegisters,
  registerReceiveUrl,
  userIdentity,
} from "../support/composed-dcc.js";
import { testPostgres } from "../support/postgres.js";

const server = await testPostgres("4.1.1 through the composed DCC on PostgreSQL");

if (server !== undefined) {
  describe("4.1.1 through the composed DCC on PostgreSQL (2 premises)", () => {
    let dir: string;
    let config: MeterwayConfig;
    let dcc: Dcc;
    let receiver: ResponseReceiver;
    const clock = { t: Date.UTC(2026, 10, 28, 9, 30) };
    const now = () => clock.t;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "meterway-postgres-e2e-"));
      config = resolveConfig({
        dataDir: dir,
        premises: 2,
        port: 0,
        store: server.urlFor(await server.schema()),
        // Cluster mode refuses both by default; this test's user registers a loopback receiver.
        receiveUrlAllow: ["loopback"],
        usersSetReceiveUrl: true,
      });
      dcc = await compose(config, { now });
      receiver = await ResponseReceiver.start();
    });
    after(async () => {
      await dcc?.close();
      await receiver?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("acknowledges, delivers the ESME's signed I0 and keeps the lifecycle in PostgreSQL", async () => {
      assert.equal(dcc.store.kind, "postgres");
      assert.equal(dcc.firstRun, true);
      const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
      await registerReceiveUrl(dcc, supplier, receiver.url, now());

      const esme = premisesPlan(0).esme;
      const ack = await postReadImportRegisters(dcc, supplier, esme, 1000n);
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal(checkSignedResponse(dcc, ack.body).header.responseCode, "I99");
      assertEsmeReading(dcc, checkSignedResponse(dcc, (await receiver.next()).body), esme, 1000n, now());

      assert.equal(await dcc.store.counters.get(DEMO_SUPPLIER.eui), 1000n);
      const record = (await dcc.store.requests.inState("responded")).find((r) => r.counter === 1000n);
      assert.equal(record?.state, "responded");
      assert.equal(record?.counter, 1000n);
      assert.ok((record?.gbcsCommand?.length ?? 0) > 0 && (record?.gbcsResponse?.length ?? 0) > 0);
    });

    it("restarts on the same database: not a first run, the used counter still refused", async () => {
      await dcc.close();
      dcc = await compose(config, { now });
      assert.equal(dcc.firstRun, false);
      assert.equal((await dcc.store.devices.counts()).reduce((n, c) => n + c.count, 0) > 0, true);
      const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
      const esme = premisesPlan(1).esme;
      assert.equal((await postReadImportRegisters(dcc, supplier, esme, 1000n)).statusCode, 409);
      const ack = await postReadImportRegisters(dcc, supplier, esme, 1001n);
      assert.equal(checkSignedResponse(dcc, ack.body).header.responseCode, "I99");
      assert.equal(checkSignedResponse(dcc, (await receiver.next()).body).header.responseCode, "I0");
    });
  });
}
