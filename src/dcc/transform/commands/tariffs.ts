/**
 * SRV 1.x, tariffs and prices: time-of-use and block tariffs, price and standing charges, the special days and switching tables of ESMEs and GSMEs.
 *
 * All of these are critical. The future-datable ones (1.1, 1.2, 1.6) take the body's
 * ExecutionDateTime into the activation times of what they set (`execution-date.ts`), not into an
 * access-request date-time or a GBZ From Date Time. The tables themselves are built in
 * `tariff-tables.ts` (ESME), `gas-tariff.ts` (GSME) and `payment-mode.ts`.
 *
 * - 1.1.1 Update Import Tariff (Primary Element): ECS01a to an ESME, GCS01a to a GSME.
 * - 1.1.2 Update Import Tariff (Secondary Element): ECS01c.
 * - 1.2.1 Update Price (Primary Element): ECS01b, GCS01b. 1.2.2 (Secondary Element): ECS01d.
 * - 1.5 Update Meter Balance: ECS04a (adjust, prepayment mode), ECS04b (reset, credit mode);
 *   GCS40a-d, the ZSE Credit Adjustment of each mode × adjust/reset.
 * - 1.6 Update Payment Mode: ECS02/GCS02 to credit, ECS03/GCS03 to prepayment.
 * - 1.7 Reset Tariff Block Counter Matrix: ECS05.
 */
import { messageCodeOf } from "../../../catalogue/index.js";
import type { DuisElement } from "../../../duis/model/element.js";
import type { DlmsData } from "../../../gbcs/dlms/data.js";
import type { ObisCode } from "../../../gbcs/dlms/index.js";
import { boolean, has, integer, required } from "../body.js";
import type { CommandContext, CommandSpec } from "../command-spec.js";
import { accessRequest, action, type DlmsRequestItem, dlms, set } from "../dlms-builder.js";
import {
  type Execution,
  executionDateTimeOctets,
  executionOf,
  executionZigbeeTime,
  ZIGBEE_CANCEL,
} from "../execution-date.js";
import { gasPriceCommands, gasTariffCommands } from "../gas-tariff.js";
import { clusterCommand, zigbeeUtc } from "../gbz-builder.js";
import {
  ACCOUNT_STATUS_NEW_INACTIVE,
  creditChargeConfiguration,
  PAYMENT_MODE,
  type PaymentMode,
  paymentControlConfiguration,
} from "../payment-mode.js";
import {
  ATTRIBUTE,
  blockThresholdMonitor,
  blockThresholds,
  type CosemObject,
  CURRENCY_UNIT,
  currencyIsPounds,
  dayProfiles,
  primaryPriceMatrix,
  STANDING_CHARGE,
  seasonProfiles,
  secondaryPriceMatrix,
  specialDays,
  standingCharge,
  TARIFF_OBJECTS,
  TARIFFICATION_SCRIPT_TABLE,
  THRESHOLD_MATRIX_ACTIVATION,
  THRESHOLD_RATES,
  weekProfiles,
} from "../tariff-tables.js";

/** A set of an attribute of a COSEM object. */
function setOn(o: CosemObject, attribute: number, value: DlmsData): DlmsRequestItem {
  return set(o.classId, o.obis, attribute, value);
}

/** Sets an activation-time attribute to the body's execution date. */
function activate(o: CosemObject, attribute: number, activation: Execution): DlmsRequestItem {
  return setOn(o, attribute, dlms.octets(executionDateTimeOctets(activation)));
}

const PRIMARY = TARIFF_OBJECTS.primary;
const SECONDARY = TARIFF_OBJECTS.secondary;

