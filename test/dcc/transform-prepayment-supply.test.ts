/**
 * The prepayment (2.x, 3.x) and supply (7.x) commands read their DUIS values by path: bodies with
 * values other than the RTDS templates' give commands that the GBCS codec decodes with those values
 * (the conformance test checks the templates' own values byte for byte). Also: a body the device
 * executes at a future date carries it, one the DCC held until its date does not, and a missing
 * field is refused with its path.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCriticalSrv } from "../../src/catalogue/index.js";
import { CommandTransformer } from "../../src/dcc/transform/index.js";
import { type DuisElement, el } from "../../src/duis/model/element.js";
import type { DlmsData } from "../../src/gbcs/dlms/data.js";
import type { DlmsPayload } from "../../src/gbcs/dlms/index.js";
import type { GbzComponentsPayload } from "../../src/gbcs/gbz/gbz-payload.js";
import type { ZclFields } from "../../src/gbcs/gbz/zcl-fields.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { KeyStore } from "../../src/smki/keystore.js";
import type { DeviceType } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

const SUPPLIER = "90B3D51F30010000";
const ESME = "00DB1234567890A0";
const GSME = "00DB1234567890A1";
const AT = Date.UTC(2024, 5, 1, 12);
/** Seconds since 2000-01-01 (ZigBee UTCTime). */
const zigbee = (ms: number) => (ms - Date.UTC(2000, 0, 1)) / 1000;

const transformer = new CommandTransformer(KeyStore.fromDirectory(reference("rtds-keystore")));

/** Transforms (a pre-command for a critical SRV) and decodes the result. */
function decoded(srv: string, type: DeviceType, body: DuisElement) {
  const input = { originator: SUPPLIER, device: type === "ESME" ? ESME : GSME, counter: 4242n, body, at: AT };
  const result = isCriticalSrv(srv)
    ? transformer.preCommand(srv, type, input)
    : transformer.transform(srv, type, input);
  assert.ok(result.ok, result.ok ? "" : `${result.kind}: ${result.reason}`);
  return { useCase: result.useCase, message: decodeMessage(result.bytes) };
}

function dlmsOf(srv: string, body: DuisElement): DlmsPayload["apdu"] & { apdu: "access-request" } {
  const { message } = decoded(srv, "ESME", body);
  const payload = message.payload as DlmsPayload;
  assert.equal(payload.family, "dlms");
  const apdu = payload.apdu;
  assert.equal(apdu.apdu, "access-request");
  return apdu as DlmsPayload["apdu"] & { apdu: "access-request" };
}

function zclCommands(
  srv: string,
  type: DeviceType,
  body: DuisElement,
): { name: string; fields: ZclFields }[] {
  const payload = decoded(srv, type, body).message.payload as GbzComponentsPayload;
  assert.equal(payload.family, "gbz");
  return payload.components.map((c) => {
    assert.equal(c.body.encrypted, false);
    const frame = c.body.encrypted ? undefined : c.body.frame;
    const p = frame?.payload;
    assert.ok(p !== undefined && p.kind === "command");
    return { name: p.name, fields: p.fields };
  });
}

const structureOf = (d: DlmsData | undefined): readonly DlmsData[] => {
  assert.ok(d !== undefined && d.type === "structure");
  return d.elements;
};

