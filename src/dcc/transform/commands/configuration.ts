/**
 * SRV 6.2-6.8: reading and setting device configuration: voltage, gas and electricity configuration
 * data, the clock, the load limit and supply tamper settings, the CoS party and meter balance
 * thresholds.
 *
 * The reads (6.2.x) are fixed lists: DLMS gets of COSEM attributes (ESME, CHF) or ZCL Read
 * Attributes and Get commands (GSME), with empty DUIS bodies. Where GBCS has two use cases for one
 * SRV and device type that differ by the meter's GBCS version or phases (6.2.1 ECS26b/ECS26k, 6.2.3
 * ECS26d/ECS26l and GCS21d/GCS21k, 6.2.4 ECS26e/ECS26m, GCS21e/GCS21m and ECS26i/ECS26n) or by the
 * requester's role (6.2.10 ECS25r1 Supplier / ECS25r2 Network Operator, chosen by the role the
 * access check found), the body does not tell the version pairs apart and the transform does not
 * know the device's version: the first row of each such pair is the one built; the second is kept
 * as data for when it does. (6.2.4 to a CHF
 * goes out in RTDS from the ACB with the Service User as a supplementary remote party in the
 * grouping header; the payload here is the same, the header is the transformer's.)
 *
 * The updates bind their DUIS values by path: 6.4.1 load limiting (ECS28a, critical; its future
 * dating is the "Device" pattern, so the ExecutionDateTime goes into the command as the settings'
 * activation date-time; 6.4.2 and 6.5 are "DSP" pattern: the DCC holds them, the command has no
 * date), 6.5 voltage thresholds (ECS29a-d, by phases and whether the counters
 * are reset), 6.6 gas conversion (GCS23), 6.7 gas flow (GCS24/GCS24a, by the rate's resolution), 6.8
 * billing calendar (ECS30/ECS30a, GCS25/GCS25a: monthly, or any periodicity).
 */
import { messageCodeOf, type UseCaseName } from "../../../catalogue/index.js";
import type { DuisElement } from "../../../duis/model/element.js";
import type { ObisCode } from "../../../gbcs/dlms/index.js";
import { electricityBillingTimes, gasPeriod } from "../billing-calendar.js";
import { all, dateTime, find, has, integer, optionalDateTime, text } from "../body.js";
import { BodyFieldError, type CommandContext, type CommandSpec } from "../command-spec.js";
import { accessRequest, action, type DlmsRequestItem, dlms, get, set } from "../dlms-builder.js";
import { executionAt, executionDateTimeOctets } from "../execution-date.js";
import {
  command,
  type GbzComponentSpec,
  gbzCommand,
  readAttributes,
  serverToClient,
  zigbeeUtc,
} from "../gbz-builder.js";

/** A COSEM attribute: class, logical name, attribute. */
type Attribute = readonly [classId: number, obis: ObisCode, attributeId: number];

/** A DLMS read: one get per attribute, in the use case's order. */
function dlmsRead(
  srv: CommandSpec["srv"],
  useCase: UseCaseName,
  deviceType: "ESME" | "CHF",
  attributes: readonly Attribute[],
): CommandSpec {
  return {
    srv,
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: [deviceType],
    payload: (ctx) =>
      accessRequest(
        ctx.counter,
        attributes.map(([c, o, a]) => get(c, o, a)),
      ),
  };
}

/** A GBZ read: components in order. */
function gbzRead(
  srv: CommandSpec["srv"],
  useCase: UseCaseName,
  components: readonly GbzComponentSpec[],
): CommandSpec {
  return {
    srv,
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["GSME"],
    payload: () => gbzCommand(components),
  };
}

// ZCL clusters (ZigBee Cluster Library / Smart Energy).
const BASIC = 0x0000;
const PRICE = 0x0700;
const METERING = 0x0702;
const PREPAYMENT = 0x0705;
const EVENTS = 0x0708;

