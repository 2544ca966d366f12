/**
 * Nothing acknowledged is lost: a DCC that stops after the I99 (the dispatch job lost with its
 * in-process bus) resumes the request from the store when it starts again; a request that was on
 * the WAN when it stopped ends with a recorded E21, delivered to the user.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MemoryBus } from "../../src/bus/memory.js";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { ESME1, type RtdsDcc, SIGNERS, signedReadRegisters, startRtdsDcc } from "./rtds-dcc.js";

describe("restart recovery", () => {
  let dcc: RtdsDcc;
  let receiver: ResponseReceiver;
  const supplier = SIGNERS.supplier;

  before(async () => {
    dcc = await startRtdsDcc({ startPipeline: false });
    receiver = await ResponseReceiver.start();
    const record = await dcc.store.users.get(supplier.eui);
    await dcc.store.users.put({ ...record!, receiveResponseUrl: receiver.url });
  });
  after(async () => {
    await dcc.close();
    await receiver.close();
  });

  it("resumes acknowledged requests and fails, with E21, those caught on the WAN", async () => {
    // The first run: two requests acknowledged; nothing consumes the dispatch jobs (it "dies").
    for (const counter of [9000n, 9001n]) {
      const ack = await dcc.pipeline.submit("serviceS", signedReadRegisters(supplier, ESME1, counter));
      assert.equal(ack.responseCode, "I99");
    }
    const onWan = await dcc.store.requests.byCorrelation(`${supplier.eui}:9001`);
    assert.ok(await dcc.store.requests.transition(onWan!.id, ["acknowledged"], "sent", dcc.clock.now()));

    // The second run: a fresh bus and pipeline over the same store.
    const bus = new MemoryBus();
    const restarted = dcc.makePipeline(bus);
    assert.deepEqual(await restarted.start(), { resumed: 1, failed: 1, answered: 0 });
    await bus.drain();
    await dcc.delivery.idle();

    const codes = new Map<bigint, string>();
    for (let i = 0; i < 2; i++) {
      const response = parseResponse(parseXml((await receiver.next()).body).root);
      codes.set(response.header.requestId!.counter, response.header.responseCode);
    }
    assert.deepEqual(Object.fromEntries(codes), { "9000": "I0", "9001": "E21" });
    const failed = await dcc.store.requests.get(onWan!.id);
    assert.equal(failed?.state, "failed");
    assert.match(failed?.error ?? "", /restarted/);
    restarted.stop();
    await bus.close();
  });
});
