/**
 * The ASN.1 use cases of the simulated devices against RTDS 4.5.0: every COMMAND file whose payload
 * is ASN.1 (CS02a-g credentials, CS03 joins, CS04 unjoins, CS06/CS08 firmware, CS07 and GCS59
 * device logs, GCS28 time) is handled by a fresh device of the recipient's type holding the RTDS
 * keys, and its response has the payload tree shape of the RTDS RESPONSE (types, nesting, CHOICE
 * alternatives, which optional fields are there; an empty list matches any) and its protection
 * (signed or MACed, dated or not). Then a join followed by a read shows the joined device, and an
 * unjoin removes it.
 *
 * RTDS publishes the devices' certificates, not their private keys: the devices' shared secrets are
 * computed from the remote parties' side (their KA private keys are in the RTDS key store), and each
 * device signs with a DS key of its own made here (RTDS's device DS keys are not published), so its
 * signed responses verify with that key, not with its RTDS certificate.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  type Asn1Payload,
  asn1PayloadTypeFor,
  decodeAsn1Payload,
  encodeAsn1Payload,
} from "../../src/gbcs/asn1/index.js";
import { macKey, protectFrame } from "../../src/gbcs/crypto/mac.js";
import { verifySignature } from "../../src/gbcs/crypto/signature.js";
import { fromHex } from "../../src/gbcs/cursor.js";
import { decodeFrame, encodeFrame, type GbcsFrame } from "../../src/gbcs/frame.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { type Asn1Identity, SimChfAsn1 } from "../../src/sim/asn1/device.js";
import { trustAnchorsFromKeyStore } from "../../src/sim/asn1/trust-anchors.js";
import { SimCommsHub } from "../../src/sim/chf.js";
import type { SimDevice } from "../../src/sim/device.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { SimEsme } from "../../src/sim/esme.js";
import { SimGpf } from "../../src/sim/gpf.js";
import { SimGsme } from "../../src/sim/gsme.js";
import { SimHcalcs } from "../../src/sim/hcalcs.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import { SimPpmid } from "../../src/sim/ppmid.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const ACB = "90B3D51F30000002";
const SUPPLIER = "90B3D51F30010000";
const GSME = "00DB1234567890A1";
const PPMID = "00DB1234567890A4";
/**
 * The remote parties whose certificates the devices hold. Three certificates name role 2
 * (supplier): the one placed last in the cell is the supplier RTDS's devices report, 90B3D51F30010000.
 */
const PARTIES = [
  "90B3D51F30000001",
  "90B3D51F30000004",
  "90B3D51F30000007",
  "90B3D51F30030000",
  "90B3D51F30020000",
  "90B3D51F30010008",
  ACB,
  SUPPLIER,
];
const RTDS_AT = Date.UTC(2015, 0, 1);

/** The files that cannot pass, and why (none: every RTDS ASN.1 command is answered in shape). */
const CANNOT_PASS: Readonly<Record<string, string>> = {};

const rtds = KeyStore.fromDirectory(reference("rtds-keystore"));
const root = reference("rtds-4.5.0-gbcs");
const read = (dir: string, file: string): Uint8Array =>
  fromHex(readFileSync(`${root}/${dir}/${file}`, "utf8").trim());

function keyring(eui: string, dsPrivateKey: KeyObject): DeviceKeyring {
  const sharedSecrets = new Map<string, Uint8Array>();
  const remoteDs = new Map<string, KeyObject>();
  for (const party of PARTIES) {
    const z = rtds.sharedSecret(eui, party);
    if (z !== undefined) sharedSecrets.set(party, z);
    const ds = rtds.publicKey(party, "ds");
    if (ds !== undefined) remoteDs.set(party, ds);
  }
  return new DeviceKeyring({ eui, remoteKa: new Map(), sharedSecrets, remoteDs, dsPrivateKey });
}

/**
 * What the RTDS device of an ERROR vector lacks, as its response shows: the payload types it fails
 * (a failure response code), and the roles it holds no trust anchor for (CS02a/f status other than
 * success).
 */
