/**
 * Command Variant 2 (a command returned for local delivery): the RTDS 4.1.1 CV2 template, signed
 * with the DCC Boxed supplier key and sent to serviceD, is answered at once with an I0 whose
 * LocalCommand is the RTDS ECS17b COMMAND, byte for byte; nothing goes on the WAN. Command Variant 3
 * (sent and returned): the same request as CV3 to serviceS is acknowledged (I99); the user receives
 * the command for local delivery as an asynchronous I0, and the meter's response after it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { reference } from "../support/reference.js";
import { DCC_SIGNER, ESME1, type RtdsDcc, SIGNERS, signedReadRegisters, startRtdsDcc } from "./rtds-dcc.js";

describe("4.1.1 CV2: command returned for local delivery", () => {
  let dcc: RtdsDcc;
  before(async () => {
    dcc = await startRtdsDcc();
  });
  after(() => dcc.close());

  it("returns the RTDS ECS17b command byte for byte, and sends nothing", async () => {
    const template = readFileSync(reference("rtds-4.9.1-duis", "ECS17b_4.1.1_REQUEST_DUIS.XML"), "utf8");
    const signed = signDuis(template, {
      privateKey: SIGNERS.supplier.privateKey,
      certificate: SIGNERS.supplier.certificate,
    });
    const answer = await dcc.app.inject({
      method: "POST",
      url: "/api/v1/serviceD",
      headers: { "content-type": "application/xml" },
      payload: signed,
    });
    assert.equal(answer.statusCode, 200, answer.body);
    assert.ok(verifyDuis(answer.body, { lookupCertificate: () => DCC_SIGNER.certificate }).valid);
    const response = parseResponse(parseXml(answer.body).root);
    assert.equal(response.header.responseCode, "I0");
    assert.ok(response.body.kind === "ResponseMessage" && response.body.payload?.kind === "LocalCommand");
    const expected = readFileSync(
      reference("rtds-4.5.0-gbcs", "4.1.1_ECS17b", "ECS17b_4.1.1_SINGLE_SUCCESS_COMMAND_GBCS.HEX"),
      "utf8",
    );
    assert.equal(toHex(response.body.payload.gbcsPayload), toHex(fromHex(expected.trim())));
    const stored = await dcc.store.requests.byRequestId(
      "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000",
    );
    assert.deepEqual(
      stored.map((r) => [r.state, r.responseCode, r.correlation]),
      [["responded", "I0", null]],
    );
    assert.equal(dcc.fleet.hub("00db1234567890a4")?.stats.relayed, 0);

    // A CV2 request sent to serviceS is on the wrong web service.
    const signedAgain = signDuis(template.replace(":1000</sr:RequestID>", ":1001</sr:RequestID>"), {
      privateKey: SIGNERS.supplier.privateKey,
      certificate: SIGNERS.supplier.certificate,
    });
    const wrongService = await dcc.app.inject({
      method: "POST",
      url: "/api/v1/serviceS",
      headers: { "content-type": "application/xml" },
      payload: signedAgain,
    });
    assert.equal(parseResponse(parseXml(wrongService.body).root).header.responseCode, "E13");
  });

  it("CV3: acknowledges, returns the command as an asynchronous I0 and sends it: the meter's answer follows", async () => {
    const receiver = await ResponseReceiver.start();
    try {
      const record = await dcc.store.users.get(SIGNERS.supplier.eui);
      await dcc.store.users.put({ ...record!, receiveResponseUrl: receiver.url });
      const cv1 = signedReadRegisters(SIGNERS.supplier, ESME1, 5000n);
      const unsigned = cv1
        .replace("<sr:CommandVariant>1</sr:CommandVariant>", "<sr:CommandVariant>3</sr:CommandVariant>")
        .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
      const signed = signDuis(unsigned, {
        privateKey: SIGNERS.supplier.privateKey,
        certificate: SIGNERS.supplier.certificate,
      });
      const answer = await dcc.app.inject({
        method: "POST",
        url: "/api/v1/serviceS",
        headers: { "content-type": "application/xml" },
        payload: signed,
      });
      assert.equal(parseResponse(parseXml(answer.body).root).header.responseCode, "I99", answer.body);
      const copy = parseResponse(parseXml((await receiver.next()).body).root);
      assert.equal(copy.header.responseCode, "I0");
      assert.ok(copy.body.kind === "ResponseMessage" && copy.body.payload?.kind === "LocalCommand");
      const [stored] = await dcc.store.requests.byRequestId(
        `90-B3-D5-1F-30-01-00-00:${ESME1.toUpperCase().match(/../g)!.join("-")}:5000`,
      );
      assert.equal(toHex(copy.body.payload.gbcsPayload), toHex(stored!.gbcsCommand!));
      const meter = parseResponse(parseXml((await receiver.next()).body).root);
      assert.equal(meter.header.responseCode, "I0");
      assert.ok(meter.body.kind === "ResponseMessage" && meter.body.payload?.kind === "GBCSPayload");
    } finally {
      await receiver.close();
    }
  });
});
