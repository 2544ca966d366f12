/**
 * GBZ against the RTDS set beyond GCS13a: every ciphered component opens with the RTDS keys and its
 * plaintext decodes to a known command; the GBZ alert layouts (generic, GCS53 with a ciphered
 * snapshot, future-dated, firmware distribution receipt, meter integrity issue warning) with exact
 * values.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex } from "../../../src/gbcs/cursor.js";
import {
  componentFrame,
  dateToZclUtcTime,
  decodeGbzPayload,
  encodeGbzPayload,
  type GbzPayload,
  ZclCluster,
  zclUtcTimeToDate,
} from "../../../src/gbcs/gbz/index.js";
import { contextOf, isGbzContent, rtdsDecrypt, rtdsMessage, rtdsMessages } from "./rtds-support.js";

/** ZCL UTCTime of 2015-01-01T00:00:00Z: seconds since 2000-01-01. */
const JAN_2015 = (Date.UTC(2015, 0, 1) - Date.UTC(2000, 0, 1)) / 1000;

function decode(folder: string, file: string): GbzPayload {
  const frame = rtdsMessage(folder, file);
  const p = decodeGbzPayload(frame.content, contextOf(frame, rtdsDecrypt(frame)));
  assert.equal(toHex(encodeGbzPayload(p)), toHex(frame.content));
  return p;
}

describe("GBZ payloads of the RTDS set", () => {
  it("every ciphered component opens with the RTDS keys and its plaintext decodes", () => {
    const seen = new Map<string, number>();
    for (const m of rtdsMessages()) {
      if (!isGbzContent(m.frame.content)) continue;
      const p = decodeGbzPayload(m.frame.content, contextOf(m.frame, rtdsDecrypt(m.frame)));
      if (p.kind !== "components" && p.kind !== "alert") continue;
      for (const c of p.components) {
        if (!c.body.encrypted) continue;
        assert.equal(c.body.decryptFailure, undefined, m.file);
        const frame = componentFrame(c);
        assert.ok(frame, `${m.file}: deciphered`);
        const name = frame.payload.kind === "command" ? frame.payload.name : frame.payload.kind;
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
    }
    assert.deepEqual(Object.fromEntries([...seen].sort()), {
      getSampledDataResponse: 3,
      publishDebtLog: 1,
      publishPrepaySnapshot: 12,
      publishSnapshot: 13,
      readAttributesResponse: 15,
    });
  });

  it("ZCL UTCTime converts to and from Date (seconds since 2000-01-01 UTC)", () => {
    assert.deepEqual(zclUtcTimeToDate(JAN_2015), new Date("2015-01-01T00:00:00Z"));
    assert.equal(dateToZclUtcTime(new Date("2015-01-01T00:00:00.900Z")), JAN_2015);
    assert.equal(zclUtcTimeToDate(0xffffffff), undefined);
    assert.throws(() => dateToZclUtcTime(new Date("1999-12-31T23:59:59Z")), RangeError);
  });

  it("Generic Critical Alert (GBZ): alert code and time stamp, no component", () => {
    assert.deepEqual(decode("NA_GCA-ZigBee", "GCA-ZigBee_NA_8F30_ALERT_GBCS.HEX"), {
      family: "gbz",
      kind: "alert",
      profileId: 0x0109,
      alert: { alertCode: 0x8f30, timestamp: JAN_2015 },
      components: [],
    });
  });

  it("GCS53 billing data log alert: a ciphered Publish Snapshot with the block tier registers", () => {
    const p = decode("NA_GCS53", "GCS53_NA_8F0A_ALERT_GBCS.HEX");
    assert.equal(p.kind, "alert");
    if (p.kind !== "alert") return;
    assert.deepEqual(p.alert, { alertCode: 0x8f0a, timestamp: JAN_2015 });
    const frame = componentFrame(p.components[0]!);
    assert.equal(p.components[0]!.clusterId, ZclCluster.metering);
    assert.deepEqual(frame?.payload, {
      kind: "command",
      name: "publishSnapshot",
      fields: {
        snapshotId: 71876166,
        snapshotTime: JAN_2015,
        totalSnapshotsFound: 1,
        commandIndex: 0,
        totalNumberOfCommands: 1,
        snapshotCause: 0xaa,
        snapshotPayloadType: 6,
        snapshotSubPayload: {
          currentSummationDelivered: 15,
          numberOfTiersInUse: 4,
          tierSummationDelivered: [{ value: 176 }, { value: 126 }, { value: 202 }, { value: 223 }],
          numberOfTiersAndBlockThresholdsInUse: 0x14,
          tierBlockSummationDelivered: [{ value: 121 }, { value: 195 }, { value: 65 }, { value: 8 }],
        },
      },
    });
  });

  it("Future Dated Execution Of Instruction Alert (GBZ): which command ran", () => {
    const p = decode("1.6_GCS02", "GCS02_1.6_8F66_FUTURE_DATED_SUCCESS_ALERT_CHANGE_PAYMENT_MODE_GBCS.HEX");
    assert.deepEqual(p, {
      family: "gbz",
      kind: "futureDatedAlert",
      profileId: 0x0109,
      componentCount: 1,
      alert: { alertCode: 0x8f66, timestamp: 948013200 },
      messageCode: 0x006c,
      originatorCounter: 1001n,
      clusterId: ZclCluster.prepayment,
      frameControl: {
        frameType: "clusterSpecific",
        manufacturerSpecific: false,
        direction: "clientToServer",
        disableDefaultResponse: false,
        reserved: 0,
      },
      commandId: 0x06,
    });
  });

  it("Firmware Distribution Receipt Alert (GSME) and Meter Integrity Issue Warning Alert (GSME)", () => {
    const fdra = decode("NA_FDRA-ZigBee", "FDRA-ZigBee_NA_8F72_ALERT_GBCS.HEX");
    assert.deepEqual(fdra, {
      family: "gbz",
      kind: "firmwareDistributionReceiptAlert",
      profileId: 0x0109,
      componentCount: 1,
      alert: { alertCode: 0x8f72, timestamp: JAN_2015 },
      calculatedManufacturerHash: new Uint8Array(32).fill(0xa1),
    });
    const miiwa = decode("NA_MIIWA-ZigBee", "MIIWA-ZigBee_NA_81A0_ALERT_GBCS.HEX");
    assert.deepEqual(miiwa, {
      family: "gbz",
      kind: "meterIntegrityIssueWarningAlert",
      profileId: 0x0109,
      componentCount: 1,
      alert: { alertCode: 0x81a0, timestamp: JAN_2015 },
      meterIntegrityIssueWarning: 5,
    });
  });

  it("GCS20 Set Event Configuration: apply by list", () => {
    const p = decode("6.22_GCS20", "GCS20_6.22_SUCCESS_COMMAND_GBCS.HEX");
    assert.equal(p.kind, "components");
    if (p.kind !== "components") return;
    const frames = p.components.map(componentFrame);
    const first = frames[0]?.payload;
    assert.equal(first?.kind, "command");
    if (first?.kind !== "command") return;
    assert.equal(first.name, "setEventConfiguration");
    assert.equal(first.fields.configurationControl, 0);
    assert.deepEqual(first.fields.eventConfigurationPayload, {
      numberOfEvents: 3,
      eventIds: [{ eventId: 0x81aa }, { eventId: 0x81ab }, { eventId: 0x81c4 }],
    });
  });
});
