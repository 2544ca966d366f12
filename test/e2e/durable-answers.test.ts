/**
 * Exactly one answer per acknowledged request when the store fails: a request's final state and its
 * response go in one transaction, so an outbox insert that fails takes the state back with it. Tried
 * again at once, the request ends with one response; failing every try, it stays on the WAN side
 * under its node's lease and the restarted node answers it (E21), once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MemoryBus } from "../../src/bus/memory.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { failingWrites } from "../support/intercepted-store.js";
import { ESME1, type RtdsDcc, SIGNERS, signedReadRegisters, startRtdsDcc } from "./rtds-dcc.js";

describe("answers when the outbox insert fails", () => {
  let dcc: RtdsDcc;
  const supplier = SIGNERS.supplier;

  before(async () => {
    dcc = await startRtdsDcc({ startPipeline: false });
  });
  after(async () => {
    await dcc.close();
  });

  /** The responses queued for the supplier (pull only: they stay in the outbox), by counter. */
  async function responses(counter: bigint): Promise<string[]> {
    const queued = await dcc.store.outbox.forUser(supplier.eui);
    return queued
      .filter((e) => e.kind === "response" && e.requestId?.endsWith(`:${counter}`))
      .map((e) => parseResponse(parseXml(e.body).root).header.responseCode);
  }

  async function submit(pipeline: ReturnType<RtdsDcc["makePipeline"]>, counter: bigint) {
    const ack = await pipeline.submit("serviceS", signedReadRegisters(supplier, ESME1, counter));
    assert.equal(ack.responseCode, "I99");
    return (await dcc.store.requests.byCorrelation(`${supplier.eui}:${counter}`))!;
  }

  it("fails once: the transaction is tried again and the response is queued once", async () => {
    const bus = new MemoryBus();
    const faulty = failingWrites(dcc.store, "outbox.enqueue", 1);
    const pipeline = dcc.makePipeline(bus, faulty);
    await pipeline.start();
    const request = await submit(pipeline, 9100n);
    await bus.drain();
    assert.equal(faulty.failed(), 1, "the fault was injected");
    assert.deepEqual(await responses(9100n), ["I0"]);
    assert.equal((await dcc.store.requests.get(request.id))?.state, "responded");
    assert.equal((await dcc.store.requests.custody(request.id))?.answered, true);
    pipeline.stop();
    await bus.close();
  });

  it("fails every try: nothing half-done; the restarted node answers it with E21, once", async () => {
    const bus = new MemoryBus();
    const faulty = failingWrites(dcc.store, "outbox.enqueue", 3);
    const pipeline = dcc.makePipeline(bus, faulty);
    await pipeline.start();
    const request = await submit(pipeline, 9101n);
    await bus.drain();
    assert.equal(faulty.failed(), 3);
    // The device's answer came and was lost with the transaction: no final state, no response.
    assert.equal((await dcc.store.requests.get(request.id))?.state, "sent");
    assert.deepEqual(await responses(9101n), []);
    pipeline.stop();
    await bus.close();

    const bus2 = new MemoryBus();
    const restarted = dcc.makePipeline(bus2);
    assert.deepEqual(await restarted.start(), { resumed: 0, failed: 1, answered: 0 });
    await bus2.drain();
    assert.deepEqual(await responses(9101n), ["E21"]);
    // Started again: nothing more to do, nothing answered twice.
    assert.deepEqual(await restarted.heartbeat(), { resumed: 0, failed: 0, answered: 0 });
    assert.deepEqual(await responses(9101n), ["E21"]);
    assert.deepEqual(await responses(9100n), ["I0"]);
    restarted.stop();
    await bus2.close();
  });
});
