/**
 * SRV 4.1.1 end to end on the NATS JetStream bus (`--bus nats://…`): the composed DCC as in
 * read-import-registers.test.ts, its jobs (request dispatch, unsolicited WAN frames) carried by work-queue
 * streams of the local NATS server under a fresh prefix. The signed request is acknowledged (I99),
 * the ESME's answer is delivered to the supplier's receive URL as a signed I0 with the simulated
 * meter's registers, `/healthz` reports the bus, and after a restart on the same streams the DCC
 * answers again.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { natsQueueNames } from "../../src/bus/nats.js";
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
import { type TestNats, testNats } from "../support/nats.js";

const found = await testNats("4.1.1 through the composed DCC on NATS");

if (found !== undefined) {
  const nats: TestNats = found;
  describe("4.1.1 through the composed DCC on the NATS bus (2 premises)", () => {
    let dir: string;
    let config: MeterwayConfig;
    let dcc: Dcc;
    let receiver: ResponseReceiver;
    const prefix = nats.prefix();
    const clock = { t: Date.UTC(2026, 10, 28, 9, 30) };
    const now = () => clock.t;

    /** Jobs the queue's durable consumer has handed out so far, over every run. */
    async function delivered(queue: "request.dispatch"): Promise<number> {
      const names = natsQueueNames(prefix, queue);
      return (await nats.jsm.consumers.info(names.stream, names.durable)).delivered.stream_seq;
    }

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "meterway-nats-e2e-"));
      config = resolveConfig({
        dataDir: dir,
        premises: 2,
        port: 0,
        bus: `${nats.url}?prefix=${prefix}`,
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

    it("says on the dashboard that it runs in cluster mode", async () => {
      const summary = await dcc.app.inject({
        method: "GET",
        url: "/api/v1/dashboard/summary",
        headers: { authorization: `Bearer ${dcc.operator.token}` },
      });
      assert.equal(summary.statusCode, 200);
      assert.equal((JSON.parse(summary.body) as { instance: { mode: string } }).instance.mode, "cluster");
    });

    it("acknowledges and delivers the ESME's signed I0, its jobs carried by JetStream", async () => {
      assert.equal(dcc.bus.kind, "nats");
      const health = await dcc.app.inject({ method: "GET", url: "/healthz" });
      assert.deepEqual(health.json(), { status: "ok", checks: { store: "ok", bus: "ok" } });
      const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
      await registerReceiveUrl(dcc, supplier, receiver.url, now());

      const esme = premisesPlan(0).esme;
      const ack = await postReadImportRegisters(dcc, supplier, esme, 1000n);
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal(checkSignedResponse(dcc, ack.body).header.responseCode, "I99");
      assertEsmeReading(dcc, checkSignedResponse(dcc, (await receiver.next()).body), esme, 1000n, now());
      assert.ok((await delivered("request.dispatch")) >= 1, "the dispatch went through the stream");
    });

    it("restarts on the same streams and answers again", async () => {
      await dcc.close();
      dcc = await compose(config, { now });
      assert.equal(dcc.firstRun, false);
      const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
      const esme = premisesPlan(1).esme;
      const ack = await postReadImportRegisters(dcc, supplier, esme, 1001n);
      assert.equal(checkSignedResponse(dcc, ack.body).header.responseCode, "I99");
      assert.equal(checkSignedResponse(dcc, (await receiver.next()).body).header.responseCode, "I0");
    });
  });
}
