/**
 * The simulated GSME and GPF against RTDS 4.5.0: every COMMAND file sent to the GSME
 * (00DB1234567890A1) or the GPF (00DB1234567890A3) with a GBZ payload is handled by a fresh device
 * holding the RTDS keys, and its response decodes to the shape of the RTDS RESPONSE of that use case
 * (components, clusters, last-message and encryption flags, ZCL frame control, sequence number,
 * command ids, payload kinds and command names, record counts, attribute ids, statuses and types). A write followed by a
 * read shows the written value.
 *
 * RTDS publishes the devices' certificates, not their private keys: the device's shared secrets are
 * computed from the remote parties' side (their private keys are in the RTDS key store).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { macKey, protectFrame } from "../../src/gbcs/crypto/mac.js";
import { fromHex } from "../../src/gbcs/cursor.js";
import { decodeFrame, encodeFrame, type GbcsFrame } from "../../src/gbcs/frame.js";
import {
  componentFrame,
  encodeGbz,
  GBZ_PROFILE_ID,
  type GbzComponent,
  type ZclFrame,
  ZclGlobalCommand,
} from "../../src/gbcs/gbz/index.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { messageCodeInfo } from "../../src/gbcs/message-codes.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { SimGpf } from "../../src/sim/gpf.js";
import { SimGsme } from "../../src/sim/gsme.js";
import { DeviceKeyring } from "../../src/sim/keyring.js";
import type { ZclFault } from "../../src/sim/zcl/interpreter.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const GSME = "00DB1234567890A1";
const GPF = "00DB1234567890A3";
const ACB = "90B3D51F30000002";
const SUPPLIER = "90B3D51F30010000";
/** The remote parties whose KA private keys RTDS publishes. */
const PARTIES = [
  ACB,
  "90B3D51F30000007",
  SUPPLIER,
  "90B3D51F30010008",
  "90B3D51F30020000",
  "90B3D51F30030000",
];
const RTDS_AT = Date.UTC(2015, 0, 1);

/**
 * The files that cannot pass, and why. (ERROR and NOT_FOUND responses show a device fault or missing
 * data: the device handling those commands is given the faults its RTDS response shows, see
 * `faultsShownBy`, and must answer the rest, including the 0xFF "not executed" Default Responses.)
 */
const NO_PPMID_KEY =
  "MACed by the PPMID 00DB1234567890A4 (device-originated): RTDS publishes neither its KA private key nor the GSME's";
const CANNOT_PASS: Readonly<Record<string, string>> = {
  "PCS01_NA_SUCCESS_COMMAND_GBCS.HEX": NO_PPMID_KEY,
  "PCS02_NA_SUCCESS_COMMAND_GBCS.HEX": NO_PPMID_KEY,
  "GCS16a_4.6.1_ERROR_COMMAND_GBCS.HEX":
    "RTDS's meter holds 3 billing snapshots in this case and 2 in every other snapshot case; ours holds 2",
  "GCS20r_6.2.10_ERROR_COMMAND_GBCS.HEX":
    "RTDS answers this server-to-client command with a server-to-client Default Response, unlike every other RTDS Default Response to one (client to server), which the device follows",
};

const rtds = KeyStore.fromDirectory(reference("rtds-keystore"));
const root = reference("rtds-4.5.0-gbcs");
const read = (dir: string, file: string): Uint8Array =>
  fromHex(readFileSync(`${root}/${dir}/${file}`, "utf8").trim());

function keyring(eui: string): DeviceKeyring {
  const sharedSecrets = new Map<string, Uint8Array>();
  const remoteDs = new Map();
  for (const party of PARTIES) {
    const z = rtds.sharedSecret(eui, party);
    if (z !== undefined) sharedSecrets.set(party, z);
    const ds = rtds.publicKey(party, "ds");
    if (ds !== undefined) remoteDs.set(party, ds);
  }
  return new DeviceKeyring({ eui, remoteKa: new Map(), sharedSecrets, remoteDs });
}

