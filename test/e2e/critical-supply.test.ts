/**
 * The critical request round trip (DUIS CV4 → CV5) for SRV 7.1 Enable, 7.2 Disable and 7.3 Arm
 * Supply (ESME; 7.2 and 7.3 to the GSME too), through the composition root with the generated demo PKI, one premises and a zero-delay
 * WAN. The demo supplier sends CV4 to serviceT and gets the Pre-Command in a signed I0, signs it
 * with its GBCS DS key, sends CV5 with the same RequestID to serviceS, gets the I99, then the I0
 * with the ESME's signed response; the ESME's supply state follows. A CV5 whose Pre-Command was
 * altered, whose signature is not the supplier's, that has no CV4 before it, or that is resent, is
 * refused with the registry's answer and changes nothing.
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
import {
  ACB_EUI,
  DEMO_NETWORK_OPERATOR,
  DEMO_SUPPLIER,
  DEMO_USERS,
  premisesPlan,
} from "../../src/dcc/fleet.js";
import { duisErrors } from "../../src/duis/errors.js";
import { buildRequest, newRequest, parseResponse, type RequestBody } from "../../src/duis/model/index.js";
import { signDuis } from "../../src/duis/signature/sign.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { signFrame, verifySignature } from "../../src/gbcs/crypto/signature.js";
import { toHex } from "../../src/gbcs/cursor.js";
import { decodeDlmsPayload } from "../../src/gbcs/dlms/index.js";
import { decodeFrame, encodeFrame } from "../../src/gbcs/frame.js";
import { SimFleet } from "../../src/sim/fleet.js";
import { SimGsme } from "../../src/sim/gsme.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { ZERO_DELAY_MODELS } from "../../src/wan/regions.js";

const SUPPLY = [
  { srv: "7.2", sr: "7.2", body: "DisableSupply", messageCode: 0x0050, state: "Disabled" },
  { srv: "7.3", sr: "7.3", body: "ArmSupply", messageCode: 0x0051, state: "Armed" },
  { srv: "7.1", sr: "7.1", body: "EnableSupply", messageCode: 0x004f, state: "Enabled" },
] as const;

type Supply = (typeof SUPPLY)[number];

describe("critical supply requests (CV4 → CV5) through the composed DCC", () => {
  let dir: string;
  let dcc: Dcc;
  let receiver: ResponseReceiver;
  let dccCertificate: X509Certificate;
  let meters: SimFleet;
  let keys: KeyStore;
  const now = () => Date.UTC(2026, 10, 28, 9, 30);
  const plan = premisesPlan(0);

  function identity(eui: string): UserIdentity & { gbcsDs: KeyObject } {
    const pki = dcc.pki.dir;
    const privateKey = createPrivateKey(readFileSync(join(pki, `${eui}-ds.key`)));
    // The demo users sign DUIS and GBCS with the same DS key pair.
    return {
      eui,
      privateKey,
      certificate: new X509Certificate(readFileSync(join(pki, `${eui}-ds.pem`))),
      gbcsDs: privateKey,
    };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-critical-e2e-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 1, port: 0 }), {
      now,
      wan: { models: ZERO_DELAY_MODELS },
    });
    dccCertificate = new X509Certificate(readFileSync(dcc.pki.xmlSigning!.certificatePath));
    receiver = await ResponseReceiver.start();
    keys = KeyStore.fromDirectory(dcc.pki.dir);
    // The premises' hub, attached again from a fleet this test holds, so it can read the meter.
    meters = new SimFleet(KeyStore.fromDirectory(dcc.pki.dir), now);
    const han = [
      { eui: plan.esme, type: "ESME" },
      { eui: plan.gsme, type: "GSME" },
    ] as const;
    const remoteParties = [ACB_EUI, ...DEMO_USERS.map((u) => u.eui)];
    dcc.wan.attach(plan.chf, plan.region, meters.lazyHub({ hubEui: plan.chf, devices: han, remoteParties }));
    meters.addPremises({ hubEui: plan.chf, devices: han, remoteParties });

    const supplier = identity(DEMO_SUPPLIER.eui);
    const path = receiveUrlPath(DEMO_SUPPLIER.eui);
    const body = JSON.stringify({ url: receiver.url });
    const put = await dcc.app.inject({
      method: "PUT",
      url: path,
      headers: {
        "content-type": "application/json",
        authorization: userApiAuthorization(supplier, "PUT", path, body, new Date(now())),
      },
      payload: body,
    });
    assert.equal(put.statusCode, 200, put.body);
  });
  after(async () => {
    await dcc?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function esmeState(): string | undefined {
    return meters.esme(plan.esme)?.supplyState;
  }

  function check(xml: string) {
    const verified = verifyDuis(xml, { lookupCertificate: () => dccCertificate });
    assert.ok(verified.valid, verified.valid ? "" : `${verified.reason}: ${verified.detail}`);
    return parseResponse(parseXml(xml).root);
  }

  function request(
    user: UserIdentity,
    s: Supply,
    commandVariant: CommandVariant,
    counter: bigint,
    body: RequestBody,
    target: string = plan.esme,
  ): string {
    const duis = newRequest(
      {
        requestId: { originator: duisEui(user.eui), target: duisEui(target), counter },
        commandVariant,
        serviceReference: s.sr,
        serviceReferenceVariant: s.srv,
      },
      body,
    );
    return signDuis(buildRequest(duis), { privateKey: user.privateKey, certificate: user.certificate });
  }

  async function post(service: "serviceS" | "serviceT" | "serviceD", payload: string) {
    return dcc.app.inject({
      method: "POST",
      url: `/api/v1/${service}`,
      headers: { "content-type": "application/xml" },
      payload,
    });
  }

  /** CV4: the Pre-Command's bytes, checked against what was asked. */
  async function cv4(
    s: Supply,
    counter: bigint,
    target: string = plan.esme,
    messageCode: number = s.messageCode,
  ): Promise<Uint8Array> {
    const supplier = identity(DEMO_SUPPLIER.eui);
    const body: RequestBody = { kind: "generic", element: { name: s.body, attributes: [], children: [] } };
    const r = await post("serviceT", request(supplier, s, 4, counter, body, target));
    assert.equal(r.statusCode, 200, r.body);
    const response = check(r.body);
    assert.equal(response.header.responseCode, "I0");
    assert.ok(response.body.kind === "ResponseMessage" && response.body.payload?.kind === "PreCommand");
    const pre = response.body.payload.gbcsPayload;
    const frame = decodeFrame(pre);
    assert.equal(frame.cra, 1);
    assert.equal(frame.counter, counter);
    assert.equal(frame.originator, DEMO_SUPPLIER.eui.toUpperCase());
    assert.equal(frame.recipient, target.toUpperCase());
    assert.equal(frame.messageCode, messageCode);
    assert.equal(frame.signature, undefined, "a Pre-Command carries no signature field");
    assert.equal(frame.mac, undefined, "and no MAC");
    return pre;
  }

  function signed(pre: Uint8Array, key: KeyObject): Uint8Array {
    return encodeFrame(signFrame(decodeFrame(pre), key));
  }

  function cv5(s: Supply, counter: bigint, gbcsPayload: Uint8Array, target: string = plan.esme) {
    const supplier = identity(DEMO_SUPPLIER.eui);
    return post(
      "serviceS",
      request(supplier, s, 5, counter, { kind: "SignedPreCommand", gbcsPayload }, target),
    );
  }

  it("disables, arms and enables the ESME's supply, each answered with its signed response", async () => {
    const supplier = identity(DEMO_SUPPLIER.eui);
    assert.equal(esmeState(), "Enabled");
    let counter = 5000n;
    for (const s of SUPPLY) {
      counter += 1n;
      const pre = await cv4(s, counter);
      const signedPre = signed(pre, supplier.gbcsDs);
      assert.equal(toHex(signedPre.subarray(0, pre.length)), toHex(pre), "signing appends the signature");
      const r = await cv5(s, counter, signedPre);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(check(r.body).header.responseCode, "I99");

      const response = check((await receiver.next()).body);
      assert.equal(response.header.responseCode, "I0");
      assert.equal(response.header.requestId?.counter, counter);
      assert.ok(response.body.kind === "ResponseMessage" && response.body.payload?.kind === "GBCSPayload");
      const answer = decodeFrame(response.body.payload.gbcsPayload);
      assert.equal(answer.cra, 2);
      assert.equal(answer.counter, counter);
      assert.equal(answer.originator, plan.esme.toUpperCase());
      assert.equal(answer.messageCode, s.messageCode);
      const esmeDs = keys.publicKey(plan.esme, "ds");
      assert.ok(esmeDs);
      assert.equal(verifySignature(answer, esmeDs), true, "signed by the ESME");
      const apdu = decodeDlmsPayload(answer.content).apdu;
      assert.ok(apdu.apdu === "access-response");
      assert.deepEqual(apdu.accessResponseSpecification, [{ kind: "access-response-action", result: 0 }]);
      assert.equal(esmeState(), s.state);

      const again = await cv5(s, counter, signedPre);
      assert.equal(again.statusCode, duisErrors.counterNotIncreasing.httpStatus, "a resent CV5 is a replay");
    }
  });

  it("CV6 returns the signed, MACed command for local delivery and sends nothing; CV7 sends it and returns a copy", async () => {
    const supplier = identity(DEMO_SUPPLIER.eui);
    const disable = SUPPLY[0];
    const enable = SUPPLY[2];
    const before = esmeState();
    // CV6 to the non-device service: the command comes back at once, the meter is not touched.
    const pre6 = await cv4(disable, 5400n);
    const signed6 = signed(pre6, supplier.gbcsDs);
    const r6 = await post(
      "serviceD",
      request(supplier, disable, 6, 5400n, { kind: "SignedPreCommand", gbcsPayload: signed6 }),
    );
    assert.equal(r6.statusCode, 200, r6.body);
    const local = check(r6.body);
    assert.equal(local.header.responseCode, "I0");
    assert.ok(local.body.kind === "ResponseMessage" && local.body.payload?.kind === "LocalCommand");
    const command = decodeFrame(local.body.payload.gbcsPayload);
    assert.ok(command.mac !== undefined, "MACed by the ACB");
    assert.equal(toHex(command.signature ?? new Uint8Array(0)), toHex(decodeFrame(signed6).signature!));
    assert.equal(esmeState(), before, "nothing went on the WAN");

    // CV7: acknowledged, the copy for local delivery arrives, then the meter's answer; the state follows.
    const pre7 = await cv4(disable, 5401n);
    const signed7 = signed(pre7, supplier.gbcsDs);
    const r7 = await post(
      "serviceS",
      request(supplier, disable, 7, 5401n, { kind: "SignedPreCommand", gbcsPayload: signed7 }),
    );
    assert.equal(check(r7.body).header.responseCode, "I99", r7.body);
    const first = check((await receiver.next()).body);
    const second = check((await receiver.next()).body);
    const kinds = [first, second].map((m) =>
      m.body.kind === "ResponseMessage" ? m.body.payload?.kind : undefined,
    );
    assert.deepEqual(kinds.sort(), ["GBCSPayload", "LocalCommand"]);
    assert.equal(esmeState(), disable.state);

    // Back as it was, with CV5.
    const pre = await cv4(enable, 5402n);
    const r = await cv5(enable, 5402n, signed(pre, supplier.gbcsDs));
    assert.equal(check(r.body).header.responseCode, "I99");
    check((await receiver.next()).body);
    assert.equal(esmeState(), "Enabled");
  });

  it("disables and arms the GSME's valve (GCS32, GCS39)", async () => {
    const supplier = identity(DEMO_SUPPLIER.eui);
    const gsme = () => {
      const device = meters.device(plan.gsme);
      assert.ok(device instanceof SimGsme);
      return device.supplyState;
    };
    assert.equal(gsme(), "Enabled");
    for (const [s, messageCode, counter] of [
      [SUPPLY[0], 0x0081, 5500n],
      [SUPPLY[1], 0x0085, 5501n],
    ] as const) {
      const pre = await cv4(s, counter, plan.gsme, messageCode);
      const r = await cv5(s, counter, signed(pre, supplier.gbcsDs), plan.gsme);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(check(r.body).header.responseCode, "I99");
      const response = check((await receiver.next()).body);
      assert.equal(response.header.responseCode, "I0");
      assert.ok(response.body.kind === "ResponseMessage" && response.body.payload?.kind === "GBCSPayload");
      const answer = decodeFrame(response.body.payload.gbcsPayload);
      assert.equal(answer.originator, plan.gsme.toUpperCase());
      assert.equal(answer.messageCode, messageCode);
      assert.equal(verifySignature(answer, keys.publicKey(plan.gsme, "ds")!), true, "signed by the GSME");
      assert.equal(gsme(), s.state);
    }
  });

  it("refuses a CV5 whose Pre-Command was altered, or not signed by the supplier, or without a CV4", async () => {
    const supplier = identity(DEMO_SUPPLIER.eui);
    const other = identity(DEMO_NETWORK_OPERATOR.eui);
    const disable = SUPPLY[0];
    const before = esmeState();

    // Altered: the script executed changed, then signed properly.
    const pre = await cv4(disable, 6001n);
    const altered = new Uint8Array(pre);
    altered[altered.length - 1]! ^= 0x01;
    const r1 = await cv5(disable, 6001n, signed(altered, supplier.gbcsDs));
    assert.equal(r1.statusCode, duisErrors.signedPreCommandMismatch.httpStatus);
    assert.ok(r1.body.startsWith(duisErrors.signedPreCommandMismatch.message), r1.body);

    // The right bytes signed with another party's key.
    const pre2 = await cv4(disable, 6002n);
    const r2 = await cv5(disable, 6002n, signed(pre2, other.gbcsDs));
    assert.equal(r2.statusCode, duisErrors.signedPreCommandMismatch.httpStatus);
    assert.ok(r2.body.includes("signature does not verify"), r2.body);

    // A well-signed signature, but bit-flipped.
    const pre3 = await cv4(disable, 6003n);
    const bad = signed(pre3, supplier.gbcsDs);
    bad[bad.length - 1]! ^= 0xff;
    const r3 = await cv5(disable, 6003n, bad);
    assert.equal(r3.statusCode, duisErrors.signedPreCommandMismatch.httpStatus);

    // No CV4 for this RequestID.
    const r4 = await cv5(disable, 6010n, signed(pre3, supplier.gbcsDs));
    assert.equal(r4.statusCode, duisErrors.noPreCommand.httpStatus);
    assert.ok(r4.body.startsWith(duisErrors.noPreCommand.message), r4.body);

    // A CV1 of a critical SRV is not a way round; its E-code is published for the dashboard.
    const states: { state: string; responseCode: string | null; requestId: string }[] = [];
    const sub = dcc.bus.subscribe("request.state", (e) => {
      states.push(e);
    });
    const r5 = await post(
      "serviceS",
      request(supplier, disable, 1, 6011n, {
        kind: "generic",
        element: { name: disable.body, attributes: [], children: [] },
      }),
    );
    assert.equal(r5.statusCode, 200, r5.body);
    assert.equal(check(r5.body).header.responseCode, duisErrors.commandVariantNotAllowed.responseCode);
    sub.unsubscribe();
    assert.ok(
      states.some((e) => e.state === "failed" && e.responseCode === "E12" && e.requestId.endsWith(":6011")),
      JSON.stringify(states),
    );

    assert.equal(esmeState(), before, "nothing reached the meter");
    const answered = await dcc.store.requests.byRequestId(
      `${duisEui(supplier.eui)}:${duisEui(plan.esme)}:6001`,
    );
    assert.ok(
      answered.every((r) => r.commandVariant === 4),
      "no refused CV5 was recorded as sent",
    );
  });
});
