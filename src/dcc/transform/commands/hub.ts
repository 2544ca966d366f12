/**
 * SRV 8.x, 9.x, 11.x and 14.x: the Communications Hub and its HAN (device log, joins and unjoins,
 * commissioning, restore), firmware, synchronising clocks.
 *
 * Built here: 8.1.1 Commission Device (ECS70 on an ESME, GCS28 on a GSME), 8.8.1/8.8.2 Unjoin
 * (CS04AC, CS04B), 8.9 Read Device Log (CS07 on a GSME, CCS06/CCS07 on the hub), 8.11 Update HAN
 * Device Log "Remove" (CCS02), 11.2 Read Firmware Version (ECS52, GCS38, CS08), 11.3 Activate
 * Firmware (CS06) and 14.1 Record Network Data (GCS31).
 *
 * The joins of 8.7.1/8.7.2 (CS03A1, CS03A2, CS03B, CS03C) and 8.11 "Add" (CCS01) carry facts the
 * DUIS body does not: the other device's type (and for CS03C its key agreement certificate), read
 * from the DCC's records (`ctx.records`: the Smart Metering Inventory and SMKI).
 *
 * Not built: 8.12.1 and 8.12.2 restores (CCS03, GCS59 carry the old device log, which the DCC does
 * not keep yet). 9.1 (ECS50, GCS36) carries a Customer Identification Number the DCC generates:
 * `customer-identification-number.ts`.
 */
import { messageCodeOf } from "../../../catalogue/index.js";
import type { DuisElement } from "../../../duis/model/element.js";
import type { ObisCode } from "../../../gbcs/dlms/index.js";
import { ZclCluster } from "../../../gbcs/gbz/zcl-commands.js";
import type { DeviceType } from "../../../store/types.js";
import { asn1, entityId, withExecutionDateTime } from "../asn1-fields.js";
import { dateTime, has, hexBinary, integer, optionalText, text } from "../body.js";
import { BodyFieldError, type CommandContext, type CommandSpec } from "../command-spec.js";
import { customerIdentificationNumberCommands } from "../customer-identification-number.js";
import { accessRequest, action, dlms, get, set } from "../dlms-builder.js";
import { command, gbzCommand, readAttributes, zigbeeUtc } from "../gbz-builder.js";
import { addToChfDeviceLog } from "../han-device-logs.js";
import { joinCommand, joinUseCaseFor } from "../han-joins.js";

/** The ESME's Clock (class 8) and the attributes and methods ECS70 uses (IEC 62056-6-2 §4.5.1). */
const CLOCK = { classId: 8, obis: "0-0:1.0.0.255" as ObisCode } as const;
const Clock = {
  time: 2,
  status: 4,
  clockBase: 9,
  adjustToPresetTime: 4,
  presetAdjustingTime: 5,
} as const;
/** clock_base (5): radio controlled, i.e. set from the DCC's time (GBCS ECS70). */
const CLOCK_BASE_RADIO_CONTROLLED = 5;

/**
 * A COSEM date-time as ECS70 writes its validity interval: day of week, deviation and clock status
 * not specified (0xFF, 0x8000, 0xFF), hundredths 0.
 */
function ecs70DateTime(ms: number): Uint8Array {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  return Uint8Array.from([
    year >> 8,
    year & 0xff,
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    0xff,
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    0x00,
    0x80,
    0x00,
    0xff,
  ]);
}

/** preset_time of ECS70: wholly not specified (the meter takes the time at adjust_to_preset_time). */
const PRESET_TIME_NOT_SPECIFIED = Uint8Array.from([
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0xff,
]);

/** The validity interval of 8.1.1: from CurrentDateTime for TolerancePeriod seconds. */
function validityInterval(body: DuisElement): { start: number; end: number } {
  const start = dateTime(body, "CurrentDateTime");
  return { start, end: start + integer(body, "TolerancePeriod") * 1000 };
}

/** The ESME's active firmware version (class 1 Data, 0-0:0.2.1.255), as ECS52 reads it. */
const ESME_FIRMWARE_VERSION = { classId: 1, obis: "0-0:0.2.1.255" as ObisCode, attributeId: 2 } as const;

/** GCS38 reads the GSME's firmware version: Metering cluster, Meter Status set, CurrentMeterID (0x0206). */
const GSME_FIRMWARE_VERSION_ATTRIBUTE = 0x0206;