/** ECS01a: the whole primary tariff (switching table, special days, thresholds, currency, prices). */
function ecs01a(ctx: CommandContext) {
  const tariff = required(ctx.body, "ElecTariffElements");
  const switching = required(tariff, "SwitchingTable");
  const prices = required(ctx.body, "PriceElements/ElectricityPriceElements");
  const thresholds = required(tariff, "ThresholdMatrix");
  const when = executionOf(ctx.body);
  return accessRequest(ctx.counter, [
    setOn(PRIMARY.calendar, ATTRIBUTE.seasonProfilePassive, seasonProfiles(switching)),
    setOn(PRIMARY.calendar, ATTRIBUTE.weekProfileTablePassive, weekProfiles(switching)),
    setOn(PRIMARY.calendar, ATTRIBUTE.dayProfileTablePassive, dayProfiles(switching, "primary")),
    setOn(PRIMARY.specialDays, ATTRIBUTE.specialDayEntries, specialDays(required(tariff, "SpecialDays"))),
    ...THRESHOLD_RATES.map((rate) =>
      setOn(
        blockThresholdMonitor(rate),
        ATTRIBUTE.registerMonitorThresholds,
        blockThresholds(thresholds, rate),
      ),
    ),
    setOn(CURRENCY_UNIT, ATTRIBUTE.valuePassive, currencyIsPounds(tariff, "CurrencyUnits")),
    setOn(STANDING_CHARGE, ATTRIBUTE.unitChargePassive, standingCharge(prices)),
    setOn(PRIMARY.priceMatrix, ATTRIBUTE.unitChargePassive, primaryPriceMatrix(prices)),
    activate(PRIMARY.calendar, ATTRIBUTE.activatePassiveCalendarTime, when),
    activate(PRIMARY.specialDaysActivation, ATTRIBUTE.activatePassiveValueTime, when),
    activate(CURRENCY_UNIT, ATTRIBUTE.activatePassiveValueTime, when),
    activate(STANDING_CHARGE, ATTRIBUTE.unitChargeActivationTime, when),
    activate(PRIMARY.priceMatrix, ATTRIBUTE.unitChargeActivationTime, when),
    activate(THRESHOLD_MATRIX_ACTIVATION, ATTRIBUTE.activatePassiveValueTime, when),
  ]);
}

/** ECS01b: the primary prices and standing charge. */
function ecs01b(ctx: CommandContext) {
  const prices = required(ctx.body, "PriceElements/ElectricityPriceElements");
  const when = executionOf(ctx.body);
  return accessRequest(ctx.counter, [
    setOn(STANDING_CHARGE, ATTRIBUTE.unitChargePassive, standingCharge(prices)),
    setOn(PRIMARY.priceMatrix, ATTRIBUTE.unitChargePassive, primaryPriceMatrix(prices)),
    activate(STANDING_CHARGE, ATTRIBUTE.unitChargeActivationTime, when),
    activate(PRIMARY.priceMatrix, ATTRIBUTE.unitChargeActivationTime, when),
  ]);
}

/** ECS01c: the secondary element's prices, switching table and special days. */
function ecs01c(ctx: CommandContext) {
  const switching = required(ctx.body, "SwitchingTable");
  const when = executionOf(ctx.body);
  return accessRequest(ctx.counter, [
    setOn(
      SECONDARY.priceMatrix,
      ATTRIBUTE.unitChargePassive,
      secondaryPriceMatrix(required(ctx.body, "PriceElements")),
    ),
    setOn(SECONDARY.calendar, ATTRIBUTE.seasonProfilePassive, seasonProfiles(switching)),
    setOn(SECONDARY.calendar, ATTRIBUTE.weekProfileTablePassive, weekProfiles(switching)),
    setOn(SECONDARY.calendar, ATTRIBUTE.dayProfileTablePassive, dayProfiles(switching, "secondary")),
    setOn(SECONDARY.specialDays, ATTRIBUTE.specialDayEntries, specialDays(required(ctx.body, "SpecialDays"))),
    activate(SECONDARY.calendar, ATTRIBUTE.activatePassiveCalendarTime, when),
    activate(SECONDARY.priceMatrix, ATTRIBUTE.unitChargeActivationTime, when),
    activate(SECONDARY.specialDaysActivation, ATTRIBUTE.activatePassiveValueTime, when),
  ]);
}

/** ECS01d: the secondary element's prices. */
function ecs01d(ctx: CommandContext) {
  const when = executionOf(ctx.body);
  return accessRequest(ctx.counter, [
    setOn(
      SECONDARY.priceMatrix,
      ATTRIBUTE.unitChargePassive,
      secondaryPriceMatrix(required(ctx.body, "PriceElements")),
    ),
    activate(SECONDARY.priceMatrix, ATTRIBUTE.unitChargeActivationTime, when),
  ]);
}

/** The ESME's Account (class 111): account_mode_and_status (2), credit_charge_configuration (11), account_activation_time (13). */
const ACCOUNT: CosemObject = { classId: 111, obis: "0-1:19.0.0.255" };
const ACCOUNT_ATTRIBUTE = { modeAndStatus: 2, creditChargeConfiguration: 11, activationTime: 13 } as const;
/** The disablement threshold of the meter balance (class 9000): value_passive (4), activation (6). */
const DISABLEMENT_THRESHOLD: CosemObject = { classId: 9000, obis: "0-0:94.44.128.22" };

/**
 * Whether the ESMEs the DCC sends payment-mode changes to have a secondary (twin) element, whose
 * price matrix the credit-charge configuration then names too. The command context does not carry
 * the ESME variant; the RTDS ESME takes secondary-element tariffs (1.1.2, 1.2.2), so it is twin.
 */
