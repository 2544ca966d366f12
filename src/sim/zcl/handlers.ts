/**
 * The effects of the cluster-specific commands a GSME / GPF receives, and the replies ZSE gives them,
 * registered by command name for the interpreter. Everything answered comes from the device's store:
 * attributes, and the records published to it (calendar parts, billing period, top-ups, debts,
 * events, snapshots). A Get with nothing to return answers NOT_FOUND, as the RTDS responses do for
 * snapshots past the ones a meter holds.
 */
import {
  SnapshotPayloadType,
  ZCL_UTC_EPOCH_MS,
  ZCL_UTC_INVALID,
  ZclCluster,
  type ZclFields,
  type ZclFieldValue,
  ZclStatus,
} from "../../gbcs/gbz/index.js";
import { GAS_SUPPLY_COMMANDS } from "../gas-supply.js";
import { type CommandContext, type CommandHandler, type CommandResult, status } from "./interpreter.js";
import type { ZclStore } from "./store.js";

const { price: PRICE, metering: METERING, prepayment: PREPAYMENT } = ZclCluster;

/** Attribute ids the effects touch (ZSE). */
export const Attr = {
  currentSummationDelivered: 0x0000,
  supplyStatus: 0x0014,
  tierSummation: (tier: number) => 0x0100 + 2 * (tier - 1),
  blockSummation: (block: number) => 0x0700 + (block - 1),
  siteId: 0x0307,
  customerIdNumber: 0x0311,
  supplyTamperState: 0x0607,
  supplyDepletionState: 0x0608,
  uncontrolledFlowThreshold: 0x0b10,
  uncontrolledFlowUnit: 0x0b11,
  uncontrolledFlowMultiplier: 0x0b12,
  uncontrolledFlowDivisor: 0x0b13,
  flowStabilisationPeriod: 0x0b14,
  flowMeasurementPeriod: 0x0b15,
  // Price
  blockThreshold: (n: number) => 0x0100 + (n - 1),
  standingCharge: 0x0301,
  conversionFactor: 0x0302,
  conversionFactorTrailingDigit: 0x0303,
  calorificValue: 0x0304,
  calorificValueUnit: 0x0305,
  calorificValueTrailingDigit: 0x0306,
  tierBlockPrice: (tier: number, block: number) => 0x0400 + 16 * tier + (block - 1),
  priceUnitOfMeasure: 0x0615,
  currency: 0x0616,
  priceTrailingDigit: 0x0617,
  // Prepayment
  paymentControlConfiguration: 0x0000,
  creditRemaining: 0x0001,
  emergencyCreditRemaining: 0x0002,
  accumulatedDebt: 0x0005,
  overallDebtCap: 0x0006,
  emergencyCreditLimitAllowance: 0x0010,
  emergencyCreditThreshold: 0x0011,
  maxCreditLimit: 0x0021,
  maxCreditPerTopUp: 0x0022,
  lowCreditWarningLevel: 0x0031,
  cutOffValue: 0x0040,
  debtAmount: (type: number) => 0x0211 + 0x10 * (type - 1),
} as const;

/** ZSE supply status values (Metering SupplyStatus, Change Supply's proposed status). */
export const SupplyStatus = { off: 0, armed: 1, on: 2 } as const;

const num = (fields: ZclFields, name: string): number => {
  const v = fields[name];
  return typeof v === "number" ? v : 0;
};

/** A numeric attribute's value (0 when the device lacks it). */
export function attributeNumber(store: ZclStore, cluster: number, attribute: number): number {
  const v = store.read(cluster, attribute)?.value;
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0;
}

const ok = status(ZclStatus.success);
const notFound = status(ZclStatus.notFound);
const reply = (name: string, fields: ZclFields): CommandResult => ({ replies: [{ name, fields }] });
const replies = (name: string, list: readonly ZclFields[]): CommandResult =>
  list.length === 0 ? notFound : { replies: list.map((fields) => ({ name, fields })) };

/** Sets attributes from command fields: [attribute, field] pairs, in one cluster. */
function setFrom(ctx: CommandContext, cluster: number, pairs: readonly (readonly [number, string])[]): void {
  for (const [attribute, field] of pairs) ctx.store.setNumber(cluster, attribute, num(ctx.fields, field));
}

const utcNow = (ctx: CommandContext): number => zclUtcNow(ctx.now);