function device(eui: string, faults: readonly ZclFault[] = []): SimGsme | SimGpf {
  const gsme = new SimGsme({ keys: keyring(GSME), energy: deviceEnergy(GSME), now: () => RTDS_AT, faults });
  return eui === GSME
    ? gsme
    : new SimGpf({ keys: keyring(GPF), now: () => RTDS_AT, meter: gsme.mirror(), faults });
}

/**
 * The faults an RTDS error response shows: a Default Response with a failure status to a command
 * (not the 0xFF ones, which say a command was not executed after one failed), or a read record with
 * a failure status.
 */
function faultsShownBy(response: Uint8Array): ZclFault[] {
  const m = decodeMessage(response, { keys: rtds });
  if (m.payload.family !== "gbz" || m.payload.kind !== "components") return [];
  const faults: ZclFault[] = [];
  for (const c of m.payload.components) {
    const frame = componentFrame(c);
    if (frame === undefined) continue;
    const { payload: p, header } = frame;
    const at = { clusterId: c.clusterId, sequence: header.transactionSequenceNumber };
    if (p.kind === "defaultResponse" && p.status !== 0 && p.commandId !== 0xff)
      faults.push({ ...at, status: p.status });
    if (p.kind === "readAttributesResponse")
      for (const r of p.records)
        if (r.status !== 0) faults.push({ ...at, attributeId: r.attributeId, status: r.status });
  }
  return faults;
}

/** The GSME/GPF command files with a GBZ payload, by folder. */
function commandFiles(): { dir: string; file: string; recipient: string }[] {
  const out: { dir: string; file: string; recipient: string }[] = [];
  for (const dir of readdirSync(root).sort()) {
    for (const file of readdirSync(`${root}/${dir}`).sort()) {
      if (!file.includes("_COMMAND_")) continue;
      const frame = decodeFrame(read(dir, file));
      if (frame.recipient !== GSME && frame.recipient !== GPF) continue;
      if (messageCodeInfo(frame.messageCode)?.family !== "gbz") continue;
      out.push({ dir, file, recipient: frame.recipient });
    }
  }
  return out;
}

/** The shape of a response payload: what must match RTDS. */
function shape(bytes: Uint8Array): unknown[] {
  const m = decodeMessage(bytes, { keys: rtds });
  assert.equal(m.payload.family, "gbz");
  assert.ok(m.payload.family === "gbz" && m.payload.kind === "components");
  return m.payload.components.map(componentShape);
}

function componentShape(c: GbzComponent): unknown {
  const frame = componentFrame(c);
  const header = c.body.encrypted ? c.body.header : c.body.frame.header;
  const base = {
    cluster: c.clusterId,
    lastMessage: c.lastMessage,
    encrypted: c.body.encrypted,
    frameType: header.frameControl.frameType,
    direction: header.frameControl.direction,
    disableDefaultResponse: header.frameControl.disableDefaultResponse,
    sequence: header.transactionSequenceNumber,
    commandId: header.commandId,
  };
  if (frame === undefined) return { ...base, payload: "not deciphered" };
  return { ...base, payload: payloadShape(frame) };
}

function payloadShape({ payload: p }: ZclFrame): unknown {
  switch (p.kind) {
    case "readAttributesResponse":
      return { kind: p.kind, records: p.records.map((r) => [r.attributeId, r.status, r.value?.type]) };
    case "writeAttributesResponse":
      return { kind: p.kind, records: p.records.length };
    case "defaultResponse":
      return { kind: p.kind, commandId: p.commandId, status: p.status };
    case "command":
      return { kind: p.kind, name: p.name };
    default:
      return { kind: p.kind };
  }
}

describe("simulated GSME and GPF answer every RTDS GBZ command like RTDS", () => {
  const files = commandFiles();
  it("finds the GSME and GPF commands", () => {
    assert.ok(files.length >= 140, `${files.length} files`);
  });
  for (const { dir, file, recipient } of files) {
    const reason = CANNOT_PASS[file];
    it(`${dir}/${file}`, reason === undefined ? {} : { skip: reason }, async () => {
      const bytes = read(dir, file);
      const expected = read(dir, file.replace("_COMMAND_", "_RESPONSE_"));
      const faults = /_(ERROR|NOT_FOUND)_/.test(file) ? faultsShownBy(expected) : [];
      const outcome = await device(recipient, faults).handle(bytes, decodeFrame(bytes));
      assert.ok(outcome.response, `dropped: ${outcome.dropped}`);
      const ours = decodeFrame(outcome.response);
      const command = decodeFrame(bytes);
      assert.equal(ours.cra, 2);
      assert.equal(ours.counter, command.counter);
      assert.equal(ours.originator, recipient);
      assert.equal(ours.recipient, command.originator);
      assert.equal(ours.messageCode, command.messageCode);
      assert.deepEqual(shape(outcome.response), shape(expected));
    });
  }
});

