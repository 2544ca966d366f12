/**
 * SRV 6.11-6.14, 6.18, 6.20, 6.22 and 6.25-6.32: device settings: the clock, the power threshold,
 * the event and security logs, the auxiliary load control switches' descriptions and calendars, max
 * demand, the meter point, alert behaviour, the supply tamper state, the block counter reset, the RMS
 * voltage counters and the dual-band Communications Hub's sub-GHz channel.
 *
 * Each row follows its GBCS use-case template: COSEM objects and ZCL clusters as data, the DUIS
 * values bound by path. Where one SRV has several use cases for a device type, `applies` picks by
 * what the body asks for (the log to read, the alert settings element, the calendar's kind).
 */

import { messageCodeOf, type UseCaseName } from "../../../catalogue/index.js";
import type { DlmsData } from "../../../gbcs/dlms/data.js";
import type { ObisCode } from "../../../gbcs/dlms/index.js";
import type { GbzComponentsPayload } from "../../../gbcs/gbz/gbz-payload.js";
import { all, boolean, dateTime, decimal, find, has, integer, text } from "../body.js";
import type { CommandContext, CommandSpec } from "../command-spec.js";
import {
  alertBehaviourBits,
  alertCodeOfName,
  COSEM_DATE_TIME_NOT_SPECIFIED,
  cosemTimeOf,
  subGhzChannelMask,
} from "../device-setting-values.js";
import { accessRequest, action, type DlmsRequestItem, dlms, get, set } from "../dlms-builder.js";
import { dateTimeOctets } from "../execution-date.js";
import { command, gbzCommand, serverToClient, zigbeeUtc } from "../gbz-builder.js";
import { auxiliaryCalendarCommands } from "./auxiliary-calendars.js";

/** COSEM classes used here (Blue Book). */
const DATA = 1;
const REGISTER = 3;
const EXTENDED_REGISTER = 4;
const PROFILE_GENERIC = 7;
const CLOCK = 8;
const SCHEDULE = 10;
const REGISTER_MONITOR = 21;
const SINGLE_ACTION_SCHEDULE = 22;

/** ZCL clusters (ZSE). */
const ZCL_DEVICE_MANAGEMENT = 0x0708;
const ZCL_EVENTS = 0x0709;

/** Register and Extended Register method 1, `reset(integer 0)`. */
const RESET = 1;
const resetOf = (classId: number, obis: ObisCode): DlmsRequestItem =>
  action(classId, obis, RESET, dlms.integer(0));

/** Whether the body holds the named element (the DUIS choice that selects the use case). */
const choice =
  (name: string) =>
  (ctx: CommandContext): boolean =>
    has(ctx.body, name);

// ---------------------------------------------------------------------------------------------
// 6.11 Synchronise Clock (critical)

/**
 * ECS70: clock_base (attribute 9) set to 5 (GBCS: the DCC's time), `preset_adjusting_time`
 * (method 5) with the preset time not specified and the validity interval from the DUIS current
 * time to it plus the tolerance, `adjust_to_preset_time` (method 4), then the time and status read
 * back.
 */
const CLOCK_OBIS: ObisCode = "0-0:1.0.0.255";
const CLOCK_BASE = 9;
const CLOCK_BASE_DCC = 5;
const PRESET_ADJUSTING_TIME = 5;
const ADJUST_TO_PRESET_TIME = 4;

function validityInterval(ctx: CommandContext): { start: number; end: number } {
  const start = dateTime(ctx.body, "CurrentDateTime");
  return { start, end: start + integer(ctx.body, "TolerancePeriod") * 1000 };
}

// ---------------------------------------------------------------------------------------------
// 6.13 Read Event Or Security Log

/**
 * The DLMS logs (ECS35a-g): a Profile Generic buffer read by range (selector 1) from the start to the
 * end of the DUIS period, both as ZigBee UTC seconds, restricted by the log's entry time-stamp object.
 */
const LOG_RESTRICTING_OBJECT = dlms.structure(
  dlms.longUnsigned(1),
  dlms.octets(Uint8Array.from([0, 0, 94, 44, 100, 255])),
  dlms.integer(2),
  dlms.longUnsigned(0),
);