/** The device clock as a ZCL UTCTime, held within its range (a simulator clock may start at 0). */
export function zclUtcNow(ms: number): number {
  return Math.min(Math.max(0, Math.floor((ms - ZCL_UTC_EPOCH_MS) / 1000)), ZCL_UTC_INVALID - 1);
}

// --- Metering -------------------------------------------------------------------------------

/**
 * Change Supply (GCS32/GCS39): the valve goes to the proposed state, and says so. The proposal must
 * be the one the use case stands for (a GCS32 that proposes ARMED is refused).
 */
const changeSupply: CommandHandler = (ctx) => {
  const proposed = num(ctx.fields, "proposedSupplyStatus");
  if (proposed !== SupplyStatus.off && proposed !== SupplyStatus.armed && proposed !== SupplyStatus.on)
    return status(ZclStatus.invalidValue);
  const expected = GAS_SUPPLY_COMMANDS.get(ctx.messageCode);
  if (expected !== undefined && expected.proposed !== proposed) return status(ZclStatus.invalidField);
  ctx.store.setNumber(METERING, Attr.supplyStatus, proposed);
  return reply("supplyStatusResponse", {
    providerId: num(ctx.fields, "providerId"),
    issuerEventId: num(ctx.fields, "issuerEventId"),
    implementationDateTime: 0,
    supplyStatus: proposed,
  });
};

/** Set Supply Status: the tamper and depletion states (0xFF leaves a state as it is, ZSE). */
const setSupplyStatus: CommandHandler = (ctx) => {
  for (const [attribute, field] of [
    [Attr.supplyTamperState, "supplyTamperState"],
    [Attr.supplyDepletionState, "supplyDepletionState"],
  ] as const) {
    const v = num(ctx.fields, field);
    if (v !== 0xff) ctx.store.setNumber(METERING, attribute, v);
  }
  return ok;
};

const setUncontrolledFlowThreshold: CommandHandler = (ctx) => {
  setFrom(ctx, METERING, [
    [Attr.uncontrolledFlowThreshold, "uncontrolledFlowThreshold"],
    [Attr.uncontrolledFlowUnit, "unitOfMeasure"],
    [Attr.uncontrolledFlowMultiplier, "multiplier"],
    [Attr.uncontrolledFlowDivisor, "divisor"],
    [Attr.flowStabilisationPeriod, "stabilisationPeriod"],
    [Attr.flowMeasurementPeriod, "measurementPeriod"],
  ]);
  return ok;
};

/** Start Sampling: a new sample set, numbered from 1. */
const startSampling: CommandHandler = (ctx) => {
  const sampleId = ctx.store.published("startSampling").length + 1;
  ctx.store.publish("startSampling", { ...ctx.fields, sampleId });
  return reply("startSamplingResponse", { sampleId });
};

/** Half-hourly profile samples: the store's profile (see seed), as many as asked for. */
const getSampledData: CommandHandler = (ctx) => {
  const profile = ctx.store.published("profile")[0];
  const samples = profile?.samples;
  if (!Array.isArray(samples) || samples.length === 0) return notFound;
  const n = Math.min(num(ctx.fields, "numberOfSamples") || samples.length, samples.length);
  return reply("getSampledDataResponse", {
    sampleId: num(ctx.fields, "sampleId"),
    sampleStartTime: num(ctx.fields, "earliestSampleTime"),
    sampleType: num(ctx.fields, "sampleType"),
    sampleRequestInterval: num(profile!, "interval"),
    numberOfSamples: n,
    samples: samples.slice(0, n),
  });
};

/** The register set a billing snapshot holds: the consumption, tier and block registers now. */
function meteringSnapshotPayload(store: ZclStore): ZclFields {
  const tiers = [1, 2, 3, 4].map((t) => ({ value: attributeNumber(store, METERING, Attr.tierSummation(t)) }));
  const blocks = [1, 2, 3, 4].map((b) => ({
    value: attributeNumber(store, METERING, Attr.blockSummation(b)),
  }));
  return {
    currentSummationDelivered: attributeNumber(store, METERING, Attr.currentSummationDelivered),
    numberOfTiersInUse: tiers.length,
    tierSummationDelivered: tiers,
    numberOfTiersAndBlockThresholdsInUse: (tiers.length << 4) | blocks.length,
    tierBlockSummationDelivered: blocks,
  };
}

