/**
 * The simulated ESME raises the critical alert 0x8F32 "Supply Armed" when an Arm Supply command
 * (the RTDS ECS44 COMMAND) moves its switch into Armed: a Generic Critical Alert with the layout of
 * the RTDS GCA-DLMS vector, signed with the ESME's DS key (MACed for the supplier when it has none),
 * which its hub sends up the WAN link after the response.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { macKey, verifyMac } from "../../src/gbcs/crypto/mac.js";
import { verifySignature } from "../../src/gbcs/crypto/signature.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { decodeDlmsPayload, readDlmsAlert } from "../../src/gbcs/dlms/index.js";
import { decodeFrame, encodeFrame } from "../../src/gbcs/frame.js";
import { GENERIC_CRITICAL_ALERT, SUPPLY_ARMED_ALERT } from "../../src/sim/alert.js";
import { SimCommsHub } from "../../src/sim/chf.js";
import { ImportEnergy, profileFromSeed } from "../../src/sim/energy.js";
import { SimEsme } from "../../src/sim/esme.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import type { SupplyState } from "../../src/sim/supply.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const DEVICE = "00DB1234567890A0";
const HUB = "00DB1234567890A2";
const SUPPLIER = "90B3D51F30010000";
const ACB = "90B3D51F30000002";
const AT = Date.UTC(2026, 10, 28, 9, 30);

function rtds(dir: string, name: string): Uint8Array {
  return fromHex(readFileSync(reference("rtds-4.5.0-gbcs", dir, name), "utf8").trim());
}

const store = () =>
  new KeyStore({ directories: [reference("rtds-keystore"), reference("gbcs-known-answers")] });

/** The RTDS ESME, with a DS key pair of its own when `signing` (RTDS does not publish its private key). */
function esme(supply: SupplyState, signing: boolean) {
  const base = DeviceKeyring.fromKeyStore(store(), DEVICE, [ACB, SUPPLIER]);
  const ds = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const keys = signing
    ? new DeviceKeyring({
        eui: DEVICE,
        kaPrivateKey: store().privateKey(DEVICE, "ka")!,
        remoteKa: new Map([
          [ACB, store().publicKey(ACB, "ka")!],
          [SUPPLIER, store().publicKey(SUPPLIER, "ka")!],
        ]),
        remoteDs: new Map([[SUPPLIER, store().publicKey(SUPPLIER, "ds")!]]),
        dsPrivateKey: ds.privateKey,
      })
    : base;
  const meter = new SimEsme({ keys, energy: new ImportEnergy(profileFromSeed(7)), now: () => AT, supply });
  return { meter, dsPublic: ds.publicKey };
}

const ARM = () => rtds("7.3_ECS44", "ECS44_7.3_SUCCESS_COMMAND_GBCS.HEX");
const DISABLE = () => rtds("7.2_ECS43", "ECS43_7.2_SUCCESS_COMMAND_GBCS.HEX");

describe("simulated ESME: the Supply Armed alert", () => {
  it("raises 0x8F32 on Arm Supply, signed, in the layout of the RTDS Generic Critical Alert", async () => {
    const { meter, dsPublic } = esme("Disabled", true);
    const command = ARM();
    const outcome = await meter.handle(command, decodeFrame(command));
    assert.equal(meter.supplyState, "Armed");
    assert.ok(outcome.response !== undefined);
    assert.equal(outcome.alerts?.length, 1);
    const alert = decodeFrame(outcome.alerts[0]!);
    assert.equal(alert.cra, 3);
    assert.equal(alert.originator, DEVICE);
    assert.equal(alert.recipient, SUPPLIER, "to the supplier that armed it");
    assert.equal(alert.messageCode, GENERIC_CRITICAL_ALERT);
    assert.equal(alert.dateTime, null);
    assert.equal(alert.mac, undefined, "a signed critical alert has no MAC Header");
    assert.equal(verifySignature(alert, dsPublic), true);
    assert.ok(alert.counter > BigInt(AT), "the alert counter starts from the device clock");
    const body = readDlmsAlert(decodeDlmsPayload(alert.content));
    assert.equal(body.alertCode, SUPPLY_ARMED_ALERT);
    assert.equal(body.further.length, 0);

    // Same layout as the RTDS vector: its header fields and content around our alert's signature
    // give the vector itself, and our content has the vector's shape with our code and time.
    const gca = rtds("NA_GCA-DLMS", "GCA-DLMS_NA_8F30_ALERT_GBCS.HEX");
    const theirs = decodeFrame(gca);
    const rebuilt = encodeFrame({
      cra: alert.cra,
      counter: theirs.counter,
      originator: alert.originator,
      recipient: alert.recipient,
      dateTime: alert.dateTime,
      messageCode: alert.messageCode,
      content: theirs.content,
      signature: theirs.signature!,
    });
    assert.equal(toHex(rebuilt), toHex(gca));
    assert.equal(alert.content.length, theirs.content.length);
    assert.equal(
      toHex(alert.content.subarray(0, 1)),
      toHex(theirs.content.subarray(0, 1)),
      "data-notification",
    );
  });

  it("MACs the alert for the supplier when the ESME has no DS key (RTDS keys)", async () => {
    const { meter } = esme("Disabled", false);
    const command = ARM();
    const outcome = await meter.handle(command, decodeFrame(command));
    const alert = decodeFrame(outcome.alerts![0]!);
    assert.ok(alert.mac !== undefined);
    const z = store().sharedSecret(DEVICE, SUPPLIER)!;
    assert.equal(verifyMac(alert, macKey(alert, z)), true);
  });

  it("raises nothing for other supply changes, nor when already armed", async () => {
    const { meter } = esme("Enabled", true);
    const disable = DISABLE();
    assert.equal((await meter.handle(disable, decodeFrame(disable))).alerts, undefined);
    const { meter: armed } = esme("Armed", true);
    const arm = ARM();
    const outcome = await armed.handle(arm, decodeFrame(arm));
    assert.equal(armed.supplyState, "Armed");
    assert.equal(outcome.alerts, undefined);
  });

  it("goes up the hub's WAN link after the response, under the EUI the hub was attached with", async () => {
    const { meter } = esme("Disabled", true);
    const sent: { hub: string; frame: Uint8Array }[] = [];
    let delivered!: () => void;
    const arrived = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    const hub = new SimCommsHub(HUB.toLowerCase(), [meter], async (h, frame) => {
      sent.push({ hub: h, frame });
      delivered();
    });
    const frames = await hub.handle(ARM());
    assert.equal(frames.length, 1, "the response, answered to the command");
    assert.equal(decodeFrame(frames[0]!).cra, 2);
    assert.equal(sent.length, 0, "the alert follows the response");
    await arrived;
    assert.equal(sent[0]!.hub, HUB.toLowerCase());
    assert.equal(decodeFrame(sent[0]!.frame).cra, 3);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(hub.stats.alertsSent, 1);
  });

  it("is counted lost when the hub has no WAN link", async () => {
    const { meter } = esme("Disabled", true);
    const hub = new SimCommsHub(HUB, [meter]);
    await hub.handle(ARM());
    assert.equal(hub.stats.alertsLost, 1);
  });
});