function logRead(obis: ObisCode): (ctx: CommandContext) => ReturnType<typeof accessRequest> {
  return (ctx) =>
    accessRequest(ctx.counter, [
      get(PROFILE_GENERIC, obis, 2, {
        accessSelector: 1,
        accessParameters: dlms.structure(
          LOG_RESTRICTING_OBJECT,
          dlms.doubleLongUnsigned(zigbeeUtc(dateTime(ctx.body, "ReadLogPeriod/StartDateTime"))),
          dlms.doubleLongUnsigned(zigbeeUtc(dateTime(ctx.body, "ReadLogPeriod/EndDateTime"))),
          dlms.array([]),
        ),
      }),
    ]);
}

const logToRead =
  (...values: string[]) =>
  (ctx: CommandContext): boolean =>
    values.includes(text(ctx.body, "LogToRead"));

/** The DLMS log each LogToRead value reads, by device type and use case. */
const DLMS_LOGS: readonly {
  useCase: UseCaseName;
  deviceType: "ESME" | "CHF";
  logs: readonly string[];
  obis: ObisCode;
}[] = [
  { useCase: "ECS35a", deviceType: "ESME", logs: ["Event"], obis: "0-0:99.98.0.255" },
  { useCase: "ECS35b", deviceType: "ESME", logs: ["Security"], obis: "0-0:99.98.1.255" },
  { useCase: "ECS35e", deviceType: "ESME", logs: ["PowerEvent"], obis: "0-0:99.98.4.255" },
  // ECS35f and ECS35g read the same ALCS event log; ECS35g is the code the current use-case list
  // gives it (ECS35f is the older code), and the DUIS body cannot tell them apart.
  { useCase: "ECS35g", deviceType: "ESME", logs: ["ALCSEvent"], obis: "0-17:99.98.2.255" },
  { useCase: "ECS35c", deviceType: "CHF", logs: ["Event"], obis: "0-0:99.98.0.255" },
  { useCase: "ECS35d", deviceType: "CHF", logs: ["Security"], obis: "0-0:99.98.1.255" },
];

/**
 * The GSME logs (CS10a/b): ZCL Get Event Log with the Event Control / Log ID octet (event control
 * in the high nibble: 1, full information; log id in the low one: 3 general event log, 4 security
 * log), all events (id 0, number 0, offset 0) between the period's start and end.
 */
const GSME_LOGS = [
  { useCase: "CS10a", logs: ["Event", "GSMEEvent"], eventControlLogId: 0x13 },
  { useCase: "CS10b", logs: ["Security", "GSMESecurity"], eventControlLogId: 0x04 },
] as const;

// ---------------------------------------------------------------------------------------------
// 6.18.1 Set Maximum Demand Configurable Time Period

/**
 * ECS37: the max demand schedule (Schedule, 0-0:12.0.0.255) gets two entries running the max demand
 * script table (0-0:10.128.100.255): selector 1 at the start time, 2 at the end time, every day.
 */
const MAX_DEMAND_SCHEDULE: ObisCode = "0-0:12.0.0.255";
const MAX_DEMAND_SCRIPT_TABLE = Uint8Array.from([0, 0, 10, 128, 100, 255]);
const EVERY_WEEKDAY = dlms.bits(7, Uint8Array.from([0xfe]));
const NO_SPECIAL_DAYS = dlms.bits(0, new Uint8Array(0));
const MAX_DEMAND_BEGIN_DATE = Uint8Array.from([0x00, 0x00, 0x01, 0xff, 0xff]);
const DATE_NOT_SPECIFIED = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff]);
const NO_VALIDITY_WINDOW = 0xffff;

function maxDemandEntry(index: number, selector: number, time: Uint8Array): DlmsData {
  return dlms.structure(
    dlms.longUnsigned(index),
    dlms.boolean(true),
    dlms.octets(MAX_DEMAND_SCRIPT_TABLE),
    dlms.longUnsigned(selector),
    dlms.octets(time),
    dlms.longUnsigned(NO_VALIDITY_WINDOW),
    EVERY_WEEKDAY,
    NO_SPECIAL_DAYS,
    dlms.octets(MAX_DEMAND_BEGIN_DATE),
    dlms.octets(DATE_NOT_SPECIFIED),
  );
}

/** A DUIS xs:time at a path as a COSEM time. */
const timeAt = (ctx: CommandContext, path: string): Uint8Array => cosemTimeOf(text(ctx.body, path), path);