function prepaySnapshotPayload(store: ZclStore): ZclFields {
  const at = (a: number) => attributeNumber(store, PREPAYMENT, a);
  return {
    accumulatedDebt: at(Attr.accumulatedDebt),
    type1DebtRemaining: at(Attr.debtAmount(1)),
    type2DebtRemaining: at(Attr.debtAmount(2)),
    type3DebtRemaining: at(Attr.debtAmount(3)),
    emergencyCreditRemaining: at(Attr.emergencyCreditRemaining),
    creditRemaining: at(Attr.creditRemaining),
  };
}

/** Get (Prepay) Snapshot: the snapshot at that offset (0 the latest) among those the meter took. */
function snapshotHandler(
  reply: "publishSnapshot" | "publishPrepaySnapshot",
  payloadType: number,
  payload: (store: ZclStore) => ZclFields,
): CommandHandler {
  return (ctx) => {
    const taken = ctx.store.published("snapshotTimes");
    const offset = num(ctx.fields, "snapshotOffset");
    const at = taken[offset];
    if (at === undefined) return notFound;
    return {
      replies: [
        {
          name: reply,
          fields: {
            snapshotId: num(at, "snapshotId"),
            snapshotTime: num(at, "snapshotTime"),
            totalSnapshotsFound: taken.length,
            commandIndex: 0,
            totalNumberOfCommands: 1,
            snapshotCause: num(ctx.fields, "snapshotCause"),
            snapshotPayloadType: payloadType,
            snapshotSubPayload: payload(ctx.store),
          },
        },
      ],
    };
  };
}

// --- Price ------------------------------------------------------------------------------------

const publishConversionFactor: CommandHandler = (ctx) => {
  setFrom(ctx, PRICE, [
    [Attr.conversionFactor, "conversionFactor"],
    [Attr.conversionFactorTrailingDigit, "conversionFactorTrailingDigit"],
  ]);
  return ok;
};

const publishCalorificValue: CommandHandler = (ctx) => {
  setFrom(ctx, PRICE, [
    [Attr.calorificValue, "calorificValue"],
    [Attr.calorificValueUnit, "calorificValueUnit"],
    [Attr.calorificValueTrailingDigit, "calorificValueTrailingDigit"],
  ]);
  return ok;
};

const publishTariffInformation: CommandHandler = (ctx) => {
  ctx.store.replace("publishTariffInformation", [ctx.fields]);
  setFrom(ctx, PRICE, [
    [Attr.standingCharge, "standingCharge"],
    [Attr.priceUnitOfMeasure, "unitOfMeasure"],
    [Attr.currency, "currency"],
    [Attr.priceTrailingDigit, "priceTrailingDigit"],
  ]);
  return ok;
};

/**
 * Publish Price Matrix: the prices into the tier/block price attributes. Sub-payload control bit 0
 * set: TOU, the id is the tier; clear: block, the id's high nibble the tier, low nibble the block.
 */
const publishPriceMatrix: CommandHandler = (ctx) => {
  const tou = (num(ctx.fields, "subPayloadControl") & 1) === 1;
  for (const entry of list(ctx.fields.priceMatrix)) {
    const id = num(entry, "tierBlockId");
    const [tier, block] = tou ? [id, 1] : [id >> 4, (id & 0x0f) + 1];
    ctx.store.setNumber(PRICE, Attr.tierBlockPrice(tier, block), num(entry, "price"));
  }
  return ok;
};

const publishBlockThresholds: CommandHandler = (ctx) => {
  const first = list(ctx.fields.blockThresholds)[0];
  list(first?.blockThreshold).forEach((t, i) => {
    ctx.store.setNumber(PRICE, Attr.blockThreshold(i + 1), num(t, "value"));
  });
  return ok;
};

/** Get Current Price: the price now, from the tariff attributes. */
const getCurrentPrice: CommandHandler = (ctx) => {
  const tariff = ctx.store.published("publishTariffInformation")[0] ?? {};
  return reply("publishPrice", {
    providerId: num(tariff, "providerId"),
    rateLabel: new Uint8Array(0),
    issuerEventId: num(tariff, "issuerEventId"),
    currentTime: utcNow(ctx),
    unitOfMeasure: attributeNumber(ctx.store, PRICE, Attr.priceUnitOfMeasure),
    currency: attributeNumber(ctx.store, PRICE, Attr.currency),
    priceTrailingDigitAndPriceTier: attributeNumber(ctx.store, PRICE, Attr.priceTrailingDigit) | 1,
    numberOfPriceTiersAndRegisterTier: 0x11,
    startTime: 0,
    durationInMinutes: 0xffff,
    price: attributeNumber(ctx.store, PRICE, Attr.tierBlockPrice(1, 1)),
  });
};