/** The ESME's RMS voltage limiters (class 71): extreme over, extreme under, sag, swell. */
const RMS_LIMITERS = [
  {
    obis: "0-0:17.0.1.255",
    threshold: "RMSExtremeOverVoltageThreshold",
    period: "RMSExtremeOverVoltageMeasurementPeriod",
  },
  {
    obis: "0-0:17.0.2.255",
    threshold: "RMSExtremeUnderVoltageThreshold",
    period: "RMSExtremeUnderVoltageMeasurementPeriod",
  },
  { obis: "0-0:17.0.3.255", threshold: "RMSVoltageSagThreshold", period: "RMSVoltageSagMeasurementPeriod" },
  {
    obis: "0-0:17.0.4.255",
    threshold: "RMSVoltageSwellThreshold",
    period: "RMSVoltageSwellMeasurementPeriod",
  },
] as const;
/** Limiter attributes: 4 threshold_active, 6 min_over_threshold_duration. */
const LIMITER_THRESHOLD = 4;
const LIMITER_DURATION = 6;

/** The OBIS C group of each phase's voltage objects (L1, L2, L3). */
const PHASE_GROUP: Readonly<Record<number, number>> = { 1: 32, 2: 52, 3: 72 };

/** A phase's average RMS voltage objects. */
const phase = {
  /** Average RMS voltage profile (class 7), attribute 4 capture_period. */
  period: (p: number): ObisCode => `1-0:${PHASE_GROUP[p]}.24.0.255` as ObisCode,
  /** Average RMS over-voltage threshold (class 1 Data). */
  over: (p: number): ObisCode => `1-0:${PHASE_GROUP[p]}.35.0.4` as ObisCode,
  /** Average RMS under-voltage threshold (class 1 Data). */
  under: (p: number): ObisCode => `1-0:${PHASE_GROUP[p]}.31.0.4` as ObisCode,
  /** AverageRMSUnderVoltageCounter and AverageRMSOverVoltageCounter (class 3), reset by method 1. */
  counters: (p: number): ObisCode[] =>
    [`1-0:${PHASE_GROUP[p]}.32.0.4`, `1-0:${PHASE_GROUP[p]}.36.0.4`] as ObisCode[],
};
type Threshold = readonly [phase: number, which: "over" | "under"];
/** The order GBCS lists the thresholds in: with counter resets (ECS26b/k reads, ECS29a/b)… */
const THRESHOLDS_WITH_RESET: readonly Threshold[] = [
  [1, "over"],
  [1, "under"],
  [2, "under"],
  [2, "over"],
  [3, "under"],
  [3, "over"],
];
/** …and without (ECS29c/d). */
const THRESHOLDS_NO_RESET: readonly Threshold[] = [
  [1, "under"],
  [1, "over"],
  [2, "under"],
  [2, "over"],
  [3, "under"],
  [3, "over"],
];

const RMS_LIMITER_READS: readonly Attribute[] = RMS_LIMITERS.flatMap((l): Attribute[] => [
  [71, l.obis, LIMITER_THRESHOLD],
  [71, l.obis, LIMITER_DURATION],
]);
const thresholdReads = (phases: number): Attribute[] =>
  THRESHOLDS_WITH_RESET.filter(([p]) => p <= phases).map(([p, w]): Attribute => [1, phase[w](p), 2]);

/** Device identity (class 1 Data): identifier, meter variant, model type, manufacturer, supply tamper state. */
const IDENTITY = {
  deviceId: [1, "0-0:96.1.1.255", 2],
  meterVariant: [1, "0-0:96.1.2.255", 2],
  modelType: [1, "0-0:96.1.4.255", 2],
  manufacturer: [1, "0-0:96.1.6.255", 2],
  supplyTamperState: [1, "0-0:94.44.0.4", 2],
} as const satisfies Record<string, Attribute>;