/** ECS57: the max demand registers a body names, each reset, in the use case's order. */
const MAX_DEMAND_REGISTERS: readonly { element: string; obis: ObisCode }[] = [
  { element: "MaxDemandActivePowerImportValue", obis: "1-0:1.6.0.255" },
  { element: "MaxDemandConfigTimeActivePowerImportValue", obis: "1-0:1.6.1.255" },
  { element: "MaxDemandActivePowerExportValue", obis: "1-0:2.6.0.255" },
];

// ---------------------------------------------------------------------------------------------
// 6.22 Configure Alert Behaviour

/** The ESME's event/alert behaviour objects (ECS25a, a1-a3 supplier; ECS25b, b3 network operator). */
const ALERT_BEHAVIOURS: readonly { useCase: UseCaseName; element: string; obis: ObisCode }[] = [
  { useCase: "ECS25a", element: "ElectricitySupplierAlerts", obis: "0-30:97.98.11.255" },
  { useCase: "ECS25a1", element: "ElectricitySupplierHANAlertSettings", obis: "0-30:97.98.12.255" },
  { useCase: "ECS25a2", element: "ElectricitySupplierAlarmSettings", obis: "0-30:97.98.13.255" },
  { useCase: "ECS25a3", element: "ElectricitySupplierLoggingSettings", obis: "0-30:97.98.14.255" },
  { useCase: "ECS25b", element: "ElectricityNetworkOperatorAlerts", obis: "0-33:97.98.11.255" },
  { useCase: "ECS25b3", element: "ElectricityNetworkOperatorLoggingSettings", obis: "0-33:97.98.14.255" },
];

/** Every `xNNNN` leaf under the settings element (its groups: common, polyphase…), Enable or Disable. */
function alertSettings(ctx: CommandContext, element: string) {
  const out: { code: number; enabled: boolean }[] = [];
  for (const group of find(ctx.body, element)?.children ?? []) {
    for (const leaf of group.children) {
      const code = alertCodeOfName(leaf.name);
      if (code !== undefined) out.push({ code, enabled: leaf.text?.trim() === "Enable" });
    }
  }
  return out;
}

/**
 * GCS20: a ZCL Set Event Configuration (Device Management, 0x04) per distinct behaviour, naming the
 * alerts that get it. The behaviour octet (ZSE Event Configuration): bits 0-2 the log (3, the
 * general event log), bit 3 to the WAN, bit 4 to the HAN, bit 6 the meter's alarm; configuration
 * control 0 (apply by list), now (start 0).
 */
const GAS_EVENT_LOG = 0x03;
const GAS_TO_WAN = 0x08;
const GAS_TO_HAN = 0x10;
const GAS_ALARM = 0x40;

function gasEventConfiguration(ctx: CommandContext): GbzComponentsPayload {
  const settings = find(ctx.body, "GasSupplierAlertEventSettings")?.children ?? [];
  const groups = new Map<number, number[]>();
  for (const s of settings) {
    const code = alertCodeOfName(s.name);
    if (code === undefined) continue;
    const on = (name: string): boolean => s.children.find((c) => c.name === name)?.text?.trim() === "Enable";
    const configuration =
      (on("EventLog") ? GAS_EVENT_LOG : 0) |
      (on("WANAlert") ? GAS_TO_WAN : 0) |
      (on("HANAlert") ? GAS_TO_HAN : 0) |
      (on("Alarm") ? GAS_ALARM : 0);
    groups.set(configuration, [...(groups.get(configuration) ?? []), code]);
  }
  const issuerEventId = zigbeeUtc(ctx.at);
  return gbzCommand(
    [...groups]
      .map(([eventConfiguration, codes]) =>
        command(ZCL_DEVICE_MANAGEMENT, 0x04, "setEventConfiguration", {
          issuerEventId,
          startDateTime: 0,
          eventConfiguration,
          configurationControl: 0,
          eventConfigurationPayload: {
            numberOfEvents: codes.length,
            eventIds: codes.map((eventId) => ({ eventId })),
          },
        }),
      )
      .map(serverToClient),
  );
}

// ---------------------------------------------------------------------------------------------
// 6.28-6.32 the CHF's sub-GHz channel (DBCH01-05)

const SUB_GHZ_CONFIGURATION: ObisCode = "0-0:94.44.10.0";

