/**
 * Per-device order end to end: 120 signed 4.1.1 requests to ONE ESME, submitted at once to the
 * composed DCC, over the in-process WAN with its modelled delays (North: log-normal legs, so frames
 * overtake each other) scaled down a hundredfold and loss set to none, so that the only way a
 * request can fail is the device dropping a counter below one it already took. Every request must
 * end I0, answered in counter order, and the supplier receives every signed I0.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { parseRequestId } from "../../src/duis/model/index.js";
import type { CspRegion } from "../../src/store/types.js";
import { DEFAULT_REGION_MODELS, type RegionModel } from "../../src/wan/regions.js";
import {
  checkSignedResponse,
  postReadImportRegisters,
  registerReceiveUrl,
  userIdentity,
} from "../support/composed-dcc.js";

const REQUESTS = 120;

/** The modelled regions with their delays and spread, without loss. */
const LOSSLESS = Object.fromEntries(
  Object.entries(DEFAULT_REGION_MODELS).map(([region, model]) => [region, { ...model, loss: 0 }]),
) as Record<CspRegion, RegionModel>;

describe("per-device order through the composed DCC (one ESME, real WAN delays)", () => {
  let dir: string;
  let dcc: Dcc;
  let receiver: ResponseReceiver;
  const now = () => Date.UTC(2026, 10, 28, 9, 30);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-order-e2e-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0 }), {
      now,
      wan: { models: LOSSLESS, timeScale: 0.01 },
    });
    receiver = await ResponseReceiver.start();
  });
  after(async () => {
    await dcc?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`answers ${REQUESTS} requests to one device all I0, in counter order`, async () => {
    const plan = premisesPlan(0);
    assert.equal(plan.region, "North", "the slowest, most spread region");
    const supplier = userIdentity(dcc, DEMO_SUPPLIER.eui);
    await registerReceiveUrl(dcc, supplier, receiver.url, now());
    const ended: { counter: bigint; code: string | null }[] = [];
    const watch = dcc.bus.subscribe("request.state", (event) => {
      if (event.state === "responded" || event.state === "failed") {
        ended.push({ counter: parseRequestId(event.requestId).counter, code: event.responseCode });
      }
    });

    const counters = Array.from({ length: REQUESTS }, (_, i) => 2000n + BigInt(i));
    // In counter order, without waiting for one another's I99: they are all in the DCC before the
    // first reaches the meter.
    const acks = await Promise.all(counters.map((c) => postReadImportRegisters(dcc, supplier, plan.esme, c)));
    for (const ack of acks) {
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal(checkSignedResponse(dcc, ack.body).header.responseCode, "I99");
    }

    const delivered: { counter: bigint; code: string }[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const response = checkSignedResponse(dcc, (await receiver.next()).body);
      delivered.push({ counter: response.header.requestId!.counter, code: response.header.responseCode });
    }
    watch.unsubscribe();

    assert.deepEqual(
      delivered.filter((d) => d.code !== "I0"),
      [],
      "every request I0 (none E21 for a counter the device had passed)",
    );
    assert.deepEqual(
      ended.map((e) => e.counter),
      counters,
      "answered in counter order",
    );
    assert.deepEqual(
      delivered.map((d) => d.counter).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      counters,
    );
    assert.deepEqual(await dcc.store.requests.counts(), { responded: REQUESTS });
  });
});
