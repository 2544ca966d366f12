/**
 * A device alert end to end, through the composed DCC listening on a real port (demo PKI, one
 * premises, zero-delay WAN): the demo supplier arms the ESME's supply (SRV 7.3, CV4 → CV5 over
 * HTTP); the simulated ESME answers and raises the critical alert 0x8F32 Supply Armed, which its hub
 * sends up the WAN as an unsolicited frame; the DCC checks it, routes it to the supplier (the
 * alert's recipient) and POSTs a signed DUIS DeviceAlertMessage to the supplier's receive-response
 * endpoint, where it verifies with the DCC's certificate, validates against the DUIS 5.4 schema and
 * carries the ESME's signed GBCS alert.
 */
import assert from "node:assert/strict";
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CommandVariant } from "../../src/catalogue/index.js";
import { compose, type Dcc } from "../../src/cli/compose.js";
import {
  duisEui,
  receiveUrlPath,
  type UserIdentity,
  userApiAuthorization,
} from "../../src/cli/request-client.js";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import {
  buildRequest,
  type DuisResponse,
  newRequest,
  parseResponse,
  type RequestBody,
} from "../../src/duis/model/index.js";
import { loadSchemaValidator } from "../../src/duis/schema/load.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { signFrame, verifySignature } from "../../src/gbcs/crypto/signature.js";
import { decodeDlmsPayload, readDlmsAlert } from "../../src/gbcs/dlms/index.js";
import { decodeFrame, encodeFrame } from "../../src/gbcs/frame.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { ZERO_DELAY_MODELS } from "../../src/wan/regions.js";
import { reference } from "../support/reference.js";

describe("device alert: the simulated ESME's Supply Armed reaches the supplier's endpoint", () => {
  let dir: string;
  let dcc: Dcc;
  let base: string;
  let receiver: ResponseReceiver;
  let dccCertificate: X509Certificate;
  let supplier: UserIdentity & { gbcsDs: KeyObject };
  const now = () => Date.UTC(2026, 10, 28, 9, 30);
  const plan = premisesPlan(0);
  const schema = loadSchemaValidator(reference("duis-schema"));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-alert-e2e-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0, host: "127.0.0.1" }), {
      now,
      wan: { models: ZERO_DELAY_MODELS },
    });
    base = await dcc.listen();
    dccCertificate = new X509Certificate(readFileSync(dcc.pki.xmlSigning!.certificatePath));
    receiver = await ResponseReceiver.start();
    const privateKey = createPrivateKey(readFileSync(join(dcc.pki.dir, `${DEMO_SUPPLIER.eui}-ds.key`)));
    supplier = {
      eui: DEMO_SUPPLIER.eui,
      privateKey,
      certificate: new X509Certificate(readFileSync(join(dcc.pki.dir, `${DEMO_SUPPLIER.eui}-ds.pem`))),
      gbcsDs: privateKey, // the demo users sign DUIS and GBCS with one DS key pair
    };
    const path = receiveUrlPath(DEMO_SUPPLIER.eui);
    const body = JSON.stringify({ url: receiver.url });
    const put = await fetch(`${base}${path}`, {
      method: "PUT",
      headers: {
        "content-type": "application/json",
        authorization: userApiAuthorization(supplier, "PUT", path, body, new Date(now())),
      },
      body,
    });
    assert.equal(put.status, 200, await put.text());
  });
  after(async () => {
    await dcc?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The next POST to the supplier's endpoint; fails, rather than hangs, when none comes. */
  async function next() {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("nothing POSTed to the supplier within 10 s")), 10_000);
    });
    try {
      return await Promise.race([receiver.next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function check(xml: string): DuisResponse {
    const verified = verifyDuis(xml, { lookupCertificate: () => dccCertificate });
    assert.ok(verified.valid, verified.valid ? "" : `${verified.reason}: ${verified.detail}`);
    const doc = parseXml(xml);
    const valid = schema.validate(doc);
    assert.ok(valid.valid, valid.valid ? "" : JSON.stringify(valid.errors.slice(0, 3)));
    return parseResponse(doc.root);
  }

  async function post(
    service: "serviceS" | "serviceT",
    cv: CommandVariant,
    counter: bigint,
    body: RequestBody,
  ) {
    const request = newRequest(
      {
        requestId: { originator: duisEui(supplier.eui), target: duisEui(plan.esme), counter },
        commandVariant: cv,
        serviceReference: "7.3",
        serviceReferenceVariant: "7.3",
      },
      body,
    );
    const xml = signDuis(buildRequest(request), {
      privateKey: supplier.privateKey,
      certificate: supplier.certificate,
    });
    const r = await fetch(`${base}/api/v1/${service}`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: xml,
    });
    const text = await r.text();
    assert.equal(r.status, 200, text);
    return check(text);
  }

  it("arms the supply and delivers the ESME's signed 0x8F32 alert as a DUIS Device Alert", async () => {
    const counter = 7000n;
    const armSupply: RequestBody = {
      kind: "generic",
      element: { name: "ArmSupply", attributes: [], children: [] },
    };
    const pre = await post("serviceT", 4, counter, armSupply);
    assert.ok(pre.body.kind === "ResponseMessage" && pre.body.payload?.kind === "PreCommand");
    const signed = encodeFrame(signFrame(decodeFrame(pre.body.payload.gbcsPayload), supplier.gbcsDs));
    const ack = await post("serviceS", 5, counter, { kind: "SignedPreCommand", gbcsPayload: signed });
    assert.equal(ack.header.responseCode, "I99");

    // Two asynchronous messages: the ESME's response (I0) and its alert, in either order.
    const messages = [check((await next()).body), check((await next()).body)];
    const response = messages.find((m) => m.body.kind === "ResponseMessage");
    const alert = messages.find((m) => m.body.kind === "DeviceAlertMessage");
    assert.ok(
      response !== undefined && alert !== undefined,
      JSON.stringify(messages.map((m) => m.body.kind)),
    );
    assert.equal(response.header.responseCode, "I0");
    assert.equal(response.header.requestId?.counter, counter);

    assert.equal(alert.header.responseCode, "I0");
    assert.equal(alert.header.requestId, undefined);
    assert.ok(alert.body.kind === "DeviceAlertMessage");
    assert.equal(alert.body.alertCode, 0x8f32);
    const gbcs = decodeFrame(alert.body.gbcsPayload);
    assert.equal(gbcs.cra, 3);
    assert.equal(gbcs.originator, plan.esme.toUpperCase());
    assert.equal(gbcs.recipient, DEMO_SUPPLIER.eui.toUpperCase());
    assert.equal(gbcs.messageCode, 0x1000, "a Generic Critical Alert");
    assert.equal(readDlmsAlert(decodeDlmsPayload(gbcs.content)).alertCode, 0x8f32);
    const esmeDs = KeyStore.fromDirectory(dcc.pki.dir).publicKey(plan.esme, "ds");
    assert.ok(esmeDs !== undefined);
    assert.equal(verifySignature(gbcs, esmeDs), true, "signed by the ESME");
    assert.deepEqual(alert.header.responseId, {
      originator: duisEui(plan.esme),
      target: duisEui(DEMO_SUPPLIER.eui),
      counter: gbcs.counter,
    });

    const audited = (await dcc.store.audit.list()).filter((a) => a.kind.startsWith("alert."));
    assert.deepEqual(
      audited.map((a) => a.kind),
      ["alert.routed"],
    );
    const metrics = await (
      await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${dcc.operator.token}` } })
    ).text();
    assert.match(metrics, /meterway_alerts_total\{code="8F32"\} 1/);
  });
});
