/**
 * The device-settings commands (SRV 6.11-6.32) bind their DUIS values by path: bodies with values
 * other than the RTDS templates' give commands the codec decodes with those values (the conformance
 * test checks the templates' own values byte for byte).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommandTransformer, type TransformInput } from "../../src/dcc/transform/index.js";
import { type DuisElement, el } from "../../src/duis/model/element.js";
import type { DlmsData } from "../../src/gbcs/dlms/data.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import type { GbcsPayload } from "../../src/gbcs/payload.js";
import { KeyStore } from "../../src/smki/keystore.js";
import type { DeviceType } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

const ESME = "00db1234567890a0";
const GSME = "00db1234567890a1";
const CHF = "00db1234567890a2";
const AT = Date.UTC(2020, 5, 1);

describe("device settings: DUIS values reach the command", () => {
  const transformer = new CommandTransformer(KeyStore.fromDirectory(reference("rtds-keystore")));

  function build(srv: string, type: DeviceType, device: string, body: DuisElement, critical = false) {
    const input: TransformInput = { originator: "90b3d51f30010000", device, counter: 7n, body, at: AT };
    const result = critical
      ? transformer.preCommand(srv, type, input)
      : transformer.transform(srv, type, input);
    assert.ok(result.ok, result.ok ? "" : `${result.kind}: ${result.reason}`);
    return { useCase: result.useCase, payload: decodeMessage(result.bytes).payload };
  }

  function dlmsOf(payload: GbcsPayload) {
    assert.equal(payload.family, "dlms");
    if (payload.family !== "dlms" || payload.apdu.apdu !== "access-request") throw new Error("not a command");
    return payload.apdu;
  }

  const hex = (d: DlmsData | undefined): string =>
    d !== undefined && (d.type === "octet-string" || d.type === "bit-string")
      ? Buffer.from(d.type === "octet-string" ? d.value : d.bits).toString("hex")
      : "";

  it("6.12: the two power thresholds", () => {
    const { payload } = build(
      "6.12",
      "ESME",
      ESME,
      el("UpdateDeviceConfigurationInstantaneousPowerThreshold", [
        el("LowMediumPowerThreshold", "1234"),
        el("MediumHighPowerThreshold", "98765"),
      ]),
    );
    assert.deepEqual(dlmsOf(payload).accessRequestListOfData[0], {
      type: "array",
      elements: [
        { type: "double-long-unsigned", value: 1234 },
        { type: "double-long-unsigned", value: 98765 },
      ],
    });
  });

  it("6.11: the clock's validity interval from the current time and tolerance", () => {
    const { payload } = build(
      "6.11",
      "ESME",
      ESME,
      el("SynchroniseClock", [
        el("CurrentDateTime", "2021-03-04T05:06:07.00Z"),
        el("TolerancePeriod", "120"),
      ]),
      true,
    );
    const preset = dlmsOf(payload).accessRequestListOfData[1];
    assert.ok(preset?.type === "structure");
    assert.equal(hex(preset.elements[1]), "07e50304ff050607008000ff");
    assert.equal(hex(preset.elements[2]), "07e50304ff050807008000ff");
  });

  it("6.13: the log the body names and its period, on the ESME and the GSME", () => {
    const body = (log: string) =>
      el("ReadEventOrSecurityLog", [
        el("ReadLogPeriod", [
          el("StartDateTime", "2020-01-01T00:00:00Z"),
          el("EndDateTime", "2020-02-01T00:00:00Z"),
        ]),
        el("LogToRead", log),
      ]);
    const esme = build("6.13", "ESME", ESME, body("PowerEvent"));
    assert.equal(esme.useCase, "ECS35e");
    const spec = dlmsOf(esme.payload).accessRequestSpecification[0];
    assert.ok(spec?.kind === "access-request-get-with-selection");
    assert.equal(spec.cosemAttributeDescriptor.instanceId, "0-0:99.98.4.255");
    const range = spec.accessSelection.accessParameters;
    assert.ok(range.type === "structure");
    assert.deepEqual(range.elements[1], { type: "double-long-unsigned", value: 631152000 });
    assert.deepEqual(range.elements[2], { type: "double-long-unsigned", value: 633830400 });

    const gsme = build("6.13", "GSME", GSME, body("Security"));
    assert.equal(gsme.useCase, "CS10b");
    assert.equal(build("6.13", "CHF", CHF, body("Event")).useCase, "ECS35c");
  });

  it("6.22: the alert behaviour bits of other alerts", () => {
    const { useCase, payload } = build(
      "6.22",
      "ESME",
      ESME,
      el("ConfigureAlertBehaviour", [
        el("ElectricitySupplierAlarmSettings", [
          el("SupplierESMECommon", [el("x8101", "Enable"), el("x8102", "Disable")]),
        ]),
      ]),
    );
    assert.equal(useCase, "ECS25a2");
    const bits = hex(dlmsOf(payload).accessRequestListOfData[0]);
    // Mask: bits 1 and 2 of the first half; values: bit 1 of the second.
    assert.equal(bits.slice(62, 64), "06");
    assert.equal(bits.slice(126, 128), "02");
  });

  it("6.20.1: the MPRN of a gas meter", () => {
    const { payload } = build(
      "6.20.1",
      "GSME",
      GSME,
      el("SetDeviceConfigurationImportMPxN", [el("ImportMPRN", "987654")]),
    );
    assert.ok(payload.family === "gbz" && payload.kind === "components");
    const frame = payload.components[0]?.body;
    assert.ok(frame !== undefined && !frame.encrypted && frame.frame.payload.kind === "command");
    assert.deepEqual(frame.frame.payload.fields.siteId, Uint8Array.from(Buffer.from("987654")));
  });

  it("6.14.3: a controller's level and input in the script selector", () => {
    const { payload } = build(
      "6.14.3",
      "HCALCS",
      "00db1234567890a6",
      el("UpdateDeviceConfigurationAuxiliaryControllerScheduler", [
        el("AuxiliaryControllerSchedule", [
          el(
            "AuxiliaryControllerAction",
            [el("CommandedStateLevel", "25"), el("InputFromControlledLoad")],
            [["auxiliaryControllerN", "3"]],
          ),
          el("AuxiliaryControllerSchedulePeriodAndTime", [
            el("SwitchTime", "07:45:00Z"),
            el("StartDate", [
              el("Year", [el("SpecifiedYear", "2022")]),
              el("Month", [el("NonSpecifiedMonth")]),
              el("DayOfMonth", [el("NonSpecifiedDayOfMonth")]),
              el("DayOfWeek", [el("NonSpecifiedDayOfWeek")]),
            ]),
            el("EndDate", [
              el("Year", [el("NonSpecifiedYear")]),
              el("Month", [el("SpecifiedMonth", "2")]),
              el("DayOfMonth", [el("SpecifiedDayOfMonth", "3")]),
              el("DayOfWeek", [el("NonSpecifiedDayOfWeek")]),
            ]),
          ]),
        ]),
        el("AuxiliaryControllerSpecialDayDefinitions"),
      ]),
      true,
    );
    const schedule = dlmsOf(payload).accessRequestListOfData[1];
    assert.ok(schedule?.type === "array" && schedule.elements[0]?.type === "structure");
    const entry = schedule.elements[0].elements;
    assert.deepEqual(entry[3], { type: "long-unsigned", value: 0x2399 });
    assert.equal(hex(entry[4]), "072d0000");
    assert.equal(hex(entry[8]), "07e6ffffff");
    assert.equal(hex(entry[9]), "ffff0203ff");
  });

  it("6.28: the sub-GHz channels and thresholds", () => {
    const { payload } = build(
      "6.28",
      "CHF",
      CHF,
      el("SetCHFSubGHzConfiguration", [
        el("LowerBandSubGHzChannels0To26", [el("Channel0"), el("Channel26")]),
        el("LowerBandSubGHzChannels27To34", [el("Channel34")]),
        el("LowerBandSubGHzChannels35To61", [el("Channel35")]),
        el("UpperBandSubGHzChannels0To26", [el("Channel3")]),
        el("NormalLimitedDutyCycleThreshold", "0.5"),
        el("LimitedCriticalDutyCycleThreshold", "1.25"),
        el("MaximumSubGHzChannelChangesPerWeek", "9"),
        el("GSMECurfew", "8"),
        el("ChannelQuieterThreshold", "3"),
        el("ChannelNoisierThreshold", "4"),
        el("NonGSMEPoorCommsPercentageThreshold", "12.5"),
        el("NonGSMEPoorCommsMeasurementPeriods", "10"),
        el("LocalCHNoiseMeasurementPeriod", "11"),
        el("LocalCHFailurePercentage", "1.00"),
        el("LocalCHRetryPercentage", "2"),
      ]),
    );
    const config = dlmsOf(payload).accessRequestListOfData[0];
    assert.ok(config?.type === "structure");
    assert.deepEqual(config.elements.slice(0, 4).map(hex), ["e4000001", "e8000080", "f0000001", "f8000008"]);
    assert.deepEqual(
      config.elements.slice(4).map((e) => ("value" in e ? e.value : undefined)),
      [50, 125, 9, 8, 3, 4, 1250, 10, 11, 100, 200],
    );
  });
});