const getBillingPeriod: CommandHandler = (ctx) =>
  replies("publishBillingPeriod", latest(ctx.store, "publishBillingPeriod"));

// --- Calendar ---------------------------------------------------------------------------------

/** A new calendar replaces the parts of the one before. */
const publishCalendar: CommandHandler = (ctx) => {
  for (const part of ["publishDayProfile", "publishWeekProfile", "publishSeasons", "publishSpecialDays"])
    ctx.store.replace(part, []);
  ctx.store.replace("publishCalendar", [ctx.fields]);
  return ok;
};

const keyed =
  (name: string, key: string): CommandHandler =>
  (ctx) => {
    ctx.store.publish(name, ctx.fields, key);
    return ok;
  };

/** Get Day / Week Profiles: those from the start id on (0: all), at most the number asked (0: all). */
const getProfiles =
  (name: string, idField: string, startField: string, countField: string): CommandHandler =>
  (ctx) => {
    const start = num(ctx.fields, startField);
    const count = num(ctx.fields, countField);
    const found = ctx.store.published(name).filter((p) => num(p, idField) >= start);
    return replies(name, count === 0 ? found : found.slice(0, count));
  };

const getAll =
  (name: string): CommandHandler =>
  (ctx) =>
    replies(name, ctx.store.published(name));

// --- Prepayment -------------------------------------------------------------------------------

const changePaymentMode: CommandHandler = (ctx) => {
  setFrom(ctx, PREPAYMENT, [
    [Attr.paymentControlConfiguration, "proposedPaymentControlConfiguration"],
    [Attr.cutOffValue, "cutOffValue"],
  ]);
  return reply("changePaymentModeResponse", {
    friendlyCredit: 0,
    friendlyCreditCalendarId: 0,
    emergencyCreditLimit: attributeNumber(ctx.store, PREPAYMENT, Attr.emergencyCreditLimitAllowance),
    emergencyCreditThreshold: attributeNumber(ctx.store, PREPAYMENT, Attr.emergencyCreditThreshold),
  });
};

/**
 * Consumer Top Up: the simulator does not validate UTRNs (GBCS §14.3), so every code is accepted
 * with no value: the top-up is logged and the credit stays as it is.
 */
const consumerTopUp: CommandHandler = (ctx) => {
  ctx.store.publish("topUps", {
    topUpCode: ctx.fields.topUpCode ?? new Uint8Array(0),
    topUpAmount: 0,
    topUpTime: utcNow(ctx),
  });
  return reply("consumerTopUpResponse", {
    resultType: 0,
    topUpValue: 0,
    sourceOfTopUp: num(ctx.fields, "originatingDevice"),
    creditRemaining: attributeNumber(ctx.store, PREPAYMENT, Attr.creditRemaining),
  });
};

/**
 * Credit Adjustment, GBCS's types: 0 adjusts and 1 resets (sets) the prepayment meter balance
 * (creditRemaining, GCS40a/b); 3 adjusts and 2 resets the credit-mode meter balance (GCS40c/d), which
 * has no ZSE attribute: the store keeps it as a record.
 */
const creditAdjustment: CommandHandler = (ctx) => {
  const value = num(ctx.fields, "creditAdjustmentValue");
  const type = num(ctx.fields, "creditAdjustmentType");
  if (type > 3) return status(ZclStatus.invalidValue);
  if (type <= 1) {
    const before = attributeNumber(ctx.store, PREPAYMENT, Attr.creditRemaining);
    ctx.store.setNumber(PREPAYMENT, Attr.creditRemaining, type === 0 ? before + value : value);
  } else {
    const before = num(ctx.store.published("creditModeBalance")[0] ?? {}, "balance");
    ctx.store.replace("creditModeBalance", [{ balance: type === 3 ? before + value : value }]);
  }
  return ok;
};

