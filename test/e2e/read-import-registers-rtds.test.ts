/**
 * SRV 4.1.1 end to end with the RTDS and DCC Boxed test identities: a DUIS request signed with the
 * DCC Boxed supplier key goes in through the web service, the RTDS ESME (simulated, with its RTDS
 * key) answers the MACed ECS17b, and the signed I0 reaches the supplier's endpoint over HTTP.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { readImportRegisters } from "../../src/cli/request-decode.js";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { reference } from "../support/reference.js";
import {
  DCC_SIGNER,
  ESME1,
  ESME2,
  type RtdsDcc,
  SIGNERS,
  type Signer,
  signedReadRegisters,
  startRtdsDcc,
} from "./rtds-dcc.js";

/** Reads a signed DUIS response, checking the DCC's signature over it. */
function dccResponse(xml: string) {
  const verified = verifyDuis(xml, { lookupCertificate: () => DCC_SIGNER.certificate });
  assert.ok(verified.valid, verified.valid ? "" : `${verified.reason}: ${verified.detail}`);
  return parseResponse(parseXml(xml).root);
}

describe("4.1.1 Read Instantaneous Import Registers, RTDS identities", () => {
  let dcc: RtdsDcc;
  let receiver: ResponseReceiver;

  before(async () => {
    dcc = await startRtdsDcc();
    receiver = await ResponseReceiver.start();
    for (const signer of Object.values(SIGNERS)) {
      const record = await dcc.store.users.get(signer.eui);
      await dcc.store.users.put({ ...record!, receiveResponseUrl: receiver.url });
    }
  });
  after(async () => {
    await dcc.close();
    await receiver.close();
  });

  async function post(xml: string, service = "serviceS") {
    return dcc.app.inject({
      method: "POST",
      url: `/api/v1/${service}`,
      headers: { "content-type": "application/xml" },
      payload: xml,
    });
  }

  async function readRegisters(signer: Signer, device: string, counter: bigint) {
    const ack = await post(signedReadRegisters(signer, device, counter));
    assert.equal(ack.statusCode, 200, ack.body);
    const acknowledgement = dccResponse(ack.body);
    assert.equal(acknowledgement.header.responseCode, "I99");
    const delivered = await receiver.next();
    assert.match(delivered.contentType ?? "", /application\/xml/);
    return dccResponse(delivered.body);
  }

  it("acknowledges with I99 and delivers a signed I0 whose GBCS payload holds the meter's registers", async () => {
    const response = await readRegisters(SIGNERS.supplier, ESME1, 5000n);
    assert.equal(response.header.responseCode, "I0");
    assert.equal(response.header.requestId?.counter, 5000n);
    assert.equal(response.header.responseId?.originator, "00-DB-12-34-56-78-90-A0");
    assert.ok(response.body.kind === "ResponseMessage" && response.body.payload?.kind === "GBCSPayload");
    const read = readImportRegisters(response.body.payload.gbcsPayload, dcc.userKeys);
    assert.ok(read.macValid);
    assert.equal(read.frame.counter, 5000n);
    assert.deepEqual(read.response, {
      outcome: "success",
      registers: dcc.fleet.esme(ESME1)!.registers(dcc.clock.now()),
    });
    const stored = await dcc.store.requests.byCorrelation(`${SIGNERS.supplier.eui}:5000`);
    assert.equal(stored?.state, "responded");
  });

  it("refuses a bad signature without a DUIS answer, and keeps serving", async () => {
    const signed = signedReadRegisters(SIGNERS.supplier, ESME1, 5001n);
    const tampered = signed.replace("<sr:ServiceReference>4.1<", "<sr:ServiceReference>4.2<");
    const refused = await post(tampered);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers["content-type"], "text/plain");
    // The counter of a refused, unauthenticated request is not consumed.
    const response = await readRegisters(SIGNERS.supplier, ESME1, 5001n);
    assert.equal(response.header.responseCode, "I0");
  });

  it("refuses a replayed counter (equal and lower) as a replay", async () => {
    const equal = await post(signedReadRegisters(SIGNERS.supplier, ESME1, 5001n));
    assert.equal(equal.statusCode, 409);
    const lower = await post(signedReadRegisters(SIGNERS.supplier, ESME1, 10n));
    assert.equal(lower.statusCode, 409);
    // The exact same bytes again (a captured request replayed):
    const once = signedReadRegisters(SIGNERS.supplier, ESME1, 5002n);
    assert.equal((await post(once)).statusCode, 200);
    assert.equal((await post(once)).statusCode, 409);
    assert.equal(dccResponse((await receiver.next()).body).header.responseCode, "I0");
  });

  it("refuses a signed request that the DUIS schema does not allow", async () => {
    const xml = signedReadRegisters(SIGNERS.supplier, ESME1, 5050n).replace(
      "<sr:ReadInstantaneousImportRegisters/>",
      "<sr:ReadInstantaneousImportRegisters><sr:Surprise/></sr:ReadInstantaneousImportRegisters>",
    );
    const refused = await post(xml);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /schema/);
  });

  it("refuses the reference's hostile and unknown-signer samples without a DUIS answer", async () => {
    const xxe = await post(readFileSync(reference("duis-samples", "signing-tool", "duis-xxe.xml"), "utf8"));
    assert.equal(xxe.statusCode, 400);
    assert.match(xxe.body, /DOCTYPE/);
    const unknown = readFileSync(
      reference("duis-samples", "duis-sign-wrap", "8.2_READ_INVENTORY_REQUEST_DUIS-unknown-serial.XML"),
      "utf8",
    );
    const refused = await post(unknown, "serviceD");
    assert.ok(
      refused.statusCode === 401 || refused.statusCode === 400,
      `${refused.statusCode} ${refused.body}`,
    );
    assert.equal(refused.headers["content-type"], "text/plain");
  });

  it("answers E19 for an unknown device", async () => {
    const ack = await post(signedReadRegisters(SIGNERS.supplier, "00DB1234567890FF", 5100n));
    assert.equal(ack.statusCode, 200);
    assert.equal(dccResponse(ack.body).header.responseCode, "E19");
  });

  it("answers E2 for a user whose role may not send 4.1.1", async () => {
    const ack = await post(signedReadRegisters(SIGNERS.otherUser, ESME1, 100n));
    assert.equal(dccResponse(ack.body).header.responseCode, "E2");
  });

  it("answers E4 for a supplier that is not the device's registered supplier", async () => {
    const ack = await post(signedReadRegisters(SIGNERS.supplier2, ESME1, 100n));
    assert.equal(dccResponse(ack.body).header.responseCode, "E4");
  });

  it("answers E13 when the request is sent to the wrong web service", async () => {
    const ack = await post(signedReadRegisters(SIGNERS.supplier, ESME1, 5200n), "serviceT");
    assert.equal(dccResponse(ack.body).header.responseCode, "E13");
  });

  it("holds a future-dated request until its date, then runs it", async () => {
    const runAt = new Date(dcc.clock.now() + 3_600_000);
    const ack = await post(signedReadRegisters(SIGNERS.supplier, ESME1, 6000n, runAt));
    assert.equal(dccResponse(ack.body).header.responseCode, "I99");
    const stored = await dcc.store.requests.byCorrelation(`${SIGNERS.supplier.eui}:6000`);
    assert.equal(stored?.executeAt, runAt.getTime());
    assert.equal(await dcc.pipeline.runScheduled(), 0, "not before its date");
    assert.equal((await dcc.store.requests.get(stored!.id))?.state, "acknowledged");
    const before = dcc.clock.t;
    dcc.clock.t = runAt.getTime();
    try {
      assert.equal(await dcc.pipeline.runScheduled(), 1);
      const response = dccResponse((await receiver.next()).body);
      assert.equal(response.header.responseCode, "I0");
      assert.equal(response.header.requestId?.counter, 6000n);
    } finally {
      dcc.clock.t = before;
    }
  });

  it("serves the registered network operator and the second premises' supplier after all that", async () => {
    const operator = await readRegisters(SIGNERS.networkOperator, ESME1, 1n);
    assert.equal(operator.header.responseCode, "I0");
    const second = await readRegisters(SIGNERS.supplier2, ESME2, 101n);
    assert.ok(second.body.kind === "ResponseMessage" && second.body.payload?.kind === "GBCSPayload");
    // Supplier 2's KA key is in the RTDS keystore too: its registers decrypt for it.
    const read = readImportRegisters(second.body.payload.gbcsPayload, dcc.userKeys);
    assert.deepEqual(read.response, {
      outcome: "success",
      registers: dcc.fleet.esme(ESME2)!.registers(dcc.clock.now()),
    });
  });
});