/** The ESME Billing Calendar (class 22 Single Action Schedule), attribute 4 execution_time. */
const BILLING_CALENDAR: Attribute = [22, "0-0:15.0.0.255", 4];

/** ZCL Get Billing Period for the current one (GCS21d/k): any start, any issuer event, one. */
const GET_BILLING_PERIOD = command(PRICE, 0x0b, "getBillingPeriod", {
  earliestStartTime: 0,
  minIssuerEventId: 0xffffffff,
  numberOfCommands: 1,
  tariffType: 0,
});

const reads: CommandSpec[] = [
  dlmsRead("6.2.1", "ECS26b", "ESME", [...RMS_LIMITER_READS, ...thresholdReads(1)]),
  dlmsRead("6.2.1", "ECS26k", "ESME", [...RMS_LIMITER_READS, ...thresholdReads(3)]),
  dlmsRead("6.2.2", "ECS26c", "ESME", [
    // Randomisation: RandomisedOffset, RandomisedOffsetNumber, RandomisedOffsetLimit.
    [1, "0-0:94.44.0.0", 2],
    [1, "0-0:94.44.0.2", 2],
    [1, "0-0:94.44.0.1", 2],
  ]),
  dlmsRead("6.2.3", "ECS26d", "ESME", [BILLING_CALENDAR]),
  dlmsRead("6.2.3", "ECS26l", "ESME", [BILLING_CALENDAR]),
  gbzRead("6.2.3", "GCS21d", [GET_BILLING_PERIOD]),
  gbzRead("6.2.3", "GCS21k", [GET_BILLING_PERIOD]),
  dlmsRead("6.2.4", "ECS26e", "ESME", [
    IDENTITY.deviceId,
    IDENTITY.meterVariant,
    IDENTITY.modelType,
    IDENTITY.manufacturer,
    IDENTITY.supplyTamperState,
  ]),
  dlmsRead("6.2.4", "ECS26m", "ESME", [
    IDENTITY.meterVariant,
    IDENTITY.modelType,
    IDENTITY.manufacturer,
    IDENTITY.supplyTamperState,
  ]),
  dlmsRead("6.2.4", "ECS26i", "CHF", [IDENTITY.deviceId, IDENTITY.modelType, IDENTITY.manufacturer]),
  dlmsRead("6.2.4", "ECS26n", "CHF", [IDENTITY.modelType, IDENTITY.manufacturer]),
  // Basic: ManufacturerName 4, ModelIdentifier 5, HWVersion 3; Metering: SupplyDepletionState 0x0608,
  // SupplyTamperState 0x0607.
  gbzRead("6.2.4", "GCS21e", [readAttributes(BASIC, [4, 5, 3]), readAttributes(METERING, [0x0608, 0x0607])]),
  gbzRead("6.2.4", "GCS21m", [readAttributes(BASIC, [4, 5]), readAttributes(METERING, [0x0608, 0x0607])]),
  // Instantaneous power thresholds: LowMediumPowerThreshold (class 21 Register Monitor, thresholds).
  dlmsRead("6.2.5", "ECS26f", "ESME", [[21, "0-0:16.0.0.255", 2]]),
  // MPxN: the combined MPANs (0-0:94.44.34.11) and the export MPAN (1-0:0.0.2.255).
  dlmsRead("6.2.7", "ECS40", "ESME", [
    [1, "0-0:94.44.34.11", 2],
    [1, "1-0:0.0.2.255", 2],
  ]),
  // The GSME's MPRN: Metering Site ID.
  gbzRead("6.2.7", "GCS46", [readAttributes(METERING, [0x0307])]),
  // Gas: Price conversion factor / calorific value attributes, Metering uncontrolled flow settings.
  gbzRead("6.2.8", "GCS21a", [
    readAttributes(PRICE, [0x0306, 0x0305, 0x0304, 0x0303, 0x0302]),
    readAttributes(METERING, [0x0b13, 0x0b12, 0x0b11, 0x0b10, 0x0b14, 0x0b15]),
  ]),
  // PaymentMode: the ESME's Account (class 111) mode_and_status, the GSME's Prepayment Payment Control.
  dlmsRead("6.2.9", "ECS26j", "ESME", [[111, "0-0:19.0.0.255", 2]]),
  gbzRead("6.2.9", "GCS21j", [readAttributes(PREPAYMENT, [0x0000])]),
  // Event and alert behaviours: the Supplier's (0-30) alert and event configuration settings, the
  // Network Operator's (0-33).
  // The network operator (role ED) reads its own settings (ECS25r2); a supplier, the supplier's.
  {
    ...dlmsRead("6.2.10", "ECS25r2", "ESME", [
      [1, "0-33:97.98.15.255", 2],
      [1, "0-33:97.98.18.255", 2],
    ]),
    applies: (ctx) => ctx.role === "ED",
  },
  dlmsRead("6.2.10", "ECS25r1", "ESME", [
    [1, "0-30:97.98.15.255", 2],
    [1, "0-30:97.98.16.255", 2],
    [1, "0-30:97.98.17.255", 2],
    [1, "0-30:97.98.18.255", 2],
  ]),
  {
    srv: "6.2.10",
    useCase: "GCS20r",
    messageCode: messageCodeOf("GCS20r"),
    deviceTypes: ["GSME"],
    // Get Event Configuration, Event ID 0x81FF: the group of all events and alerts 0x81xx the GSME has.
    payload: () =>
      gbzCommand([command(EVENTS, 0x05, "getEventConfiguration", { eventId: 0x81ff })].map(serverToClient)),
  },
];