/** Change Debt: debt amount types 0/1 absolute/incremental of debt 1, 2/3 of debt 2, 4/5 of debt 3. */
const changeDebt: CommandHandler = (ctx) => {
  const type = num(ctx.fields, "debtAmountType");
  if (type > 5) return status(ZclStatus.invalidValue);
  const attribute = Attr.debtAmount((type >> 1) + 1);
  const amount = num(ctx.fields, "debtAmount");
  const before = attributeNumber(ctx.store, PREPAYMENT, attribute);
  ctx.store.setNumber(PREPAYMENT, attribute, Math.max(0, type % 2 === 0 ? amount : before + amount));
  return ok;
};

const setters = (pairs: readonly (readonly [number, string])[]): CommandHandler => {
  return (ctx) => {
    setFrom(ctx, PREPAYMENT, pairs);
    return ok;
  };
};

const getTopUpLog: CommandHandler = (ctx) => {
  const n = num(ctx.fields, "numberOfRecords") || Number.POSITIVE_INFINITY;
  const topUps = ctx.store.published("topUps").slice(-n).reverse();
  return topUps.length === 0
    ? notFound
    : reply("publishTopUpLog", { commandIndex: 0, totalNumberOfCommands: 1, topUps });
};

const getDebtRepaymentLog: CommandHandler = (ctx) => {
  const n = num(ctx.fields, "numberOfDebts") || Number.POSITIVE_INFINITY;
  const type = num(ctx.fields, "debtType");
  // ZSE debt type 0xFF: all debts.
  const debts = ctx.store.published("debts").filter((d) => type === 0xff || num(d, "debtType") === type);
  return debts.length === 0
    ? notFound
    : reply("publishDebtLog", {
        commandIndex: 0,
        totalNumberOfCommands: 1,
        debts: debts.slice(-n).reverse(),
      });
};

// --- Device Management and Events ------------------------------------------------------------

const updateSiteId: CommandHandler = (ctx) => setBytes(ctx, METERING, Attr.siteId, "siteId");
const updateCin: CommandHandler = (ctx) => setBytes(ctx, METERING, Attr.customerIdNumber, "customerIdNumber");

function setBytes(ctx: CommandContext, cluster: number, attribute: number, field: string): CommandResult {
  const v = ctx.fields[field];
  const current = ctx.store.read(cluster, attribute);
  if (v instanceof Uint8Array && current?.type === 0x41)
    ctx.store.set(cluster, attribute, { type: 0x41, value: v });
  return ok;
}

/** Set Event Configuration: by list of event ids (other selectors are acknowledged, kept as sent). */
const setEventConfiguration: CommandHandler = (ctx) => {
  ctx.store.publish("setEventConfiguration", ctx.fields);
  const payload = ctx.fields.eventConfigurationPayload;
  if (num(ctx.fields, "configurationControl") === 0 && isFields(payload)) {
    for (const e of list(payload.eventIds))
      ctx.store.publish(
        "eventConfiguration",
        { eventId: num(e, "eventId"), eventConfiguration: num(ctx.fields, "eventConfiguration") },
        "eventId",
      );
  }
  return ok;
};

const getEventConfiguration: CommandHandler = (ctx) => {
  const eventId = num(ctx.fields, "eventId");
  const found = ctx.store.published("eventConfiguration").find((e) => num(e, "eventId") === eventId);
  return reply("reportEventConfiguration", {
    commandIndex: 0,
    totalCommands: 1,
    eventConfigurations: [
      { eventId, eventConfiguration: found === undefined ? 0 : num(found, "eventConfiguration") },
    ],
  });
};

/** Get Event Log: the log's entries (log id in the low nibble of Event Control / Log ID), newest first. */
const getEventLog: CommandHandler = (ctx) => {
  const logId = num(ctx.fields, "eventControlLogId") & 0x0f;
  const n = num(ctx.fields, "numberOfEvents") || 15;
  const events = ctx.store.published("events").filter((e) => logId === 0 || num(e, "logId") === logId);
  const sent = events.slice(-Math.min(n, 15)).reverse();
  if (sent.length === 0) return notFound;
  return reply("publishEventLog", {
    totalNumberOfEvents: events.length,
    commandIndex: 0,
    totalCommands: 1,
    numberOfEventsLogPayloadControl: sent.length << 4,
    eventLogEntries: sent,
  });
};

