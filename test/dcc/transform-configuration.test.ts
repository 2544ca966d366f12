/**
 * The device configuration commands (SRV 6.4-6.8) take their values from the body, not from the
 * RTDS templates: bodies with values other than the templates' give commands that decode with those
 * values (the conformance test holds the templates' own values byte for byte).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { activationDateTime, scaledDecimal } from "../../src/dcc/transform/commands/configuration.js";
import { CommandTransformer, type TransformInput } from "../../src/dcc/transform/index.js";
import { type DuisElement, el } from "../../src/duis/model/element.js";
import { toHex } from "../../src/gbcs/cursor.js";
import { messageToJson } from "../../src/gbcs/json.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { KeyStore } from "../../src/smki/keystore.js";
import type { DeviceType } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

const ESME = "00DB1234567890A0";
const GSME = "00DB1234567890A1";
const AT = Date.UTC(2016, 5, 1);

interface Decoded {
  readonly useCase: string;
  readonly payload: {
    readonly apdu?: {
      readonly accessRequestSpecification: readonly {
        readonly kind: string;
        readonly cosemAttributeDescriptor?: {
          readonly classId: number;
          readonly instanceId: string;
          readonly attributeId: number;
        };
      }[];
      readonly accessRequestListOfData: readonly unknown[];
    };
    readonly components?: readonly {
      readonly body: {
        readonly frame: {
          readonly header: { readonly frameControl: { readonly direction: string } };
          readonly payload: { readonly name?: string; readonly fields?: Record<string, unknown> };
        };
      };
    }[];
  };
}

describe("device configuration commands bind the body's values", () => {
  const transformer = new CommandTransformer(KeyStore.fromDirectory(reference("rtds-keystore")));

  function build(srv: string, type: DeviceType, body: DuisElement, critical: boolean): Decoded {
    const input: TransformInput = {
      originator: "90B3D51F30010000",
      device: type === "ESME" ? ESME : GSME,
      counter: 4242n,
      body,
      at: AT,
    };
    const result = critical
      ? transformer.preCommand(srv, type, input)
      : transformer.transform(srv, type, input);
    assert.ok(result.ok, result.ok ? "" : result.reason);
    return messageToJson(decodeMessage(result.bytes)) as unknown as Decoded;
  }

  /** DLMS sets as `obis/attribute` → data. */
  function sets(d: Decoded): Map<string, unknown> {
    const apdu = d.payload.apdu;
    assert.ok(apdu !== undefined);
    const out = new Map<string, unknown>();
    apdu.accessRequestSpecification.forEach((s, i) => {
      const a = s.cosemAttributeDescriptor;
      if (s.kind === "access-request-set" && a !== undefined) {
        out.set(`${a.instanceId}/${a.attributeId}`, apdu.accessRequestListOfData[i]);
      }
    });
    return out;
  }

  function fields(d: Decoded): Record<string, unknown>[] {
    return (d.payload.components ?? []).map((c) => c.body.frame.payload.fields ?? {});
  }

  it("6.4.1 ECS28a: the settings and a future ExecutionDateTime", () => {
    const d = build(
      "6.4.1",
      "ESME",
      el("UpdateDeviceConfigurationLoadLimitingGeneralSettings", [
        el("ExecutionDateTime", "2031-06-02T10:30:00Z"),
        el("LoadLimitPeriod", "600"),
        el("LoadLimitPowerThreshold", "7200"),
        el("LoadLimitRestorationPeriod", "45"),
        el("LoadLimitSupplyState", "Unchanged"),
      ]),
      true,
    );
    assert.equal(d.useCase, "ECS28a");
    const s = sets(d);
    assert.deepEqual(s.get("0-0:94.44.0.3/4"), { type: "boolean", value: false });
    assert.deepEqual(s.get("0-0:94.44.128.7/4"), { type: "double-long-unsigned", value: 7200 });
    assert.deepEqual(s.get("0-0:94.44.128.6/4"), { type: "double-long-unsigned", value: 600 });
    assert.deepEqual(s.get("0-0:94.44.128.8/4"), { type: "double-long-unsigned", value: 45 });
    assert.deepEqual(s.get("0-0:94.44.128.8/6"), { type: "octet-string", value: "07EF0602FF0A1E00008000FF" });
  });

  it("activation date-time: now, cancelled, at a time", () => {
    assert.equal(toHex(activationDateTime(undefined)), "0000000000000000008000FF");
    assert.equal(toHex(activationDateTime(Date.UTC(3000, 11, 31))), "FFFFFFFFFFFFFFFFFF8000FF");
    assert.equal(toHex(activationDateTime(Date.UTC(2030, 0, 15, 9))), "07EE010FFF090000008000FF");
  });

  it("6.5 ECS29d: each phase's thresholds go to that phase's objects, no counter resets", () => {
    const phaseSettings = (p: number, over: number, under: number, period: number) =>
      el("PolyPhaseVoltageSettings", [
        el("Phase", String(p)),
        el("PhaseVoltageSettings", [
          el("AverageRMSOverVoltageThreshold", String(over)),
          el("AverageRMSUnderVoltageThreshold", String(under)),
          el("AverageRMSVoltageMeasurementPeriod", String(period)),
        ]),
      ]);
    const rms = el(
      "RMSVoltageSettings",
      [
        ["RMSExtremeOverVoltageMeasurementPeriod", 11],
        ["RMSExtremeOverVoltageThreshold", 290],
        ["RMSExtremeUnderVoltageMeasurementPeriod", 12],
        ["RMSExtremeUnderVoltageThreshold", 170],
        ["RMSVoltageSagMeasurementPeriod", 13],
        ["RMSVoltageSagThreshold", 210],
        ["RMSVoltageSwellMeasurementPeriod", 14],
        ["RMSVoltageSwellThreshold", 260],
      ].map(([n, v]) => el(String(n), String(v))),
    );
    const d = build(
      "6.5",
      "ESME",
      el("UpdateDeviceConfigurationVoltage", [
        rms,
        // Phases in another order than 1, 2, 3: bound by their Phase number.
        phaseSettings(3, 263, 203, 63),
        phaseSettings(1, 261, 201, 61),
        phaseSettings(2, 262, 202, 62),
        el("RMSVoltageCountersNotReset"),
      ]),
      false,
    );
    assert.equal(d.useCase, "ECS29d");
    const s = sets(d);
    const dlu = (value: number) => ({ type: "double-long-unsigned", value });
    assert.deepEqual(s.get("1-0:52.35.0.4/2"), dlu(262));
    assert.deepEqual(s.get("1-0:72.31.0.4/2"), dlu(203));
    assert.deepEqual(s.get("1-0:32.24.0.255/4"), dlu(61));
    assert.deepEqual(s.get("0-0:17.0.3.255/6"), dlu(13));
    assert.deepEqual(s.get("0-0:17.0.4.255/4"), dlu(260));
    assert.equal(d.payload.apdu?.accessRequestSpecification.length, 17);
  });

  it("6.6 GCS23: the decimals scaled to the use case's fixed digits, sent as the ESI", () => {
    const d = build(
      "6.6",
      "GSME",
      el("UpdateDeviceConfigurationGasConversion", [
        el("CalorificValue", "39.5"),
        el("ConversionFactor", "1.0231"),
      ]),
      true,
    );
    const [conversion, calorific] = fields(d);
    assert.equal(conversion?.conversionFactor, 102310);
    assert.equal(calorific?.calorificValue, 395);
    assert.equal(d.payload.components?.[0]?.body.frame.header.frameControl.direction, "serverToClient");
  });

  it("6.7 GCS24a: the decimal rate in ten-thousandths, a locked tamper state", () => {
    const d = build(
      "6.7",
      "GSME",
      el("UpdateDeviceConfigurationGasFlow", [
        el("UncontrolledGasFlowRateDecimal", "0.5"),
        el("SupplyDepletionState", "Unchanged"),
        el("SupplyTamperState", "Locked"),
        el("StabilisationPeriod", "20"),
        el("MeasurementPeriod", "120"),
      ]),
      true,
    );
    assert.equal(d.useCase, "GCS24a");
    const [threshold, status] = fields(d);
    assert.equal(threshold?.uncontrolledFlowThreshold, 5000);
    assert.equal(threshold?.divisor, 10000);
    assert.equal(threshold?.stabilisationPeriod, 20);
    assert.equal(status?.supplyTamperState, 0);
    assert.equal(status?.supplyDepletionState, 3);
  });

  it("6.8 ECS30a: quarterly from November, one entry a billing month", () => {
    const d = build(
      "6.8",
      "ESME",
      el("UpdateDeviceConfigurationBillingCalendar", [
        el("ElectricityBillingCalendar", [
          el("BillingTime", "23:30:00Z"),
          el("Quarterly", [el("DayOfMonth", "15"), el("BillingPeriodStartMonth", "11")]),
        ]),
      ]),
      true,
    );
    assert.equal(d.useCase, "ECS30a");
    const calendar = sets(d).get("0-0:15.0.0.255/4") as { elements: { elements: { value: string }[] }[] };
    assert.deepEqual(
      calendar.elements.map((e) => e.elements.map((x) => x.value).join(" ")),
      ["171E0000 FFFF0B0FFF", "171E0000 FFFF020FFF", "171E0000 FFFF050FFF", "171E0000 FFFF080FFF"],
    );
  });

  it("6.8 GCS25a: a quarterly gas billing period from its start", () => {
    const d = build(
      "6.8",
      "GSME",
      el("UpdateDeviceConfigurationBillingCalendar", [
        el("GasBillingCalendar", [
          el("BillingPeriodStart", "2016-03-01T00:00:00Z"),
          el("Periodicity", "Quarterly"),
        ]),
      ]),
      true,
    );
    assert.equal(d.useCase, "GCS25a");
    const [billing, block] = fields(d);
    const start = (Date.UTC(2016, 2, 1) - Date.UTC(2000, 0, 1)) / 1000;
    assert.equal(billing?.billingPeriodStartTime, start);
    assert.equal(billing?.billingPeriodDuration, 3);
    assert.equal(block?.blockPeriodDurationType, 0x23);
    assert.equal(billing?.issuerEventId, (AT - Date.UTC(2000, 0, 1)) / 1000);
  });

  it("a decimal with more fraction digits than the use case carries is refused by path", () => {
    assert.throws(
      () => scaledDecimal(el("X", [el("CalorificValue", "39.55")]), "CalorificValue", 1),
      /CalorificValue/,
    );
    assert.equal(scaledDecimal(el("X", [el("V", "2.50")]), "V", 1), 25);
  });
});