/* ----- 6.4 load limiting ----- */

/**
 * The load limiting settings (GBCS class 9000, a value with a next value that takes effect at an
 * activation date-time): LoadLimitSupplyState, LoadLimitPowerThreshold, LoadLimitPeriod and
 * LoadLimitRestorationPeriod; attribute 4 the next value, attribute 6 its activation date-time.
 */
const LOAD_LIMIT = [
  {
    obis: "0-0:94.44.0.3",
    value: (b: DuisElement) => dlms.boolean(text(b, "LoadLimitSupplyState") === "Disable"),
  },
  {
    obis: "0-0:94.44.128.7",
    value: (b: DuisElement) => dlms.doubleLongUnsigned(integer(b, "LoadLimitPowerThreshold")),
  },
  {
    obis: "0-0:94.44.128.6",
    value: (b: DuisElement) => dlms.doubleLongUnsigned(integer(b, "LoadLimitPeriod")),
  },
  {
    obis: "0-0:94.44.128.8",
    value: (b: DuisElement) => dlms.doubleLongUnsigned(integer(b, "LoadLimitRestorationPeriod")),
  },
] as const;
const VALUE_WITH_ACTIVATION = 9000;

/**
 * The activation date-time of a class 9000 value (12-byte COSEM date-time, deviation 0x8000 "not
 * specified", clock status 0xFF): all zero for now (no ExecutionDateTime), every field "not
 * specified" (0xFF) to cancel a pending one, else the ExecutionDateTime with the day of week "not
 * specified".
 */
export function activationDateTime(executionDateTime: number | undefined): Uint8Array {
  return executionDateTimeOctets(executionAt(executionDateTime));
}

const loadLimiting: CommandSpec[] = [
  {
    srv: "6.4.1",
    useCase: "ECS28a",
    messageCode: messageCodeOf("ECS28a"),
    deviceTypes: ["ESME"],
    payload: (ctx) => {
      const at = dlms.octets(activationDateTime(optionalDateTime(ctx.body, "ExecutionDateTime")));
      return accessRequest(ctx.counter, [
        ...LOAD_LIMIT.map((o) => set(VALUE_WITH_ACTIVATION, o.obis, 4, o.value(ctx.body))),
        ...LOAD_LIMIT.map((o) => set(VALUE_WITH_ACTIVATION, o.obis, 6, at)),
      ]);
    },
  },
  {
    srv: "6.4.2",
    useCase: "ECS28b",
    messageCode: messageCodeOf("ECS28b"),
    deviceTypes: ["ESME"],
    // LoadLimitCounter (class 3 Register) reset: method 1 with data 0.
    payload: (ctx) => accessRequest(ctx.counter, [action(3, "0-0:94.44.42.255", 1, dlms.integer(0))]),
  },
];