function faultsShownBy(response: GbcsFrame): { types: Set<Asn1Payload["type"]>; missingRoles: Set<number> } {
  const types = new Set<Asn1Payload["type"]>();
  const missingRoles = new Set<number>();
  const p = decodeAsn1Payload(response.content, response);
  const command = asn1PayloadTypeFor(response.messageCode, 1);
  if (p.type === "ProvideSecurityCredentialDetailsResponse") {
    for (const d of p.value) if (d.statusCode !== 0) missingRoles.add(d.remotePartyRole);
  } else if (command !== undefined) {
    const failed =
      (p.type === "IssueSecurityCredentialsResponse" || p.type === "ProvideDeviceCertificateResponse") &&
      p.value.choice === "responseCode"
        ? true
        : p.type === "ReadDeviceJoinDetailsResponse" || p.type === "ReadPpmidHcalcsFirmwareVersionResponse"
          ? p.value.responseCode !== 0
          : false;
    if (failed) types.add(command);
  }
  return { types, missingRoles };
}

type Faults = ReturnType<typeof faultsShownBy>;
const NO_FAULTS: Faults = { types: new Set(), missingRoles: new Set() };

function identity(eui: string, faults: Faults): Asn1Identity {
  const ds = rtds.certificate(eui, "ds");
  const ka = rtds.certificate(eui, "ka");
  return {
    trustAnchors: trustAnchorsFromKeyStore(rtds, PARTIES).filter((c) => !faults.missingRoles.has(c.role)),
    certificates: {
      ...(ds === undefined ? {} : { digitalSignature: new Uint8Array(ds.raw) }),
      ...(ka === undefined ? {} : { keyAgreement: new Uint8Array(ka.raw) }),
    },
    // Joined at installation to the premises' PPMID (RTDS's device logs are not empty).
    deviceLog: [{ eui: PPMID, deviceType: 5 }],
    faults: faults.types,
  };
}

/** A fresh device of the RTDS recipient's type, and its DS public key. */
function device(eui: string, faults: Faults = NO_FAULTS): { device: SimDevice; ds: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const keys = keyring(eui, privateKey);
  const now = () => RTDS_AT;
  const asn1 = identity(eui, faults);
  const byType: Record<string, () => SimDevice> = {
    "00DB1234567890A0": () => new SimEsme({ keys, energy: deviceEnergy(eui), now, asn1 }),
    "00DB1234567890A1": () => new SimGsme({ keys, energy: deviceEnergy(eui), now, asn1 }),
    "00DB1234567890A2": () => new SimChfAsn1({ keys, now, asn1 }),
    "00DB1234567890A3": () => new SimGpf({ keys, now, asn1 }),
    "00DB1234567890A4": () => new SimPpmid({ keys, now, asn1 }),
  };
  // A5 and A6: the HCALCS (a load controller's CS02g goes to it).
  return { device: (byType[eui] ?? (() => new SimHcalcs({ keys, now, asn1 })))(), ds: publicKey };
}

function commandFiles(): { dir: string; file: string; frame: GbcsFrame }[] {
  const out: { dir: string; file: string; frame: GbcsFrame }[] = [];
  for (const dir of readdirSync(root).sort()) {
    for (const file of readdirSync(`${root}/${dir}`).sort()) {
      if (!file.includes("_COMMAND_")) continue;
      const frame = decodeFrame(read(dir, file));
      if (asn1PayloadTypeFor(frame.messageCode, 1) === undefined) continue;
      out.push({ dir, file, frame });
    }
  }
  return out;
}

/** Whether two decoded ASN.1 values have the same shape (an empty list matches any list). */
function sameShape(a: unknown, b: unknown, path = ""): string | undefined {
  const kind = (x: unknown) =>
    x === null
      ? "null"
      : x instanceof Uint8Array
        ? "bytes"
        : x instanceof Date
          ? "time"
          : Array.isArray(x)
            ? "list"
            : typeof x;
  if (kind(a) !== kind(b)) return `${path}: ${kind(a)} vs ${kind(b)}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length === 0 || b.length === 0) return undefined;
    for (const x of a)
      if (b.every((y) => sameShape(x, y) !== undefined)) return `${path}[]: one unlike RTDS's`;
    for (const y of b)
      if (a.every((x) => sameShape(x, y) !== undefined)) return `${path}[]: missing one like RTDS's`;
    return undefined;
  }
  if (kind(a) === "object") {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = (o: Record<string, unknown>) =>
      Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
    if (JSON.stringify(keys(ao)) !== JSON.stringify(keys(bo)))
      return `${path}: fields ${keys(ao).join(",")} vs ${keys(bo).join(",")}`;
    if ("choice" in ao && ao.choice !== bo.choice) return `${path}: choice ${ao.choice} vs ${bo.choice}`;
    for (const k of keys(ao)) {
      const why = sameShape(ao[k], bo[k], `${path}.${k}`);
      if (why !== undefined) return why;
    }
  }
  return undefined;
}