/** Clear Event Log Request: ZSE log id n (1-7) → bit n of Cleared Events Logs; 0 clears all (bit 0). */
const clearEventLogRequest: CommandHandler = (ctx) => {
  const logId = num(ctx.fields, "logId");
  const events = ctx.store.published("events");
  ctx.store.replace("events", logId === 0 ? [] : events.filter((e) => num(e, "logId") !== logId));
  if (logId > 7) return status(ZclStatus.invalidValue);
  return reply("clearEventLogResponse", { clearedEventsLogs: logId === 0 ? 0xff : 1 << logId });
};

// --- helpers ----------------------------------------------------------------------------------

function isFields(v: ZclFieldValue | undefined): v is ZclFields {
  return v !== undefined && typeof v === "object" && !(v instanceof Uint8Array) && !Array.isArray(v);
}

function list(v: ZclFieldValue | undefined): readonly ZclFields[] {
  return Array.isArray(v) ? (v as readonly ZclFields[]) : [];
}

function latest(store: ZclStore, name: string): readonly ZclFields[] {
  const all = store.published(name);
  return all.length === 0 ? [] : [all[all.length - 1]!];
}

/** Every handler, by ZSE command name. */
export function gasCommandHandlers(): ReadonlyMap<string, CommandHandler> {
  return new Map<string, CommandHandler>([
    ["changeSupply", changeSupply],
    ["setSupplyStatus", setSupplyStatus],
    ["setUncontrolledFlowThreshold", setUncontrolledFlowThreshold],
    ["startSampling", startSampling],
    ["getSampledData", getSampledData],
    [
      "getSnapshot",
      snapshotHandler(
        "publishSnapshot",
        SnapshotPayloadType.blockTierInformationSetDeliveredNoBilling,
        meteringSnapshotPayload,
      ),
    ],
    [
      "getPrepaySnapshot",
      snapshotHandler("publishPrepaySnapshot", SnapshotPayloadType.debtCreditStatus, prepaySnapshotPayload),
    ],
    ["publishConversionFactor", publishConversionFactor],
    ["publishCalorificValue", publishCalorificValue],
    ["publishTariffInformation", publishTariffInformation],
    ["publishPriceMatrix", publishPriceMatrix],
    ["publishBlockThresholds", publishBlockThresholds],
    ["getCurrentPrice", getCurrentPrice],
    ["getBillingPeriod", getBillingPeriod],
    ["publishCalendar", publishCalendar],
    ["publishDayProfile", keyed("publishDayProfile", "dayId")],
    ["publishWeekProfile", keyed("publishWeekProfile", "weekId")],
    ["getCalendar", getAll("publishCalendar")],
    ["getDayProfiles", getProfiles("publishDayProfile", "dayId", "startDayId", "numberOfDays")],
    ["getWeekProfiles", getProfiles("publishWeekProfile", "weekId", "startWeekId", "numberOfWeeks")],
    ["getSeasons", getAll("publishSeasons")],
    ["getSpecialDays", getAll("publishSpecialDays")],
    ["changePaymentMode", changePaymentMode],
    ["consumerTopUp", consumerTopUp],
    ["creditAdjustment", creditAdjustment],
    ["changeDebt", changeDebt],
    [
      "emergencyCreditSetup",
      setters([
        [Attr.emergencyCreditLimitAllowance, "emergencyCreditLimit"],
        [Attr.emergencyCreditThreshold, "emergencyCreditThreshold"],
      ]),
    ],
    ["setLowCreditWarningLevel", setters([[Attr.lowCreditWarningLevel, "lowCreditWarningLevel"]])],
    [
      "setMaximumCreditLimit",
      setters([
        [Attr.maxCreditLimit, "maximumCreditLevel"],
        [Attr.maxCreditPerTopUp, "maximumCreditPerTopUp"],
      ]),
    ],
    ["setOverallDebtCap", setters([[Attr.overallDebtCap, "overallDebtCap"]])],
    ["getTopUpLog", getTopUpLog],
    ["getDebtRepaymentLog", getDebtRepaymentLog],
    ["updateSiteId", updateSiteId],
    ["updateCin", updateCin],
    ["setEventConfiguration", setEventConfiguration],
    ["getEventConfiguration", getEventConfiguration],
    ["getEventLog", getEventLog],
    ["clearEventLogRequest", clearEventLogRequest],
  ]);
}