/* ----- 6.5 voltage ----- */

/** The average RMS voltage settings of each phase the body gives: phase number → settings element. */
function phaseSettings(body: DuisElement): Map<number, DuisElement> {
  const single = find(body, "SinglePhaseVoltageSettings");
  if (single !== undefined) return new Map([[1, single]]);
  const out = new Map<number, DuisElement>();
  for (const poly of all(body, "PolyPhaseVoltageSettings")) {
    const settings = find(poly, "PhaseVoltageSettings");
    if (settings === undefined)
      throw new BodyFieldError("PolyPhaseVoltageSettings/PhaseVoltageSettings", "missing");
    out.set(integer(poly, "Phase"), settings);
  }
  return out;
}

const THRESHOLD_PATH = {
  over: "AverageRMSOverVoltageThreshold",
  under: "AverageRMSUnderVoltageThreshold",
} as const;

function voltageItems(body: DuisElement, resetCounters: boolean): DlmsRequestItem[] {
  const phases = phaseSettings(body);
  const inPhase = (p: number): DuisElement => {
    const settings = phases.get(p);
    if (settings === undefined) throw new BodyFieldError("PolyPhaseVoltageSettings/Phase", `no phase ${p}`);
    return settings;
  };
  const numbers = [...phases.keys()].sort((a, b) => a - b);
  const periods = numbers.map((p) =>
    set(
      7,
      phase.period(p),
      4,
      dlms.doubleLongUnsigned(integer(inPhase(p), "AverageRMSVoltageMeasurementPeriod")),
    ),
  );
  const rms = find(body, "RMSVoltageSettings");
  if (rms === undefined)
    throw new BodyFieldError("RMSVoltageSettings", "required by the command, not in the body");
  const limiters = RMS_LIMITERS.flatMap((l) => [
    set(71, l.obis, LIMITER_THRESHOLD, dlms.doubleLongUnsigned(integer(rms, l.threshold))),
    set(71, l.obis, LIMITER_DURATION, dlms.doubleLongUnsigned(integer(rms, l.period))),
  ]);
  const order = resetCounters ? THRESHOLDS_WITH_RESET : THRESHOLDS_NO_RESET;
  const thresholds = order
    .filter(([p]) => phases.has(p))
    .map(([p, w]) => set(1, phase[w](p), 2, dlms.doubleLongUnsigned(integer(inPhase(p), THRESHOLD_PATH[w]))));
  if (!resetCounters) return [...thresholds, ...periods, ...limiters];
  const resets = numbers.flatMap((p) => phase.counters(p).map((o) => action(3, o, 1, dlms.integer(0))));
  return [...periods, ...limiters, ...thresholds, ...resets];
}

function voltage(useCase: UseCaseName, polyPhase: boolean, resetCounters: boolean): CommandSpec {
  return {
    srv: "6.5",
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["ESME"],
    applies: (ctx) =>
      has(ctx.body, "PolyPhaseVoltageSettings") === polyPhase &&
      has(ctx.body, "RMSVoltageCountersNotReset") !== resetCounters,
    payload: (ctx) => accessRequest(ctx.counter, voltageItems(ctx.body, resetCounters)),
  };
}

/* ----- 6.6, 6.7 gas ----- */