const ESME_SECONDARY_ELEMENT = true;

function paymentModeOf(body: DuisElement): PaymentMode {
  if (has(body, "Credit")) return { mode: "credit" };
  return {
    mode: "prepayment",
    suspendDebtDisabled: boolean(body, "Prepayment/SuspendDebtDisabled"),
    suspendDebtEmergency: boolean(body, "Prepayment/SuspendDebtEmergency"),
  };
}

/** ECS02 (credit) and ECS03 (prepayment): account mode, charge configuration, activation. */
function esmePaymentMode(ctx: CommandContext) {
  const mode = paymentModeOf(ctx.body);
  const when = executionOf(ctx.body);
  const modeAndStatus = setOn(
    ACCOUNT,
    ACCOUNT_ATTRIBUTE.modeAndStatus,
    dlms.structure(dlms.enum(PAYMENT_MODE[mode.mode]), dlms.enum(ACCOUNT_STATUS_NEW_INACTIVE)),
  );
  const configuration = setOn(
    ACCOUNT,
    ACCOUNT_ATTRIBUTE.creditChargeConfiguration,
    creditChargeConfiguration(mode, ESME_SECONDARY_ELEMENT),
  );
  const accountActivation = activate(ACCOUNT, ACCOUNT_ATTRIBUTE.activationTime, when);
  if (mode.mode === "credit")
    return accessRequest(ctx.counter, [modeAndStatus, configuration, accountActivation]);
  return accessRequest(ctx.counter, [
    modeAndStatus,
    setOn(
      DISABLEMENT_THRESHOLD,
      ATTRIBUTE.valuePassive,
      dlms.doubleLong(integer(ctx.body, "Prepayment/DisablementThreshold")),
    ),
    configuration,
    activate(DISABLEMENT_THRESHOLD, ATTRIBUTE.activatePassiveValueTime, when),
    accountActivation,
  ]);
}

/** ZSE Prepayment cluster and its client-to-server commands. */
const ZCL_PREPAYMENT = 0x0705;
const CHANGE_PAYMENT_MODE = 0x06;
const CREDIT_ADJUSTMENT = 0x05;
/** Change Payment Mode Cut Off Value "do not change" (credit mode has no disablement threshold). */
const CUT_OFF_UNCHANGED = -1;

/** GCS02 (credit) and GCS03 (prepayment): ZSE Change Payment Mode. */
function gsmePaymentMode(ctx: CommandContext) {
  const mode = paymentModeOf(ctx.body);
  return clusterCommand(ZCL_PREPAYMENT, CHANGE_PAYMENT_MODE, "changePaymentMode", {
    providerId: 0,
    issuerEventId: zigbeeUtc(ctx.at),
    implementationDateTime: executionZigbeeTime(executionOf(ctx.body), ZIGBEE_CANCEL),
    proposedPaymentControlConfiguration: paymentControlConfiguration(mode),
    cutOffValue:
      mode.mode === "credit" ? CUT_OFF_UNCHANGED : integer(ctx.body, "Prepayment/DisablementThreshold"),
  });
}

/** The ESME's credit registers (class 112 Credit): method 1 update_amount, 2 set_amount_to_value. */
const METER_BALANCE: CosemObject = { classId: 112, obis: "0-0:19.10.0.255" };
const RESET_REGISTERS: readonly ObisCode[] = ["0-0:19.10.0.255", "0-0:19.10.1.255", "0-0:19.10.2.255"];
const UPDATE_AMOUNT = 1;
const SET_AMOUNT_TO_VALUE = 2;

/** ZSE Credit Adjustment Type of each 1.5 variant (GCS40a-d). */
const CREDIT_ADJUSTMENT_TYPE = {
  GCS40a: { path: "PrepaymentMode/AdjustMeterBalance", type: 0 },
  GCS40b: { path: "PrepaymentMode/ResetMeterBalance", type: 1 },
  GCS40d: { path: "CreditMode/ResetMeterBalance", type: 2 },
  GCS40c: { path: "CreditMode/AdjustMeterBalance", type: 3 },
} as const;

function creditAdjustment(useCase: keyof typeof CREDIT_ADJUSTMENT_TYPE): CommandSpec {
  const { path, type } = CREDIT_ADJUSTMENT_TYPE[useCase];
  const adjusts = path.endsWith("AdjustMeterBalance");
  return {
    srv: "1.5",
    useCase,
    messageCode: messageCodeOf(useCase),
    deviceTypes: ["GSME"],
    applies: (ctx) => has(ctx.body, path),
    payload: (ctx) =>
      clusterCommand(ZCL_PREPAYMENT, CREDIT_ADJUSTMENT, "creditAdjustment", {
        issuerEventId: zigbeeUtc(ctx.at),
        startTime: 0,
        creditAdjustmentType: type,
        creditAdjustmentValue: adjusts ? integer(ctx.body, path) : 0,
      }),
  };
}

