/**
 * SRV 2.x and 3.x, prepayment and credit: prepayment configuration (2.1), top-ups (2.2, UTRN), debt
 * (2.3), emergency credit (2.5), and the supplier's settings of 3.x (display message, change of
 * tenancy, event log, supplier name, privacy PIN).
 *
 * ESME commands are DLMS COSEM access-requests on the Account/Credit/Charge/Token Gateway objects
 * (classes 111-115) and on SMETS data objects; GSME (and GPF) commands are ZSE commands of the
 * Prepayment, Messaging and Device Management clusters. Each row follows its GBCS use-case template:
 * the object descriptors and constants are data here, the DUIS values are read by path.
 *
 * Future dating: 2.1 is executed by the device, so ECS08a and GCS05 carry the ExecutionDateTime (see
 * `execution-date-time.ts`). 3.1, 3.2 and 3.4 are future-dated by the DCC (DUIS pattern "DSP"): the
 * DCC holds the request until its date and then sends the command as it sends an on-demand one, so
 * their commands carry no date.
 */
import { messageCodeOf } from "../../../catalogue/index.js";
import type { ObisCode } from "../../../gbcs/dlms/index.js";
import { dateTime, integer, optionalText, text } from "../body.js";
import type { CommandContext, CommandSpec } from "../command-spec.js";
import { BodyFieldError } from "../command-spec.js";
import { accessRequest, action, type DlmsRequestItem, dlms, set } from "../dlms-builder.js";
import { dateTimeOctets } from "../execution-date.js";
import { command, gbzCommand, serverToClient, zigbeeUtc } from "../gbz-builder.js";
import { electricityPrepaymentConfiguration } from "../prepayment-electricity.js";
import { gasPrepaymentConfiguration } from "../prepayment-gas.js";

/** A COSEM object: class and logical name. */
interface CosemObject {
  readonly classId: number;
  readonly obis: ObisCode;
}

/** The ESME objects these use cases address (GBCS use-case templates, SMETS references). */
export const ESME_OBJECTS = {
  /** Charge (class 113): time-based debt 1 and 2, payment-based debt. */
  timeDebt1: { classId: 113, obis: "0-0:19.20.1.255" },
  timeDebt2: { classId: 113, obis: "0-0:19.20.2.255" },
  paymentDebt: { classId: 113, obis: "0-0:19.20.3.255" },
  /** Credit (class 112): emergency credit. */
  emergencyCredit: { classId: 112, obis: "0-0:19.10.1.255" },
  /** Token Gateway (class 115). */
  tokenGateway: { classId: 115, obis: "0-0:19.40.0.255" },
  /** Data (class 1): the supplier message shown on the meter's display. */
  supplierMessage: { classId: 1, obis: "0-2:96.13.1.255" },
  /** Data (class 1): the change-of-tenancy date-time. */
  tenancyDateTime: { classId: 1, obis: "0-0:94.44.3.2" },
  /** Data (class 1): the privacy PIN protection. */
  privacyPin: { classId: 1, obis: "0-0:94.44.3.1" },
  /** Profile Generic (class 7): the ESME event log and the ALCS event log. */
  esmeEventLog: { classId: 7, obis: "0-0:99.98.0.255" },
  alcsEventLog: { classId: 7, obis: "0-17:99.98.2.255" },
  /** The supplier's telephone number and name (the manufacturer-specific class of the use case). */
  supplierTelephone: { classId: 9000, obis: "0-0:96.13.0.255" },
  supplierName: { classId: 9000, obis: "0-0:96.13.1.255" },
} as const satisfies Record<string, CosemObject>;

/** Class 113 Charge attributes and methods (Blue Book). */
const CHARGE = {
  /** unit_charge_passive */
  unitChargePassive: 6,
  /** period */
  period: 8,
  /** proportion (of a payment recovered, in 0.01 %) */
  proportion: 13,
  /** activate_passive_unit_charge */
  activatePassiveUnitCharge: 2,
  /** set_total_amount_remaining */
  setTotalAmountRemaining: 4,
} as const;