/** A DUIS decimal with a fixed number of fraction digits as the integer ZSE carries (value × 10^digits). */
export function scaledDecimal(body: DuisElement, path: string, digits: number): number {
  const t = text(body, path);
  const m = /^\+?(\d+)(?:\.(\d*))?$/.exec(t);
  const fraction = m?.[2] ?? "";
  if (m === null || fraction.replace(/0+$/, "").length > digits) {
    throw new BodyFieldError(path, `"${t}" is not a decimal with at most ${digits} fraction digits`);
  }
  const n = Number(
    BigInt(m[1] ?? "0") * 10n ** BigInt(digits) +
      BigInt(fraction.slice(0, digits).padEnd(digits, "0") || "0"),
  );
  if (n > 0xffffffff) throw new BodyFieldError(path, `${t} is out of range`);
  return n;
}

/** ZSE trailing digit fields: the number of decimal places in the high nibble. */
const trailingDigits = (digits: number): number => digits << 4;

/** DUIS fraction digits: CalorificValue 1, ConversionFactor 5, UncontrolledGasFlowRateDecimal 4. */
const CALORIFIC_DIGITS = 1;
const CONVERSION_DIGITS = 5;
const FLOW_DIGITS = 4;
/** ZSE Calorific Value Unit 0x01: MJ/m³. Unit of measure 0x01: m³. */
const MJ_PER_M3 = 1;
const CUBIC_METRES = 1;

/** ZSE Set Supply Status states (GBCS GCS24): 0x00 Locked, 0x03 Unchanged. */
const SUPPLY_STATE: Readonly<Record<string, number>> = { Locked: 0x00, Unchanged: 0x03 };
const UNCHANGED = 0x03;
const supplyState = (body: DuisElement, path: string): number => {
  const v = SUPPLY_STATE[text(body, path)];
  if (v === undefined) throw new BodyFieldError(path, "is neither Locked nor Unchanged");
  return v;
};

function gasFlow(useCase: "GCS24" | "GCS24a"): CommandSpec {
  const decimal = useCase === "GCS24a";
  return {
    srv: "6.7",
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["GSME"],
    applies: (ctx) => has(ctx.body, "UncontrolledGasFlowRateDecimal") === decimal,
    payload: (ctx) => {
      const issuerEventId = zigbeeUtc(ctx.at);
      const threshold = decimal
        ? scaledDecimal(ctx.body, "UncontrolledGasFlowRateDecimal", FLOW_DIGITS)
        : integer(ctx.body, "UncontrolledGasFlowRate");
      return gbzCommand([
        command(METERING, 0x0e, "setUncontrolledFlowThreshold", {
          providerId: 0,
          issuerEventId,
          uncontrolledFlowThreshold: threshold,
          unitOfMeasure: CUBIC_METRES,
          multiplier: 1,
          divisor: decimal ? 10 ** FLOW_DIGITS : 1,
          stabilisationPeriod: integer(ctx.body, "StabilisationPeriod"),
          measurementPeriod: integer(ctx.body, "MeasurementPeriod"),
        }),
        command(METERING, 0x0d, "setSupplyStatus", {
          issuerEventId,
          supplyTamperState: supplyState(ctx.body, "SupplyTamperState"),
          supplyDepletionState: supplyState(ctx.body, "SupplyDepletionState"),
          // Constants of the use case: the uncontrolled flow state field as GBCS sets it, load limit unchanged.
          supplyUncontrolledFlowState: 0x00,
          loadLimitSupplyState: UNCHANGED,
        }),
      ]);
    },
  };
}

const gas: CommandSpec[] = [
  {
    srv: "6.6",
    useCase: "GCS23",
    messageCode: messageCodeOf("GCS23"),
    deviceTypes: ["GSME"],
    payload: (ctx) => {
      const issuerEventId = zigbeeUtc(ctx.at);
      return gbzCommand(
        [
          command(PRICE, 0x02, "publishConversionFactor", {
            issuerEventId,
            startTime: 0,
            conversionFactor: scaledDecimal(ctx.body, "ConversionFactor", CONVERSION_DIGITS),
            conversionFactorTrailingDigit: trailingDigits(CONVERSION_DIGITS),
          }),
          command(PRICE, 0x03, "publishCalorificValue", {
            issuerEventId,
            startTime: 0,
            calorificValue: scaledDecimal(ctx.body, "CalorificValue", CALORIFIC_DIGITS),
            calorificValueUnit: MJ_PER_M3,
            calorificValueTrailingDigit: trailingDigits(CALORIFIC_DIGITS),
          }),
        ].map(serverToClient),
      );
    },
  },
  gasFlow("GCS24"),
  gasFlow("GCS24a"),
];