describe("simulated GSME: command effects land in its attributes", () => {
  /** [folder, command file, cluster, attribute, the command field the attribute takes] */
  const CASES = [
    ["6.6_GCS23", "GCS23_6.6_SUCCESS_COMMAND_GBCS.HEX", 0x0700, 0x0302, "conversionFactor"],
    ["6.6_GCS23", "GCS23_6.6_SUCCESS_COMMAND_GBCS.HEX", 0x0700, 0x0304, "calorificValue"],
    ["6.7_GCS24", "GCS24_6.7_SUCCESS_COMMAND_GBCS.HEX", 0x0702, 0x0b10, "uncontrolledFlowThreshold"],
    ["6.20.1_GCS41", "GCS41_6.20.1_SUCCESS_COMMAND_GBCS.HEX", 0x0702, 0x0307, "siteId"],
    ["9.1_GCS36", "GCS36_9.1_SUCCESS_COMMAND_GBCS.HEX", 0x0702, 0x0311, "customerIdNumber"],
    ["1.5_GCS40b", "GCS40b_1.5_SUCCESS_COMMAND_GBCS.HEX", 0x0705, 0x0001, "creditAdjustmentValue"],
  ] as const;
  for (const [dir, file, cluster, attribute, field] of CASES) {
    it(`${file}: ${field}`, async () => {
      const gsme = device(GSME);
      const bytes = read(dir, file);
      const outcome = await gsme.handle(bytes, decodeFrame(bytes));
      assert.ok(outcome.response, outcome.dropped);
      const m = decodeMessage(bytes, { keys: rtds });
      assert.ok(m.payload.family === "gbz" && m.payload.kind === "components");
      const sent = m.payload.components
        .map((c) => componentFrame(c)!.payload)
        .flatMap((p) => (p.kind === "command" && field in p.fields ? [p.fields[field]] : []));
      assert.equal(sent.length, 1);
      assert.deepEqual(gsme.store.read(cluster, attribute)?.value, sent[0]);
    });
  }
});

describe("simulated GPF: answers from the gas meter's mirrored data", () => {
  it("reads the meter's live consumption register and a balance the meter changed", async () => {
    const gsme = new SimGsme({ keys: keyring(GSME), energy: deviceEnergy(GSME), now: () => RTDS_AT });
    gsme.store.setNumber(0x0705, 0x0001, 4321);
    const values = async (dir: string, file: string) => {
      // A GPF per command: RTDS's counters are not in the order these are sent.
      const gpf = new SimGpf({ keys: keyring(GPF), now: () => RTDS_AT, meter: gsme.mirror() });
      const bytes = read(dir, file);
      const outcome = await gpf.handle(bytes, decodeFrame(bytes));
      const m = decodeMessage(outcome.response!, { keys: rtds });
      assert.equal(m.mac.valid, true);
      assert.ok(m.payload.family === "gbz" && m.payload.kind === "components");
      return m.payload.components.flatMap((c) => {
        const p = componentFrame(c)!.payload;
        return p.kind === "readAttributesResponse"
          ? p.records.map((r) => [c.clusterId, r.attributeId, r.value?.value])
          : [];
      });
    };
    const gcs13a = await values("4.1.1_GCS13a", "GCS13a_4.1.1_SUCCESS_RELIABLE_GPF_COMMAND_GBCS.HEX");
    assert.deepEqual(
      gcs13a.find(([, a]) => a === 0),
      [0x0702, 0, gsme.register(RTDS_AT).currentSummationDelivered],
    );
    const gcs14 = await values("4.3_GCS14", "GCS14_4.3_SUCCESS_RELIABLE_GPF_COMMAND_GBCS.HEX");
    assert.deepEqual(
      gcs14.find(([c, a]) => c === 0x0705 && a === 1),
      [0x0705, 1, 4321],
    );
  });
});