/** Class 112 Credit method 3, invoke_credit. */
const INVOKE_CREDIT = 3;
/** Token Gateway method 1, enter (a token). */
const ENTER_TOKEN = 1;
/** Profile Generic method 1, reset (clears the buffer). */
const RESET = 1;
/** Data attribute 2, value. */
const VALUE = 2;

/** DUIS DebtRecoveryRatePeriod as a Charge period in seconds (ESME) and a ZSE frequency (GSME). */
const DEBT_RECOVERY_PERIODS: Record<string, { readonly seconds: number; readonly zse: number }> = {
  HOURLY: { seconds: 3600, zse: 0 },
  DAILY: { seconds: 86400, zse: 1 },
};

function debtRecoveryPeriod(ctx: CommandContext, path: string): { seconds: number; zse: number } {
  const value = text(ctx.body, path);
  const period = DEBT_RECOVERY_PERIODS[value];
  if (period === undefined) throw new BodyFieldError(path, `"${value}" is not a debt recovery period`);
  return period;
}

function setOn(object: CosemObject, attributeId: number, value: Parameters<typeof set>[3]): DlmsRequestItem {
  return set(object.classId, object.obis, attributeId, value);
}

function actionOn(
  object: CosemObject,
  methodId: number,
  parameter: Parameters<typeof action>[3],
): DlmsRequestItem {
  return action(object.classId, object.obis, methodId, parameter);
}

/**
 * A Charge's unit_charge_passive for a time-based debt recovery rate: charge_per_unit_scaling
 * (commodity scale 0, price scale from the body), no commodity reference, and one charge table
 * element (no index) whose charge_per_unit is the recovery rate.
 */
function debtRecoveryCharge(ctx: CommandContext, path: string) {
  return dlms.structure(
    dlms.structure(dlms.integer(0), dlms.integer(integer(ctx.body, `${path}/DebtRecoveryRatePriceScale`))),
    dlms.structure(dlms.longUnsigned(0), dlms.octets(new Uint8Array(6)), dlms.integer(0)),
    dlms.array([
      dlms.structure(
        dlms.octets(new Uint8Array(0)),
        dlms.long(integer(ctx.body, `${path}/DebtRecoveryRate`)),
      ),
    ]),
  );
}

/** Printable DUIS text as the octet-string a meter shows. */
function ascii(value: string): Uint8Array {
  return Uint8Array.from(Buffer.from(value, "latin1"));
}

/** ZSE cluster ids. */
const ZCL = { messaging: 0x0703, prepayment: 0x0705, deviceManagement: 0x0708, events: 0x0709 } as const;

/** ZSE Prepayment cluster: Change Debt's Debt Amount Types and Recovery Methods (GCS04 template). */
const DEBT_AMOUNT_TYPE = {
  timeDebt1Incremental: 1,
  timeDebt2Incremental: 3,
  paymentDebtIncremental: 5,
} as const;
const DEBT_RECOVERY_METHOD = { timeBased: 0, paymentBased: 1 } as const;
/** GCS04: a payment-based debt's recovery frequency is set to 0x01. */
const PAYMENT_DEBT_FREQUENCY = 1;

function changeDebt(ctx: CommandContext, fields: Record<string, number>) {
  return command(ZCL.prepayment, 0x02, "changeDebt", {
    issuerEventId: zigbeeUtc(ctx.at),
    debtLabel: new Uint8Array(0),
    debtRecoveryStartTime: 0,
    debtRecoveryCollectionTime: 0,
    ...fields,
  });
}

/** ZSE Events cluster Clear Event Log Request: Log ID 0x03, the General Event Log (CS11 template). */
const GENERAL_EVENT_LOG = 3;

/** ZSE Display Message: duration 0xFFFF ("until changed") and message control 0 (normal). */
const DISPLAY_UNTIL_CHANGED = 0xffff;