describe("simulated devices answer every RTDS ASN.1 command like RTDS", () => {
  const files = commandFiles();
  it("finds the ASN.1 commands", () => {
    assert.ok(files.length >= 55, `${files.length} files`);
  });
  for (const { dir, file, frame: command } of files) {
    const reason = CANNOT_PASS[file];
    it(`${dir}/${file}`, reason === undefined ? {} : { skip: reason }, async () => {
      const responseFile = `${root}/${dir}/${file.replace("_COMMAND_", "_RESPONSE_")}`;
      assert.ok(existsSync(responseFile), "RTDS has a response");
      const expected = decodeFrame(read(dir, file.replace("_COMMAND_", "_RESPONSE_")));
      const faults = /_ERROR_/.test(file) ? faultsShownBy(expected) : NO_FAULTS;
      const { device: sim, ds } = device(command.recipient, faults);
      const outcome = await sim.handle(read(dir, file), command);
      assert.ok(outcome.response, `dropped: ${outcome.dropped}`);
      const ours = decodeFrame(outcome.response);
      assert.equal(ours.cra, 2);
      assert.equal(ours.counter, command.counter);
      assert.equal(ours.originator, command.recipient);
      assert.equal(ours.recipient, command.originator);
      assert.equal(ours.messageCode, command.messageCode);
      assert.equal(ours.mac !== undefined, expected.mac !== undefined, "MACed like RTDS");
      assert.equal(
        (ours.signature?.length ?? 0) > 0,
        (expected.signature?.length ?? 0) > 0,
        "signed like RTDS",
      );
      assert.equal(ours.dateTime !== null, expected.dateTime !== null, "dated like RTDS");
      if (ours.mac !== undefined)
        assert.equal(decodeMessage(outcome.response, { keys: rtds }).mac.valid, true);
      else assert.ok(verifySignature(ours, ds), "signed with the device's key");
      const why = sameShape(
        decodeAsn1Payload(ours.content, ours).value,
        decodeAsn1Payload(expected.content, expected).value,
      );
      assert.equal(why, undefined, why);
    });
  }
});