describe("transform 2.x, 3.x and 7.x with values of the body's own", () => {
  it("2.3 ECS07: the debts, the recovery rates and their periods are the body's", () => {
    const recovery = (rate: string, scale: string, period: string) => [
      el("DebtRecoveryRate", rate),
      el("DebtRecoveryRatePriceScale", scale),
      el("DebtRecoveryRatePeriod", period),
    ];
    const apdu = dlmsOf(
      "2.3",
      el("UpdateDebt", [
        el("TimeDebtRegister1", "123"),
        el("TimeDebtRegister2", "-45"),
        el("PaymentDebtRegister", "678"),
        el("DebtRecoveryPerPayment", "2500"),
        el("ElecDebtRecovery1", recovery("7", "-2", "HOURLY")),
        el("ElecDebtRecovery2", recovery("9", "0", "DAILY")),
      ]),
    );
    const data = apdu.accessRequestListOfData;
    const [scaling, , table] = structureOf(data[0]);
    assert.deepEqual(structureOf(scaling)[1], { type: "integer", value: -2 });
    assert.ok(table?.type === "array");
    assert.deepEqual(structureOf(table.elements[0])[1], { type: "long", value: 7 });
    assert.deepEqual(data[2], { type: "long-unsigned", value: 2500 });
    assert.deepEqual(data[3], { type: "double-long-unsigned", value: 3600 });
    assert.deepEqual(data[4], { type: "double-long-unsigned", value: 86400 });
    assert.deepEqual(data.slice(7), [
      { type: "double-long", value: 678 },
      { type: "double-long", value: 123 },
      { type: "double-long", value: -45 },
    ]);
  });

  it("2.2 CS01b: the UTRN is the top-up code", () => {
    const [topUp] = zclCommands("2.2", "GSME", el("TopUpDevice", [el("UTRN", "12345678901234567890")]));
    assert.equal(topUp?.name, "consumerTopUp");
    assert.equal(
      Buffer.from(topUp?.fields.topUpCode as Uint8Array).toString("latin1"),
      "12345678901234567890",
    );
  });

  it("2.1 GCS05: a future date and the body's thresholds reach every command; no special days, no Publish Special Days", () => {
    const when = Date.UTC(2031, 2, 4, 5, 6);
    const action = (time: string, act: string) =>
      el("TimeStartAction", [el("StartTime", time), el("NonDisablementAction", act)]);
    const gasDate = (year: string, month: string, day: string) => [
      el("GasYearWithWildcards", [el("SpecifiedYear", year)]),
      el("GasMonthWithWildcards", [el("SpecifiedMonth", month)]),
      el("GasDayOfMonthWithWildcards", [el("SpecifiedDayOfMonth", day)]),
      el("GasDayOfWeekWithWildcards", [el("NonSpecifiedDayOfWeek")]),
    ];
    const week = el("WeekProfile", [
      el("WeekName", "1"),
      ...[1, 2, 3, 4, 5, 6, 7].map((i) => el("ReferencedDayName", i < 6 ? "1" : "2", [["index", String(i)]])),
    ]);
    const commands = zclCommands(
      "2.1",
      "GSME",
      el("UpdatePrepayConfiguration", [
        el("ExecutionDateTime", new Date(when).toISOString()),
        el("UpdatePrepayConfigGas", [
          el("DebtRecoveryRateCap", "11"),
          el("EmergencyCreditLimit", "22"),
          el("EmergencyCreditThreshold", "33"),
          el("LowCreditThreshold", "44"),
          el("GasNonDisablementCalendar", [
            el("DayProfiles", [
              el("GasNonDisablementDayProfile", [action("06:15:00Z", "STOP"), el("GasDayName", "1")]),
              el("GasNonDisablementDayProfile", [action("00:00:00Z", "START"), el("GasDayName", "2")]),
            ]),
            el("WeekProfiles", [week]),
            el("SeasonProfiles", [
              el("Season", [el("SeasonStartDate", gasDate("2031", "1", "2")), el("ReferencedWeekName", "1")]),
            ]),
            el("SpecialDays"),
          ]),
          el("MaxMeterBalance", "55"),
          el("MaxCreditThreshold", "66"),
        ]),
      ]),
    );
    assert.deepEqual(
      commands.map((c) => c.name),
      [
        "emergencyCreditSetup",
        "setOverallDebtCap",
        "setLowCreditWarningLevel",
        "setMaximumCreditLimit",
        "publishCalendar",
        "publishDayProfile",
        "publishDayProfile",
        "publishWeekProfile",
        "publishSeasons",
      ],
    );
    const [credit, cap, low, max, calendar, day1, , weekProfile, seasons] = commands.map((c) => c.fields);
    assert.deepEqual(
      [credit?.startTime, credit?.emergencyCreditLimit, credit?.emergencyCreditThreshold],
      [zigbee(when), 22, 33],
    );
    assert.deepEqual([cap?.implementationDateTime, cap?.overallDebtCap], [zigbee(when), 11]);
    assert.equal(low?.lowCreditWarningLevel, 44);
    assert.deepEqual([max?.maximumCreditLevel, max?.maximumCreditPerTopUp], [55, 66]);
    assert.deepEqual([calendar?.startTime, calendar?.numberOfDayProfiles], [zigbee(when), 2]);
    assert.deepEqual(day1?.dayScheduleEntries, [{ startTime: 375, priceTier: 0 }]);
    assert.deepEqual([weekProfile?.dayIdRefFriday, weekProfile?.dayIdRefSaturday], [1, 2]);
    assert.deepEqual(seasons?.seasonEntries, [
      { seasonStartDate: Uint8Array.of(131, 1, 2, 0xff), weekIdRef: 1 },
    ]);
  });

  it("3.1 ECS10: a message the DCC held until its date is sent as an on-demand command, with the body's text", () => {
    const apdu = dlmsOf(
      "3.1",
      el("DisplayMessage", [el("ExecutionDateTime", "2030-01-15T09:00:00Z"), el("SupplierMessage", "Hello")]),
    );
    assert.equal(apdu.dateTime, null);
    assert.deepEqual(apdu.accessRequestListOfData[0], {
      type: "octet-string",
      value: Uint8Array.from(Buffer.from("Hello")),
    });
  });

  it("7.13 ECS47a: controller, direction, level and period come from the body", () => {
    const apdu = dlmsOf(
      "7.13",
      el(
        "SetAuxiliaryControllerState",
        [
          el("StartDateTime", "2026-02-03T04:05:06Z"),
          el("EndDateTime", "2026-02-03T05:00:00Z"),
          el("CommandedStateLevel", "75"),
          el("InputFromControlledLoad"),
        ],
        [["auxiliaryControllerN", "2"]],
      ),
    );
    assert.deepEqual(
      apdu.accessRequestSpecification.map((s) =>
        s.kind === "access-request-action"
          ? s.cosemMethodDescriptor.instanceId
          : s.cosemAttributeDescriptor.instanceId,
      ),
      ["0-0:94.44.118.1", "0-0:94.44.118.2", "0-0:10.0.103.255"],
    );
    assert.deepEqual(apdu.accessRequestListOfData[0], {
      type: "octet-string",
      value: Uint8Array.of(0x07, 0xea, 2, 3, 0xff, 4, 5, 6, 0, 0x80, 0, 0xff),
    });
    assert.deepEqual(apdu.accessRequestListOfData[2], { type: "long-unsigned", value: 0x224b });
  });

  it("7.10 ECS62: only the switches the body marks leave the boost button", () => {
    const apdu = dlmsOf(
      "7.10",
      el(
        "RemoveAuxiliaryLoadFromBoostButton",
        [1, 2, 3, 4, 5].map((i) =>
          el("RemoveFromBoostButton", i === 2 || i === 5 ? "true" : "false", [["index", String(i)]]),
        ),
      ),
    );
    assert.deepEqual(
      apdu.accessRequestSpecification.map((s) =>
        s.kind === "access-request-set" ? s.cosemAttributeDescriptor.instanceId : "",
      ),
      ["0-0:94.44.6.2", "0-0:94.44.6.5"],
    );
    assert.deepEqual(apdu.accessRequestListOfData, [
      { type: "boolean", value: false },
      { type: "boolean", value: false },
    ]);
  });

  it("refuses a body that lacks a field the command needs, naming its path", () => {
    const result = transformer.preCommand("2.3", "GSME", {
      originator: SUPPLIER,
      device: GSME,
      counter: 1n,
      body: el("UpdateDebt", [el("TimeDebtRegister1", "1")]),
      at: AT,
    });
    assert.equal(result.ok, false);
    assert.equal(result.ok ? "" : result.kind, "body");
    assert.match(result.ok ? "" : (result.path ?? ""), /TimeDebtRegister2|GasDebtRecovery1/);
  });
});