/* ----- 6.8 billing calendar ----- */

const ELECTRICITY_CALENDAR = "ElectricityBillingCalendar";
const GAS_CALENDAR = "GasBillingCalendar";

const electricityMonthly = (ctx: CommandContext): boolean => has(ctx.body, `${ELECTRICITY_CALENDAR}/Monthly`);
const gasMonthly = (ctx: CommandContext): boolean =>
  find(ctx.body, `${GAS_CALENDAR}/Periodicity`)?.text?.trim() === "Monthly";

function electricityCalendar(useCase: "ECS30" | "ECS30a", monthly: boolean): CommandSpec {
  return {
    srv: "6.8",
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["ESME"],
    applies: (ctx) => electricityMonthly(ctx) === monthly,
    payload: (ctx) => {
      const calendar = find(ctx.body, ELECTRICITY_CALENDAR);
      if (calendar === undefined)
        throw new BodyFieldError(ELECTRICITY_CALENDAR, "required by the command, not in the body");
      const [classId, obis, attributeId] = BILLING_CALENDAR;
      const times = electricityBillingTimes(calendar).map((e) =>
        dlms.structure(dlms.octets(e.time), dlms.octets(e.date)),
      );
      return accessRequest(ctx.counter, [set(classId, obis, attributeId, dlms.array(times))]);
    },
  };
}

/** ZSE Block Period Control 0x02: repeating; Tariff Resolution Period 0x01: block period. */
const REPEATING_BLOCK = 0x02;
const BLOCK_PERIOD_RESOLUTION = 0x01;

function gasCalendar(useCase: "GCS25" | "GCS25a", monthly: boolean): CommandSpec {
  return {
    srv: "6.8",
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["GSME"],
    applies: (ctx) => gasMonthly(ctx) === monthly,
    payload: (ctx) => {
      const issuerEventId = zigbeeUtc(ctx.at);
      const start = zigbeeUtc(dateTime(ctx.body, `${GAS_CALENDAR}/BillingPeriodStart`));
      const { duration, durationType } = gasPeriod(ctx.body, `${GAS_CALENDAR}/Periodicity`);
      return gbzCommand(
        [
          command(PRICE, 0x09, "publishBillingPeriod", {
            providerId: 0,
            issuerEventId,
            billingPeriodStartTime: start,
            billingPeriodDuration: duration,
            billingPeriodDurationType: durationType,
            tariffType: 0,
          }),
          command(PRICE, 0x01, "publishBlockPeriod", {
            providerId: 0,
            issuerEventId,
            blockPeriodStartTime: start,
            blockPeriodDuration: duration,
            blockPeriodControl: REPEATING_BLOCK,
            blockPeriodDurationType: durationType,
            tariffType: 0,
            tariffResolutionPeriod: BLOCK_PERIOD_RESOLUTION,
          }),
        ].map(serverToClient),
      );
    },
  };
}

export const configurationCommands: readonly CommandSpec[] = [
  ...reads,
  ...loadLimiting,
  voltage("ECS29a", false, true),
  voltage("ECS29b", true, true),
  voltage("ECS29c", false, false),
  voltage("ECS29d", true, false),
  ...gas,
  electricityCalendar("ECS30", true),
  electricityCalendar("ECS30a", false),
  gasCalendar("GCS25", true),
  gasCalendar("GCS25a", false),
];
