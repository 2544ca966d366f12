/**
 * The reads take their range from the body: a ReadLogPeriod other than the RTDS templates' reaches
 * the command, in each of the forms GBCS carries it (protected-read restriction, DLMS range
 * descriptor, ZSE times), and a read without it is refused naming the path.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { unspecifiedZoneDateTime, utcSeconds } from "../../src/dcc/transform/read-periods.js";
import { type DuisElement, el } from "../../src/duis/model/element.js";
import { toHex } from "../../src/gbcs/cursor.js";
import { messageToJson } from "../../src/gbcs/json.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const FROM = "2023-06-01T12:30:00Z";
const TO = "2023-06-03T12:30:00Z";
const from = Date.parse(FROM);
const to = Date.parse(TO);

function readLog(name: string, start = FROM, end = TO): DuisElement {
  return el(name, [el("ReadLogPeriod", [el("StartDateTime", start), el("EndDateTime", end)])]);
}

describe("transform: reads bind ReadLogPeriod by path", () => {
  const transformer = new CommandTransformer(KeyStore.fromDirectory(reference("rtds-keystore")));
  const esme = { originator: "90B3D51F30010000", device: "00DB1234567890A0", counter: 7000n, at: 0 };
  const gsme = { ...esme, device: "00DB1234567890A1" };

  function payloadOf(srv: string, type: "ESME" | "GSME", body: DuisElement): string {
    const input = type === "ESME" ? esme : gsme;
    const result = transformer.transform(srv, type, { ...input, body });
    assert.ok(result.ok, result.ok ? "" : result.reason);
    return JSON.stringify(messageToJson(decodeMessage(result.bytes)).payload);
  }

  it("ECS21a (protected daily read log): the restriction holds the body's dates", () => {
    const json = payloadOf("4.6.1", "ESME", readLog("RetrieveImportDailyReadLog"));
    assert.ok(json.includes(toHex(unspecifiedZoneDateTime(from)).toUpperCase()), json);
    assert.ok(json.includes(toHex(unspecifiedZoneDateTime(to)).toUpperCase()), json);
    // 2023-06-01 12:30:00 UTC, day of week, deviation and status not specified.
    assert.ok(json.includes("07E70601FF0C1E00008000FF"), json);
  });

  it("ECS20a (debt payments log): the range descriptor holds the body's UTC seconds", () => {
    const json = payloadOf("4.4.4", "ESME", readLog("RetrieveBillingDataLogDebtPayments"));
    assert.ok(json.includes(`"double-long-unsigned","value":${utcSeconds(from)}`), json);
    assert.ok(json.includes(`"double-long-unsigned","value":${utcSeconds(to)}`), json);
  });

  it("GCS17 (gas profile data): start time and half-hour count from the body", () => {
    const json = payloadOf("4.8.1", "GSME", readLog("ReadActiveImportProfileData"));
    assert.ok(json.includes(`"earliestSampleTime":${utcSeconds(from)}`), json);
    assert.ok(json.includes('"numberOfSamples":97'), json);
  });

  it("GCS16a (gas daily log): 31 snapshots of the body's period", () => {
    const json = payloadOf("4.6.1", "GSME", readLog("RetrieveImportDailyReadLog"));
    const snapshots = json.match(/"getSnapshot"/g) ?? [];
    assert.equal(snapshots.length, 31);
    assert.ok(
      json.includes(`"earliestStartTime":${utcSeconds(from)},"latestEndTime":${utcSeconds(to)}`),
      json,
    );
  });

  it("GCS15e: an end beyond ZigBee UTCTime is sent as its largest valid value", () => {
    const body = readLog("RetrieveBillingDataLogPrepaymentCredits", FROM, "3000-12-31T00:00:00Z");
    assert.ok(payloadOf("4.4.5", "GSME", body).includes('"latestEndTime":4294967294'));
  });

  it("a range read without ReadLogPeriod is refused naming the path", () => {
    const result = transformer.transform("4.8.1", "ESME", {
      ...esme,
      body: el("ReadActiveImportProfileData"),
    });
    assert.equal(result.ok, false);
    assert.equal(result.ok ? "" : result.kind, "body");
    assert.equal(result.ok ? "" : result.path, "ReadLogPeriod/StartDateTime");
  });
});