describe("simulated devices: joins and unjoins change the device log", () => {
  const OTHER = "00DB1234567890B7";
  const send = (counter: bigint, messageCode: number, payload: Parameters<typeof encodeAsn1Payload>[0]) => {
    const frame: GbcsFrame = {
      cra: 1,
      counter,
      originator: SUPPLIER,
      recipient: GSME,
      dateTime: null,
      messageCode,
      content: encodeAsn1Payload(payload),
      signature: new Uint8Array(0),
    };
    const bytes = encodeFrame(protectFrame(frame, macKey(frame, rtds.sharedSecret(ACB, GSME)!)));
    return { bytes, frame: decodeFrame(bytes) };
  };
  const readLog = async (sim: SimDevice, counter: bigint) => {
    const { bytes, frame } = send(counter, 0x0013, {
      family: "asn1",
      type: "ReadDeviceJoinDetailsCommand",
      value: null,
    });
    const outcome = await sim.handle(bytes, frame);
    const m = decodeMessage(outcome.response!, { keys: rtds });
    assert.equal(m.mac.valid, true);
    assert.ok(m.payload.family === "asn1" && m.payload.type === "ReadDeviceJoinDetailsResponse");
    return (m.payload.value.deviceLogEntries ?? []).map((e) => [
      Buffer.from(e.deviceId).toString("hex").toUpperCase(),
      e.deviceType,
    ]);
  };

  it("a CS03B join adds the device, CS07 lists it, a CS04B unjoin removes it", async () => {
    const { device: gsme } = device(GSME);
    assert.deepEqual(await readLog(gsme, 10n), [[PPMID, 5]]);
    const join = send(11n, 0x000e, {
      family: "asn1",
      type: "JoinDeviceCommand",
      value: { joinMethodAndRole: 2, otherDeviceEntityIdentifier: fromHex(OTHER), otherDeviceType: 6 },
    });
    const joined = await gsme.handle(join.bytes, join.frame);
    const jm = decodeMessage(joined.response!, { keys: rtds });
    assert.ok(jm.payload.family === "asn1" && jm.payload.type === "JoinDeviceResponse");
    assert.equal(jm.payload.value, 0);
    assert.deepEqual(await readLog(gsme, 12n), [
      [PPMID, 5],
      [OTHER, 6],
    ]);
    const unjoin = send(13n, 0x0010, { family: "asn1", type: "UnjoinDeviceCommand", value: fromHex(OTHER) });
    const unjoined = await gsme.handle(unjoin.bytes, unjoin.frame);
    const um = decodeMessage(unjoined.response!, { keys: rtds });
    assert.ok(um.payload.family === "asn1" && um.payload.type === "UnjoinDeviceResponse");
    assert.equal(um.payload.value, 0);
    assert.deepEqual(await readLog(gsme, 14n), [[PPMID, 5]]);
    // Unjoining it again: not in the device log.
    const again = send(15n, 0x0010, { family: "asn1", type: "UnjoinDeviceCommand", value: fromHex(OTHER) });
    const am = decodeMessage((await gsme.handle(again.bytes, again.frame)).response!, { keys: rtds });
    assert.ok(am.payload.family === "asn1" && am.payload.type === "UnjoinDeviceResponse");
    assert.equal(am.payload.value, 1);
  });
});

describe("simulated hub: ASN.1 commands for the hub itself", () => {
  it("relays CS02a to its own ASN.1 device, and drops it without one", async () => {
    const dir = "NA_CS02aSignature";
    const file = "CS02aSignature_NA_SUCCESS_COMMAND_GBCS.HEX";
    const bytes = read(dir, file);
    const hubEui = decodeFrame(bytes).recipient;
    const { device: own } = device(hubEui);
    const answered = await new SimCommsHub(hubEui, [], undefined, { asn1: own }).handle(bytes);
    assert.equal(answered.length, 1);
    const m = decodeMessage(answered[0]!, { keys: rtds });
    assert.ok(m.payload.family === "asn1" && m.payload.type === "ProvideSecurityCredentialDetailsResponse");
    assert.equal(m.mac.valid, true);
    const bare = new SimCommsHub(hubEui);
    assert.deepEqual(await bare.handle(bytes), []);
    assert.equal(bare.stats.dropped.unsupported, 1);
  });
});

describe("simulated devices: a credentials update replaces the party in the cells", () => {
  it("CS02b supplier by TransCoS: the new supplier in the supplier's cells, the old one no longer trusted", async () => {
    const ESME = "00DB1234567890A0";
    const { device: sim } = device(ESME);
    assert.ok(sim instanceof SimEsme);
    assert.equal(sim.asn1.trustAnchor(2, "digitalSignature")?.eui, SUPPLIER);
    const dir = "6.23_CS02bSupplierByTransCoS";
    const update = read(dir, "CS02bSupplierByTransCoS_6.23_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX");
    assert.ok((await sim.handle(update, decodeFrame(update))).response);
    assert.equal(sim.asn1.trustAnchor(2, "digitalSignature")?.eui, "90B3D51F30030000");
    assert.equal(sim.asn1.trustAnchor(2, "keyAgreement")?.eui, "90B3D51F30030000");
    // A command signed by the old supplier is now refused.
    const signedByOld = read("6.24.2_CS02e", "CS02e_6.24.2_SUCCESS_COMMAND_GBCS.HEX");
    assert.equal((await sim.handle(signedByOld, decodeFrame(signedByOld))).dropped, "bad-signature");
  });
});