/** ZSE Publish Change of Tenancy / Supplier control bitmaps as GBCS sets them (GCS09, GCS44). */
const TENANCY_CHANGE_CONTROL = 0x00000200;
const SUPPLIER_CHANGE_CONTROL = 0x00001800;

/** ZSE Request New Password Response: password type 2 (the consumer's PIN) with no password clears it. */
const PASSWORD_TYPE_PIN = 2;

export const prepaymentCommands: readonly CommandSpec[] = [
  // 2.1 Update Prepay Configuration. ECS08 (0x001F, GBCS before v3) is the same command with the
  // maximum meter balance written to its value (attribute 2) rather than its passive value: the DCC
  // builds ECS08a, its successor, from the same body.
  {
    srv: "2.1",
    useCase: "ECS08a",
    messageCode: messageCodeOf("ECS08a"),
    deviceTypes: ["ESME"],
    payload: (ctx) => electricityPrepaymentConfiguration(ctx),
  },
  {
    srv: "2.1",
    useCase: "GCS05",
    messageCode: messageCodeOf("GCS05"),
    deviceTypes: ["GSME"],
    payload: (ctx) => gasPrepaymentConfiguration(ctx),
  },
  // 2.2 Top Up Device: the UTRN's 20 digits, as characters, are the token (GBCS §14.3).
  {
    srv: "2.2",
    useCase: "CS01a",
    messageCode: messageCodeOf("CS01a"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        actionOn(ESME_OBJECTS.tokenGateway, ENTER_TOKEN, dlms.octets(ascii(text(ctx.body, "UTRN")))),
      ]),
  },
  {
    srv: "2.2",
    useCase: "CS01b",
    messageCode: messageCodeOf("CS01b"),
    deviceTypes: ["GSME"],
    payload: (ctx) =>
      gbzCommand([
        command(ZCL.prepayment, 0x04, "consumerTopUp", {
          originatingDevice: 0,
          topUpCode: ascii(text(ctx.body, "UTRN")),
        }),
      ]),
  },
  // 2.3 Update Debt
  {
    srv: "2.3",
    useCase: "ECS07",
    messageCode: messageCodeOf("ECS07"),
    deviceTypes: ["ESME"],
    payload: (ctx) => {
      const p1 = debtRecoveryPeriod(ctx, "ElecDebtRecovery1/DebtRecoveryRatePeriod");
      const p2 = debtRecoveryPeriod(ctx, "ElecDebtRecovery2/DebtRecoveryRatePeriod");
      const { timeDebt1, timeDebt2, paymentDebt } = ESME_OBJECTS;
      return accessRequest(ctx.counter, [
        setOn(timeDebt1, CHARGE.unitChargePassive, debtRecoveryCharge(ctx, "ElecDebtRecovery1")),
        setOn(timeDebt2, CHARGE.unitChargePassive, debtRecoveryCharge(ctx, "ElecDebtRecovery2")),
        setOn(paymentDebt, CHARGE.proportion, dlms.longUnsigned(integer(ctx.body, "DebtRecoveryPerPayment"))),
        setOn(timeDebt1, CHARGE.period, dlms.doubleLongUnsigned(p1.seconds)),
        setOn(timeDebt2, CHARGE.period, dlms.doubleLongUnsigned(p2.seconds)),
        actionOn(timeDebt1, CHARGE.activatePassiveUnitCharge, dlms.integer(0)),
        actionOn(timeDebt2, CHARGE.activatePassiveUnitCharge, dlms.integer(0)),
        actionOn(
          paymentDebt,
          CHARGE.setTotalAmountRemaining,
          dlms.doubleLong(integer(ctx.body, "PaymentDebtRegister")),
        ),
        actionOn(
          timeDebt1,
          CHARGE.setTotalAmountRemaining,
          dlms.doubleLong(integer(ctx.body, "TimeDebtRegister1")),
        ),
        actionOn(
          timeDebt2,
          CHARGE.setTotalAmountRemaining,
          dlms.doubleLong(integer(ctx.body, "TimeDebtRegister2")),
        ),
      ]);
    },
  },
  {
    srv: "2.3",
    useCase: "GCS04",
    messageCode: messageCodeOf("GCS04"),
    deviceTypes: ["GSME"],
    payload: (ctx) =>
      gbzCommand([
        changeDebt(ctx, {
          debtAmount: integer(ctx.body, "TimeDebtRegister1"),
          debtRecoveryMethod: DEBT_RECOVERY_METHOD.timeBased,
          debtAmountType: DEBT_AMOUNT_TYPE.timeDebt1Incremental,
          debtRecoveryFrequency: debtRecoveryPeriod(ctx, "GasDebtRecovery1/DebtRecoveryRatePeriod").zse,
          debtRecoveryAmount: integer(ctx.body, "GasDebtRecovery1/DebtRecoveryRate"),
          debtRecoveryBalancePercentage: 0,
        }),
        changeDebt(ctx, {
          debtAmount: integer(ctx.body, "TimeDebtRegister2"),
          debtRecoveryMethod: DEBT_RECOVERY_METHOD.timeBased,
          debtAmountType: DEBT_AMOUNT_TYPE.timeDebt2Incremental,
          debtRecoveryFrequency: debtRecoveryPeriod(ctx, "GasDebtRecovery2/DebtRecoveryRatePeriod").zse,
          debtRecoveryAmount: integer(ctx.body, "GasDebtRecovery2/DebtRecoveryRate"),
          debtRecoveryBalancePercentage: 0,
        }),
        changeDebt(ctx, {
          debtAmount: integer(ctx.body, "PaymentDebtRegister"),
          debtRecoveryMethod: DEBT_RECOVERY_METHOD.paymentBased,
          debtAmountType: DEBT_AMOUNT_TYPE.paymentDebtIncremental,
          debtRecoveryFrequency: PAYMENT_DEBT_FREQUENCY,
          debtRecoveryAmount: 0,
          debtRecoveryBalancePercentage: integer(ctx.body, "DebtRecoveryPerPayment"),
        }),
      ]),
  },
  // 2.5 Activate Emergency Credit
  {
    srv: "2.5",
    useCase: "ECS09",
    messageCode: messageCodeOf("ECS09"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [actionOn(ESME_OBJECTS.emergencyCredit, INVOKE_CREDIT, dlms.integer(0))]),
  },
  {
    srv: "2.5",
    useCase: "GCS06",
    messageCode: messageCodeOf("GCS06"),
    deviceTypes: ["GSME"],
    payload: () =>
      gbzCommand([
        command(ZCL.prepayment, 0x00, "selectAvailableEmergencyCredit", {
          commandIssueDateTime: 0,
          originatingDevice: 0,
        }),
      ]),
  },
  // 3.1 Display Message
  {
    srv: "3.1",
    useCase: "ECS10",
    messageCode: messageCodeOf("ECS10"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        setOn(ESME_OBJECTS.supplierMessage, VALUE, dlms.octets(ascii(text(ctx.body, "SupplierMessage")))),
      ]),
  },
  {
    srv: "3.1",
    useCase: "GCS07",
    messageCode: messageCodeOf("GCS07"),
    deviceTypes: ["GSME"],
    payload: (ctx) =>
      gbzCommand([
        serverToClient(
          command(ZCL.messaging, 0x00, "displayMessage", {
            messageId: zigbeeUtc(ctx.at),
            messageControl: 0,
            startTime: 0,
            durationInMinutes: DISPLAY_UNTIL_CHANGED,
            message: ascii(text(ctx.body, "SupplierMessage")),
          }),
        ),
      ]),
  },
  // 3.2 Restrict Access for Change of Tenancy (to the GPF for gas)
  {
    srv: "3.2",
    useCase: "ECS12",
    messageCode: messageCodeOf("ECS12"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        setOn(
          ESME_OBJECTS.tenancyDateTime,
          VALUE,
          dlms.octets(dateTimeOctets(dateTime(ctx.body, "RestrictionDateTime"))),
        ),
      ]),
  },
  {
    srv: "3.2",
    useCase: "GCS09",
    messageCode: messageCodeOf("GCS09"),
    deviceTypes: ["GPF"],
    payload: (ctx) =>
      gbzCommand([
        serverToClient(
          command(ZCL.deviceManagement, 0x00, "publishChangeOfTenancy", {
            providerId: 0,
            issuerEventId: zigbeeUtc(ctx.at),
            tariffType: 0,
            implementationDateTime: zigbeeUtc(dateTime(ctx.body, "RestrictionDateTime")),
            proposedTenancyChangeControl: TENANCY_CHANGE_CONTROL,
          }),
        ),
      ]),
  },
  // 3.3 Clear Event Log
  {
    srv: "3.3",
    useCase: "ECS15c",
    messageCode: messageCodeOf("ECS15c"),
    deviceTypes: ["ESME"],
    applies: (ctx) => optionalText(ctx.body, "ESMEEventLogType") === "ALCS",
    payload: (ctx) =>
      accessRequest(ctx.counter, [actionOn(ESME_OBJECTS.alcsEventLog, RESET, dlms.integer(0))]),
  },
  {
    srv: "3.3",
    useCase: "ECS15a",
    messageCode: messageCodeOf("ECS15a"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [actionOn(ESME_OBJECTS.esmeEventLog, RESET, dlms.integer(0))]),
  },
  {
    srv: "3.3",
    useCase: "CS11",
    messageCode: messageCodeOf("CS11"),
    deviceTypes: ["GSME"],
    payload: () =>
      gbzCommand([command(ZCL.events, 0x01, "clearEventLogRequest", { logId: GENERAL_EVENT_LOG })]),
  },
  // 3.4 Update Supplier Name
  {
    srv: "3.4",
    useCase: "ECS16",
    messageCode: messageCodeOf("ECS16"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [
        setOn(
          ESME_OBJECTS.supplierTelephone,
          VALUE,
          dlms.octets(ascii(text(ctx.body, "SupplierTelephoneNumber"))),
        ),
        setOn(ESME_OBJECTS.supplierName, VALUE, dlms.octets(ascii(text(ctx.body, "SupplierName")))),
      ]),
  },
  {
    srv: "3.4",
    useCase: "GCS44",
    messageCode: messageCodeOf("GCS44"),
    deviceTypes: ["GSME"],
    payload: (ctx) =>
      gbzCommand([
        serverToClient(
          command(ZCL.deviceManagement, 0x01, "publishChangeOfSupplier", {
            currentProviderId: 0,
            issuerEventId: zigbeeUtc(ctx.at),
            tariffType: 0,
            proposedProviderId: 0,
            providerChangeImplementationTime: 0,
            providerChangeControl: SUPPLIER_CHANGE_CONTROL,
            proposedProviderName: ascii(text(ctx.body, "SupplierName")),
            proposedProviderContactDetails: ascii(text(ctx.body, "SupplierTelephoneNumber")),
          }),
        ),
      ]),
  },
  // 3.5 Disable Privacy PIN
  {
    srv: "3.5",
    useCase: "ECS14",
    messageCode: messageCodeOf("ECS14"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [setOn(ESME_OBJECTS.privacyPin, VALUE, dlms.octets(new Uint8Array(0)))]),
  },
  {
    srv: "3.5",
    useCase: "GCS11",
    messageCode: messageCodeOf("GCS11"),
    deviceTypes: ["GSME"],
    payload: (ctx) =>
      gbzCommand([
        serverToClient(
          command(ZCL.deviceManagement, 0x02, "requestNewPasswordResponse", {
            issuerEventId: zigbeeUtc(ctx.at),
            implementationDateTime: 0,
            durationInMinutes: 0,
            passwordType: PASSWORD_TYPE_PIN,
            password: new Uint8Array(0),
          }),
        ),
      ]),
  },
];