/** The hub's HAN device log (class 104 ZigBee network control): CCS02 removes, CCS06/07 read. */
const CHF_DEVICE_LOG = { classId: 104, obis: "0-0:30.3.0.255" as ObisCode } as const;
/** The hub's GPF device log object, which CCS07 reads beside the CHF's. */
const GPF_DEVICE_LOG = { classId: 104, obis: "0-0:30.3.1.255" as ObisCode } as const;
const DeviceLog = {
  /** Attribute 4: the device log entries. */
  entries: 4,
  /** Method 2: unregister_device (remove a device from the whitelist). */
  unregisterDevice: 2,
  /** Method 4: read the security details of the log's entries. */
  readSecurityDetails: 4,
} as const;

/**
 * GCS31 Start Network Data Log: ZSE Start Sampling, now, of consumption delivered (sample type 0)
 * every 360 s, 41 samples (the GBZ message template's values, as RTDS sends them).
 */
const GCS31_SAMPLING = {
  startSamplingTime: 0,
  sampleType: 0,
  sampleRequestInterval: 360,
  maxNumberOfSamples: 41,
};

/** CS04AC / CS04B Unjoin: the other device's entity identifier. */
function unjoin(
  srv: "8.8.1" | "8.8.2",
  useCase: "CS04AC" | "CS04B",
  deviceTypes: CommandSpec["deviceTypes"],
) {
  return {
    srv,
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes,
    payload: (ctx) => asn1("UnjoinDeviceCommand", entityId(ctx.body, "OtherDeviceID")),
  } satisfies CommandSpec;
}

/** The other device's SMI type, from the DCC's records; a BodyFieldError when it has none. */
function recordedType(ctx: CommandContext, path: string): DeviceType {
  const eui = text(ctx.body, path).replaceAll("-", "");
  const type = ctx.records.deviceType(eui);
  if (type === undefined) throw new BodyFieldError(path, `${eui} is not in the Smart Metering Inventory`);
  return type;
}

/**
 * The join rows of one SRV (8.7.1 critical, 8.7.2 not): per use case, the target's types; the row
 * applies when the other device (OtherDeviceID) is of a type that joins the target by that method.
 */
function joins(
  srv: "8.7.1" | "8.7.2",
  rows: readonly (readonly [string, readonly DeviceType[]])[],
): CommandSpec[] {
  return rows.map(([useCase, deviceTypes]) => ({
    srv,
    useCase,
    messageCode: messageCodeOf(useCase as "CS03A1"),
    deviceTypes,
    applies: (ctx) => {
      const other = ctx.records.deviceType(text(ctx.body, "OtherDeviceID").replaceAll("-", ""));
      return other !== undefined && joinUseCaseFor(ctx.deviceType, other) === useCase;
    },
    payload: (ctx) => {
      const eui = text(ctx.body, "OtherDeviceID").replaceAll("-", "");
      const kaCertificate = ctx.records.kaCertificate(eui);
      const built = joinCommand(ctx.deviceType, {
        eui,
        type: recordedType(ctx, "OtherDeviceID"),
        ...(kaCertificate === undefined ? {} : { kaCertificate }),
      });
      if (!built.ok) throw new BodyFieldError("OtherDeviceID", built.reason);
      return built.payload;
    },
  }));
}