/** The four channel ranges: element, ZigBee channel page, first channel of the range. */
const SUB_GHZ_RANGES = [
  { element: "LowerBandSubGHzChannels0To26", page: 28, first: 0 },
  { element: "LowerBandSubGHzChannels27To34", page: 29, first: 27 },
  { element: "LowerBandSubGHzChannels35To61", page: 30, first: 35 },
  { element: "UpperBandSubGHzChannels0To26", page: 31, first: 0 },
] as const;

/** The thresholds after the masks, with their type and scale (percentages and ratios in hundredths). */
const SUB_GHZ_SETTINGS: readonly { element: string; type: "unsigned" | "longUnsigned"; scale: number }[] = [
  { element: "NormalLimitedDutyCycleThreshold", type: "longUnsigned", scale: 100 },
  { element: "LimitedCriticalDutyCycleThreshold", type: "longUnsigned", scale: 100 },
  { element: "MaximumSubGHzChannelChangesPerWeek", type: "unsigned", scale: 1 },
  { element: "GSMECurfew", type: "longUnsigned", scale: 1 },
  { element: "ChannelQuieterThreshold", type: "unsigned", scale: 1 },
  { element: "ChannelNoisierThreshold", type: "unsigned", scale: 1 },
  { element: "NonGSMEPoorCommsPercentageThreshold", type: "longUnsigned", scale: 100 },
  { element: "NonGSMEPoorCommsMeasurementPeriods", type: "unsigned", scale: 1 },
  { element: "LocalCHNoiseMeasurementPeriod", type: "longUnsigned", scale: 1 },
  { element: "LocalCHFailurePercentage", type: "longUnsigned", scale: 100 },
  { element: "LocalCHRetryPercentage", type: "longUnsigned", scale: 100 },
];

function subGhzConfiguration(ctx: CommandContext): DlmsData {
  const masks = SUB_GHZ_RANGES.map(({ element, page, first }) =>
    dlms.bits(
      32,
      subGhzChannelMask(
        page,
        first,
        (find(ctx.body, element)?.children ?? []).map((c) => Number(c.name.replace(/^Channel/, ""))),
      ),
    ),
  );
  const settings = SUB_GHZ_SETTINGS.map(({ element, type, scale }) => {
    const value = Math.round(decimal(ctx.body, element) * scale);
    return type === "unsigned" ? dlms.unsigned(value) : dlms.longUnsigned(value);
  });
  return dlms.structure(...masks, ...settings);
}

// ---------------------------------------------------------------------------------------------