/** The Tariffication Script Table script that resets the tariff block counter matrix (ECS05). */
const RESET_BLOCK_COUNTERS_SCRIPT = 99;
const EXECUTE = 1;

export const tariffCommands: readonly CommandSpec[] = [
  {
    srv: "1.1.1",
    useCase: "ECS01a",
    messageCode: messageCodeOf("ECS01a"),
    deviceTypes: ["ESME"],
    payload: ecs01a,
  },
  {
    srv: "1.1.1",
    useCase: "GCS01a",
    messageCode: messageCodeOf("GCS01a"),
    deviceTypes: ["GSME"],
    payload: (ctx) => gasTariffCommands(ctx.body, ctx.at),
  },
  {
    srv: "1.1.2",
    useCase: "ECS01c",
    messageCode: messageCodeOf("ECS01c"),
    deviceTypes: ["ESME"],
    payload: ecs01c,
  },
  {
    srv: "1.2.1",
    useCase: "ECS01b",
    messageCode: messageCodeOf("ECS01b"),
    deviceTypes: ["ESME"],
    payload: ecs01b,
  },
  {
    srv: "1.2.1",
    useCase: "GCS01b",
    messageCode: messageCodeOf("GCS01b"),
    deviceTypes: ["GSME"],
    payload: (ctx) => gasPriceCommands(ctx.body, ctx.at),
  },
  {
    srv: "1.2.2",
    useCase: "ECS01d",
    messageCode: messageCodeOf("ECS01d"),
    deviceTypes: ["ESME"],
    payload: ecs01d,
  },
  {
    srv: "1.5",
    useCase: "ECS04a",
    messageCode: messageCodeOf("ECS04a"),
    deviceTypes: ["ESME"],
    applies: (ctx) => has(ctx.body, "PrepaymentMode/AdjustMeterBalance"),
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        action(
          METER_BALANCE.classId,
          METER_BALANCE.obis,
          UPDATE_AMOUNT,
          dlms.doubleLong(integer(ctx.body, "PrepaymentMode/AdjustMeterBalance")),
        ),
      ]),
  },
  {
    srv: "1.5",
    useCase: "ECS04b",
    messageCode: messageCodeOf("ECS04b"),
    deviceTypes: ["ESME"],
    applies: (ctx) => has(ctx.body, "CreditMode/ResetMeterBalance"),
    payload: (ctx) =>
      accessRequest(
        ctx.counter,
        RESET_REGISTERS.map((obis) =>
          action(METER_BALANCE.classId, obis, SET_AMOUNT_TO_VALUE, dlms.doubleLong(0)),
        ),
      ),
  },
  creditAdjustment("GCS40a"),
  creditAdjustment("GCS40b"),
  creditAdjustment("GCS40c"),
  creditAdjustment("GCS40d"),
  {
    srv: "1.6",
    useCase: "ECS02",
    messageCode: messageCodeOf("ECS02"),
    deviceTypes: ["ESME"],
    applies: (ctx) => has(ctx.body, "Credit"),
    payload: esmePaymentMode,
  },
  {
    srv: "1.6",
    useCase: "ECS03",
    messageCode: messageCodeOf("ECS03"),
    deviceTypes: ["ESME"],
    applies: (ctx) => has(ctx.body, "Prepayment"),
    payload: esmePaymentMode,
  },
  {
    srv: "1.6",
    useCase: "GCS02",
    messageCode: messageCodeOf("GCS02"),
    deviceTypes: ["GSME"],
    applies: (ctx) => has(ctx.body, "Credit"),
    payload: gsmePaymentMode,
  },
  {
    srv: "1.6",
    useCase: "GCS03",
    messageCode: messageCodeOf("GCS03"),
    deviceTypes: ["GSME"],
    applies: (ctx) => has(ctx.body, "Prepayment"),
    payload: gsmePaymentMode,
  },
  {
    srv: "1.7",
    useCase: "ECS05",
    messageCode: messageCodeOf("ECS05"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        action(
          TARIFFICATION_SCRIPT_TABLE.classId,
          TARIFFICATION_SCRIPT_TABLE.obis,
          EXECUTE,
          dlms.longUnsigned(RESET_BLOCK_COUNTERS_SCRIPT),
        ),
      ]),
  },
];