export const hubCommands: readonly CommandSpec[] = [
  ...customerIdentificationNumberCommands({ ECS50: messageCodeOf("ECS50"), GCS36: messageCodeOf("GCS36") }),
  {
    srv: "8.1.1",
    useCase: "ECS70",
    messageCode: messageCodeOf("ECS70"),
    deviceTypes: ["ESME"],
    payload: (ctx) => {
      const { start, end } = validityInterval(ctx.body);
      return accessRequest(ctx.counter, [
        set(CLOCK.classId, CLOCK.obis, Clock.clockBase, dlms.enum(CLOCK_BASE_RADIO_CONTROLLED)),
        action(
          CLOCK.classId,
          CLOCK.obis,
          Clock.presetAdjustingTime,
          dlms.structure(
            dlms.octets(PRESET_TIME_NOT_SPECIFIED),
            dlms.octets(ecs70DateTime(start)),
            dlms.octets(ecs70DateTime(end)),
          ),
        ),
        action(CLOCK.classId, CLOCK.obis, Clock.adjustToPresetTime, dlms.integer(0)),
        get(CLOCK.classId, CLOCK.obis, Clock.time),
        get(CLOCK.classId, CLOCK.obis, Clock.status),
      ]);
    },
  },
  {
    srv: "8.1.1",
    useCase: "GCS28",
    messageCode: messageCodeOf("GCS28"),
    deviceTypes: ["GSME"],
    payload: (ctx) => {
      const { start, end } = validityInterval(ctx.body);
      return asn1("SetTimeCommand", {
        validityIntervalStart: new Date(start),
        validityIntervalEnd: new Date(end),
      });
    },
  },
  unjoin("8.8.1", "CS04AC", ["ESME"]),
  // A GSME unjoins its GPF by Method B (CS04B, as RTDS does); were the other device a PPMID (joined
  // by Method C) it would be CS04AC, which the inventory's type of OtherDeviceID would tell.
  unjoin("8.8.2", "CS04B", ["GSME"]),
  unjoin("8.8.2", "CS04AC", ["PPMID"]),
  {
    srv: "8.9",
    useCase: "CS07",
    messageCode: messageCodeOf("CS07"),
    deviceTypes: ["GSME"],
    payload: () => asn1("ReadDeviceJoinDetailsCommand", null),
  },
  {
    srv: "8.9",
    useCase: "CCS07",
    messageCode: messageCodeOf("CCS07"),
    deviceTypes: ["CHF"],
    applies: (ctx) => has(ctx.body, "ReadSecurityDetails"),
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        action(CHF_DEVICE_LOG.classId, CHF_DEVICE_LOG.obis, DeviceLog.readSecurityDetails, dlms.null),
        action(GPF_DEVICE_LOG.classId, GPF_DEVICE_LOG.obis, DeviceLog.readSecurityDetails, dlms.null),
      ]),
  },
  {
    srv: "8.9",
    useCase: "CCS06",
    messageCode: messageCodeOf("CCS06"),
    deviceTypes: ["CHF"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [get(CHF_DEVICE_LOG.classId, CHF_DEVICE_LOG.obis, DeviceLog.entries)]),
  },
  // CCS01: the device joining the HAN is named by the body; its type (which the command carries) is
  // the inventory's.
  {
    srv: "8.11",
    useCase: "CCS01",
    messageCode: messageCodeOf("CCS01"),
    deviceTypes: ["CHF"],
    applies: (ctx) => optionalText(ctx.body, "RequestType") === "Add",
    payload: (ctx) => addToChfDeviceLog(ctx.counter, ctx.body, recordedType(ctx, "DeviceID")),
  },
  ...joins("8.7.1", [
    ["CS03A1", ["ESME"]],
    ["CS03A2", ["HCALCS"]],
    ["CS03C", ["GSME"]],
  ]),
  ...joins("8.7.2", [
    ["CS03A2", ["PPMID"]],
    ["CS03B", ["GSME"]],
    ["CS03C", ["PPMID"]],
  ]),
  {
    srv: "8.11",
    useCase: "CCS02",
    messageCode: messageCodeOf("CCS02"),
    deviceTypes: ["CHF"],
    applies: (ctx) => optionalText(ctx.body, "RequestType") === "Remove",
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        action(
          CHF_DEVICE_LOG.classId,
          CHF_DEVICE_LOG.obis,
          DeviceLog.unregisterDevice,
          dlms.octets(entityId(ctx.body, "DeviceID")),
        ),
      ]),
  },
  {
    srv: "11.2",
    useCase: "ECS52",
    messageCode: messageCodeOf("ECS52"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        get(ESME_FIRMWARE_VERSION.classId, ESME_FIRMWARE_VERSION.obis, ESME_FIRMWARE_VERSION.attributeId),
      ]),
  },
  {
    srv: "11.2",
    useCase: "GCS38",
    messageCode: messageCodeOf("GCS38"),
    deviceTypes: ["GSME"],
    payload: () => gbzCommand([readAttributes(ZclCluster.metering, [GSME_FIRMWARE_VERSION_ATTRIBUTE])]),
  },
  {
    srv: "11.2",
    useCase: "CS08",
    messageCode: messageCodeOf("CS08"),
    deviceTypes: ["PPMID"],
    payload: () => asn1("ReadPpmidHcalcsFirmwareVersionCommand", null),
  },
  {
    srv: "11.3",
    useCase: "CS06",
    messageCode: messageCodeOf("CS06"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      asn1("ActivateFirmwareCommand", {
        manufacturerImageHash: hexBinary(ctx.body, "FirmwareHash"),
        // GBCS CS06: the originator counter of this command, which the device reports on activation.
        originatorCounter: ctx.counter,
        ...withExecutionDateTime(ctx.body),
      }),
  },
  {
    srv: "14.1",
    useCase: "GCS31",
    messageCode: messageCodeOf("GCS31"),
    deviceTypes: ["GSME"],
    payload: (ctx) =>
      gbzCommand([
        command(ZclCluster.metering, 0x07, "startSampling", {
          issuerEventId: zigbeeUtc(ctx.at),
          ...GCS31_SAMPLING,
        }),
      ]),
  },
];
