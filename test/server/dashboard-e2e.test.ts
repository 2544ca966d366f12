/**
 * The dashboard's store-backed source over a whole DCC (the e2e harness: real pipeline, store, bus,
 * simulated RTDS ESME, delivery over HTTP): a signed 4.1.1 request goes in through the DUIS web
 * service, and its I99 and I0 show up in the dashboard's JSON with the device and the SRV.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { dashboardPlugin } from "../../src/server/dashboard.js";
import type { ResponsesJson, SummaryJson } from "../../src/server/dashboard-api.js";
import { StoreDashboardSource } from "../../src/server/dashboard-store-source.js";
import { ESME1, type RtdsDcc, SIGNERS, signedReadRegisters, startRtdsDcc } from "../e2e/rtds-dcc.js";

describe("dashboard over a whole DCC", () => {
  let dcc: RtdsDcc;
  let receiver: ResponseReceiver;
  let source: StoreDashboardSource;

  before(async () => {
    dcc = await startRtdsDcc();
    receiver = await ResponseReceiver.start();
    for (const signer of Object.values(SIGNERS)) {
      const record = await dcc.store.users.get(signer.eui);
      await dcc.store.users.put({ ...record!, receiveResponseUrl: receiver.url });
    }
    source = new StoreDashboardSource({
      store: dcc.store,
      bus: dcc.bus,
      instance: {
        name: "meterway",
        version: "0.1.0",
        mode: "embedded",
        startedAt: new Date(dcc.clock.now()),
      },
      now: dcc.clock.now,
    });
  });

  after(async () => {
    source?.close();
    await dcc?.close();
    await receiver?.close();
  });

  it("shows a request's acknowledgement and response, with its device, SRV and the fleet", async () => {
    const ack = await dcc.app.inject({
      method: "POST",
      url: "/api/v1/serviceS",
      headers: { "content-type": "application/xml" },
      payload: signedReadRegisters(SIGNERS.supplier, ESME1, 7000n),
    });
    assert.equal(ack.statusCode, 200, ack.body);
    await receiver.next();
    await dcc.bus.drain();
    await source.settled();

    // The harness's app is built already: the dashboard goes on an app of its own over the same source.
    const app = Fastify();
    await app.register(dashboardPlugin, {
      source,
      staticDir: dcc.dir,
      clock: () => new Date(dcc.clock.now() + 5_000),
    });
    after(() => app.close());

    const latest = (await app.inject("/api/v1/dashboard/responses?limit=5")).json<ResponsesJson>();
    const mine = latest.responses.filter((r) => r.requestId.endsWith(":7000"));
    assert.deepEqual(
      mine.map((r) => [r.responseCode, r.srv, r.deviceId]),
      [
        ["I0", "4.1.1", "00-DB-12-34-56-78-90-A0"],
        ["I99", "4.1.1", "00-DB-12-34-56-78-90-A0"],
      ],
    );
    assert.ok(mine.every((r) => typeof r.latencyMs === "number" && r.latencyMs >= 0));

    const summary = (await app.inject("/api/v1/dashboard/summary")).json<SummaryJson>();
    assert.equal(summary.instance.premises, 2, "two Communications Hubs in the harness");
    assert.ok(summary.devices.total >= 4);
    const codes = Object.fromEntries(
      summary.requests.series.map((s) => [s.code, s.counts.reduce((a, b) => a + b, 0)]),
    );
    assert.equal(codes.I0, 1);
    assert.equal(codes.I99, 1);
    assert.equal(summary.latency.count, 1);
  });
});