export const deviceSettingCommands: readonly CommandSpec[] = [
  {
    srv: "6.11",
    useCase: "ECS70",
    messageCode: messageCodeOf("ECS70"),
    deviceTypes: ["ESME"],
    payload: (ctx) => {
      const { start, end } = validityInterval(ctx);
      return accessRequest(ctx.counter, [
        set(CLOCK, CLOCK_OBIS, CLOCK_BASE, dlms.enum(CLOCK_BASE_DCC)),
        action(
          CLOCK,
          CLOCK_OBIS,
          PRESET_ADJUSTING_TIME,
          dlms.structure(
            dlms.octets(COSEM_DATE_TIME_NOT_SPECIFIED),
            dlms.octets(dateTimeOctets(start)),
            dlms.octets(dateTimeOctets(end)),
          ),
        ),
        action(CLOCK, CLOCK_OBIS, ADJUST_TO_PRESET_TIME, dlms.integer(0)),
        get(CLOCK, CLOCK_OBIS, 2),
        get(CLOCK, CLOCK_OBIS, 4),
      ]);
    },
  },
  {
    srv: "6.11",
    useCase: "GCS28",
    messageCode: messageCodeOf("GCS28"),
    deviceTypes: ["GSME"],
    // GBCS: the GSME sets its clock when a time sync arrives within the validity interval.
    payload: (ctx) => {
      const { start, end } = validityInterval(ctx);
      return {
        family: "asn1",
        type: "SetTimeCommand",
        value: { validityIntervalStart: new Date(start), validityIntervalEnd: new Date(end) },
      };
    },
  },
  {
    srv: "6.12",
    useCase: "ECS34",
    messageCode: messageCodeOf("ECS34"),
    deviceTypes: ["ESME"],
    // The Register Monitor of active power import: its thresholds (W), low-medium then medium-high.
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        set(
          REGISTER_MONITOR,
          "0-0:16.0.0.255",
          2,
          dlms.array([
            dlms.doubleLongUnsigned(integer(ctx.body, "LowMediumPowerThreshold")),
            dlms.doubleLongUnsigned(integer(ctx.body, "MediumHighPowerThreshold")),
          ]),
        ),
      ]),
  },
  ...DLMS_LOGS.map(
    ({ useCase, deviceType, logs, obis }): CommandSpec => ({
      srv: "6.13",
      useCase,
      messageCode: messageCodeOf(useCase),
      deviceTypes: [deviceType],
      applies: logToRead(...logs),
      payload: logRead(obis),
    }),
  ),
  ...GSME_LOGS.map(
    ({ useCase, logs, eventControlLogId }): CommandSpec => ({
      srv: "6.13",
      useCase,
      messageCode: messageCodeOf(useCase),
      deviceTypes: ["GSME"],
      applies: logToRead(...logs),
      payload: (ctx) =>
        gbzCommand([
          command(ZCL_EVENTS, 0x00, "getEventLog", {
            eventControlLogId,
            eventId: 0,
            startTime: zigbeeUtc(dateTime(ctx.body, "ReadLogPeriod/StartDateTime")),
            endTime: zigbeeUtc(dateTime(ctx.body, "ReadLogPeriod/EndDateTime")),
            numberOfEvents: 0,
            eventOffset: 0,
          }),
        ]),
    }),
  ),
  {
    srv: "6.14.1",
    useCase: "ECS46a",
    messageCode: messageCodeOf("ECS46a"),
    deviceTypes: ["ESME"],
    // Each switch's description (Data 0-0:94.44.0.(10+n)), in the body's order.
    payload: (ctx) =>
      accessRequest(
        ctx.counter,
        all(ctx.body, "ALCSHCALCSDescription").map((d) => {
          const index = Number(d.attributes.find(([n]) => n === "index")?.[1]);
          return set(DATA, `0-0:94.44.0.${10 + index}`, 2, dlms.visible(text(d, "SwitchDescription")));
        }),
      ),
  },
  ...auxiliaryCalendarCommands,
  {
    srv: "6.18.1",
    useCase: "ECS37",
    messageCode: messageCodeOf("ECS37"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        set(
          SCHEDULE,
          MAX_DEMAND_SCHEDULE,
          2,
          dlms.array([
            maxDemandEntry(0, 1, timeAt(ctx, "MaximumDemandTimePeriodSchedule/StartTime")),
            maxDemandEntry(1, 2, timeAt(ctx, "MaximumDemandTimePeriodSchedule/EndTime")),
          ]),
        ),
      ]),
  },
  {
    srv: "6.18.2",
    useCase: "ECS57",
    messageCode: messageCodeOf("ECS57"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(
        ctx.counter,
        MAX_DEMAND_REGISTERS.filter((r) => has(ctx.body, r.element)).map((r) =>
          resetOf(EXTENDED_REGISTER, r.obis),
        ),
      ),
  },
  {
    srv: "6.20.1",
    useCase: "ECS39a",
    messageCode: messageCodeOf("ECS39a"),
    deviceTypes: ["ESME"],
    // The import MPAN (and a twin element's secondary one after it) as ASCII digits.
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        set(
          DATA,
          "0-0:94.44.34.11",
          2,
          dlms.octets(
            ascii(
              text(ctx.body, "ImportMPANs/ImportMPAN") +
                (find(ctx.body, "ImportMPANs/SecondaryImportMPAN") === undefined
                  ? ""
                  : text(ctx.body, "ImportMPANs/SecondaryImportMPAN")),
            ),
          ),
        ),
      ]),
  },
  {
    srv: "6.20.1",
    useCase: "GCS41",
    messageCode: messageCodeOf("GCS41"),
    deviceTypes: ["GSME"],
    // ZCL Update SiteID (Device Management 0x03): the MPRN as ASCII, applying now.
    payload: (ctx) =>
      gbzCommand(
        [
          command(ZCL_DEVICE_MANAGEMENT, 0x03, "updateSiteId", {
            issuerEventId: zigbeeUtc(ctx.at),
            siteIdTime: 0,
            providerId: 0,
            siteId: ascii(text(ctx.body, "ImportMPRN")),
          }),
        ].map(serverToClient),
      ),
  },
  {
    srv: "6.20.2",
    useCase: "ECS39b",
    messageCode: messageCodeOf("ECS39b"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        set(DATA, "1-0:0.0.2.255", 2, dlms.octets(ascii(text(ctx.body, "ExportMPAN")))),
      ]),
  },
  ...ALERT_BEHAVIOURS.map(
    ({ useCase, element, obis }): CommandSpec => ({
      srv: "6.22",
      useCase,
      messageCode: messageCodeOf(useCase),
      deviceTypes: ["ESME"],
      applies: choice(element),
      payload: (ctx) =>
        accessRequest(ctx.counter, [
          set(DATA, obis, 2, dlms.bits(512, alertBehaviourBits(alertSettings(ctx, element)))),
        ]),
    }),
  ),
  {
    srv: "6.22",
    useCase: "GCS20",
    messageCode: messageCodeOf("GCS20"),
    deviceTypes: ["GSME"],
    applies: choice("GasSupplierAlertEventSettings"),
    payload: gasEventConfiguration,
  },
  {
    srv: "6.25",
    useCase: "ECS81",
    messageCode: messageCodeOf("ECS81"),
    deviceTypes: ["ESME"],
    // The supply tamper state lock (Data 0-0:94.44.0.4): Locked sets it, Unchanged leaves it clear.
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        set(DATA, "0-0:94.44.0.4", 2, dlms.boolean(text(ctx.body, "SupplyTamperState") === "Locked")),
      ]),
  },
  {
    srv: "6.26",
    useCase: "ECS48",
    messageCode: messageCodeOf("ECS48"),
    deviceTypes: ["ESME"],
    // The block counter reset's Single Action Schedule: daily at midnight (time 00:00, date not
    // specified) when true; no execution time when false (RTDS has only the true case).
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        set(
          SINGLE_ACTION_SCHEDULE,
          "0-0:15.1.0.255",
          4,
          dlms.array(
            boolean(ctx.body, "DailyTariffBlockCounterMatrixReset")
              ? [dlms.structure(dlms.octets(new Uint8Array(4)), dlms.octets(DATE_NOT_SPECIFIED))]
              : [],
          ),
        ),
      ]),
  },
  {
    srv: "6.27",
    useCase: "ECS29e",
    messageCode: messageCodeOf("ECS29e"),
    deviceTypes: ["ESME"],
    // The RMS voltage sag and swell counters of the single phase (ECS29f adds phases 2 and 3: the
    // SMI type does not say whether an ESME is polyphase, so the single-phase command is sent).
    payload: (ctx) =>
      accessRequest(ctx.counter, [resetOf(REGISTER, "1-0:32.32.0.4"), resetOf(REGISTER, "1-0:32.36.0.4")]),
  },
  {
    srv: "6.28",
    useCase: "DBCH04",
    messageCode: messageCodeOf("DBCH04"),
    deviceTypes: ["CHF"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [set(DATA, SUB_GHZ_CONFIGURATION, 2, subGhzConfiguration(ctx))]),
  },
  {
    srv: "6.29",
    useCase: "DBCH05",
    messageCode: messageCodeOf("DBCH05"),
    deviceTypes: ["CHF"],
    payload: (ctx) => accessRequest(ctx.counter, [set(DATA, "0-0:94.44.10.1", 2, dlms.unsigned(0))]),
  },
  {
    srv: "6.30",
    useCase: "DBCH03",
    messageCode: messageCodeOf("DBCH03"),
    deviceTypes: ["CHF"],
    payload: (ctx) => accessRequest(ctx.counter, [get(DATA, SUB_GHZ_CONFIGURATION, 2)]),
  },
  {
    srv: "6.31",
    useCase: "DBCH01",
    messageCode: messageCodeOf("DBCH01"),
    deviceTypes: ["CHF"],
    payload: (ctx) => accessRequest(ctx.counter, [get(DATA, "0-0:94.44.10.2", 2)]),
  },
  {
    srv: "6.32",
    useCase: "DBCH02",
    messageCode: messageCodeOf("DBCH02"),
    deviceTypes: ["CHF"],
    payload: logRead("0-0:94.44.10.3"),
  },
];

function ascii(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, "ascii"));
}