describe("simulated GSME: Write Attributes then Read Attributes", () => {
  const METERING = 0x0702;
  const SITE_ID = 0x0307;
  const PREPAYMENT = 0x0705;
  const LOW_CREDIT = 0x0031;
  const header = (seq: number, commandId: number) => ({
    frameControl: {
      frameType: "global" as const,
      manufacturerSpecific: false,
      direction: "clientToServer" as const,
      disableDefaultResponse: false,
      reserved: 0,
    },
    transactionSequenceNumber: seq,
    commandId,
  });
  const send = (counter: bigint, components: GbzComponent[]): Uint8Array => {
    const frame: GbcsFrame = {
      cra: 1,
      counter,
      originator: SUPPLIER,
      recipient: GSME,
      dateTime: null,
      // GCS46 Read Metering Information: a non-critical GBZ use case of the supplier
      messageCode: 0x0089,
      content: encodeGbz({ family: "gbz", kind: "components", profileId: GBZ_PROFILE_ID, components }),
      signature: new Uint8Array(0),
    };
    const z = rtds.sharedSecret(ACB, GSME)!;
    return encodeFrame(protectFrame(frame, macKey(frame, z)));
  };
  const plain = (clusterId: number, frame: ZclFrame, last = false): GbzComponent => ({
    clusterId,
    lastMessage: last,
    reservedControlBits: 0,
    body: { encrypted: false, frame },
  });

  it("answers the write with success and a later read with the written values", async () => {
    const meter = device(GSME);
    const site = new TextEncoder().encode("NEW-SITE-42");
    const write = send(1n, [
      plain(METERING, {
        header: header(0, ZclGlobalCommand.writeAttributes),
        payload: {
          kind: "writeAttributes",
          records: [{ attributeId: SITE_ID, value: { type: 0x41, value: site } }],
        },
      }),
      plain(
        PREPAYMENT,
        {
          header: header(1, ZclGlobalCommand.writeAttributes),
          payload: {
            kind: "writeAttributes",
            records: [
              { attributeId: LOW_CREDIT, value: { type: 0x23, value: 777 } },
              { attributeId: 0x7777, value: { type: 0x23, value: 1 } },
            ],
          },
        },
        true,
      ),
    ]);
    const written = await meter.handle(write, decodeFrame(write));
    const wm = decodeMessage(written.response!, { keys: rtds });
    assert.ok(wm.payload.family === "gbz" && wm.payload.kind === "components");
    const [first, second] = wm.payload.components.map((c) => componentFrame(c)!.payload);
    assert.deepEqual(first, { kind: "writeAttributesResponse", records: [{ status: 0 }] });
    assert.deepEqual(second, {
      kind: "writeAttributesResponse",
      records: [{ status: 0x86, attributeId: 0x7777 }],
    });

    const readBack = send(2n, [
      plain(METERING, {
        header: header(0, ZclGlobalCommand.readAttributes),
        payload: { kind: "readAttributes", attributeIds: [SITE_ID] },
      }),
      plain(
        PREPAYMENT,
        {
          header: header(1, ZclGlobalCommand.readAttributes),
          payload: { kind: "readAttributes", attributeIds: [LOW_CREDIT] },
        },
        true,
      ),
    ]);
    const answered = await meter.handle(readBack, decodeFrame(readBack));
    const rm = decodeMessage(answered.response!, { keys: rtds });
    assert.equal(rm.mac.valid, true);
    assert.ok(rm.payload.family === "gbz" && rm.payload.kind === "components");
    const records = rm.payload.components.map((c) => {
      const p = componentFrame(c)!.payload;
      assert.equal(p.kind, "readAttributesResponse");
      return p.kind === "readAttributesResponse" ? p.records[0] : undefined;
    });
    assert.deepEqual(records[0], { attributeId: SITE_ID, status: 0, value: { type: 0x41, value: site } });
    assert.deepEqual(records[1], { attributeId: LOW_CREDIT, status: 0, value: { type: 0x23, value: 777 } });
  });
});
