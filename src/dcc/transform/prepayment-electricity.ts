/**
 * ECS08a, Update Prepayment Configuration on an ESME (SRV 2.1, `UpdatePrepayConfigElectricity`).
 *
 * GBCS writes every value to the passive ("next") side of its object and then sets each object's
 * activation date-time to the request's execution date-time (all zero: now; all 0xFF: cancel), in
 * the order of the use-case template. The non-disablement calendar is a Special Days Table (class
 * 11) whose entries are the body's special days (index, date, day id = index) and a Schedule (class
 * 10) with one entry per `ElectricityNonDisablementSchedule`, each running the START or STOP script
 * of the Disconnect Control Script Table on its days of week and special days between its dates.
 */
import type { DuisElement } from "../../duis/model/element.js";
import type { DlmsPayload, ObisCode } from "../../gbcs/dlms/index.js";
import { obisToBytes } from "../../gbcs/dlms/obis.js";
import { all, integer, required, text } from "./body.js";
import { integerAttributeOf } from "./body-attributes.js";
import { cosemDateOfXsDate, cosemTimeOfXsTime, textAt } from "./calendar-dates.js";
import { BodyFieldError, type CommandContext } from "./command-spec.js";
import { accessRequest, type DlmsRequestItem, dlms, set } from "./dlms-builder.js";
import { cosemDate } from "./duis-calendar.js";
import { executionDateTimeOctets, executionOf } from "./execution-date.js";

const CONFIG = "UpdatePrepayConfigElectricity";
const CALENDAR = `${CONFIG}/ElectricityNonDisablementCalendar`;

/** The manufacturer-independent "register with activation" class of the GBCS prepayment values. */
const PASSIVE_VALUE_CLASS = 9000;
/** Its value_passive (4) and activate_passive_value_time (6) attributes. */
const VALUE_PASSIVE = 4;
const ACTIVATION_TIME = 6;

/** The prepayment values of the ESME (GBCS ECS08a template). */
const PREPAYMENT = {
  maxMeterBalance: "0-0:94.44.2.20",
  maxCreditThreshold: "0-0:94.44.2.10",
  debtRecoveryRateCap: "0-0:94.44.128.12",
  debtRecoveryRateCapPeriod: "0-0:94.44.128.13",
  lowCreditThreshold: "0-0:94.44.128.9",
  emergencyCreditLimit: "0-0:94.44.128.2",
  emergencyCreditThreshold: "0-0:94.44.128.3",
  /** The activation of the special days of the non-disablement calendar. */
  specialDaysActivation: "0-0:94.44.128.31",
  /** The activation of the non-disablement calendar's schedule. */
  calendarActivation: "0-0:94.44.128.28",
} as const satisfies Record<string, ObisCode>;

/** The non-disablement calendar: its Special Days Table (class 11) and Schedule (class 10), attribute 2 entries. */
const SPECIAL_DAYS_TABLE = { classId: 11, obis: "0-1:11.0.2.255" } as const;
const SCHEDULE = { classId: 10, obis: "0-1:12.0.1.255" } as const;
const ENTRIES = 2;

/** The schedule runs the Disconnect Control Script Table's scripts 32 (START) and 33 (STOP) of non-disablement. */
const DISCONNECT_CONTROL_SCRIPT_TABLE: ObisCode = "0-0:10.0.106.255";
const NON_DISABLEMENT_SCRIPTS: Readonly<Record<string, number>> = { START: 32, STOP: 33 };
/** A schedule entry's validity window: 0xFFFF, run whenever missed. */
const ALWAYS_VALID = 0xffff;

/** The debt recovery rate cap applies per week (GBCS: the cap's period, seconds; no DUIS field). */
const DEBT_RECOVERY_RATE_CAP_PERIOD = 7 * 24 * 3600;

/** DUIS day-of-week ids in the order of a schedule entry's exec_weekdays bits (Monday first). */
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/** A bit-string of `length` bits with the given 1-based positions set (the first bit is the most significant). */
function bitString(length: number, positions: readonly number[], path: string) {
  const bytes = new Uint8Array(Math.ceil(length / 8));
  for (const p of positions) {
    if (p < 1 || p > length) throw new BodyFieldError(path, `${p} is not one of 1..${length}`);
    const bit = p - 1;
    bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  }
  return dlms.bits(length, bytes);
}

function passive(obis: ObisCode, attributeId: number, value: Parameters<typeof set>[3]): DlmsRequestItem {
  return set(PASSIVE_VALUE_CLASS, obis, attributeId, value);
}

function specialDays(body: DuisElement): { entries: DlmsRequestItem; count: number } {
  const days = all(body, `${CALENDAR}/ElectricitySpecialDays/SpecialDay`);
  const entries = days.map((day) => {
    const index = integerAttributeOf(day, "index", `${CALENDAR}/ElectricitySpecialDays/SpecialDay@index`);
    return dlms.structure(
      dlms.longUnsigned(index),
      dlms.octets(cosemDate(required(day, "Date"))),
      dlms.unsigned(index),
    );
  });
  return {
    entries: set(SPECIAL_DAYS_TABLE.classId, SPECIAL_DAYS_TABLE.obis, ENTRIES, dlms.array(entries)),
    count: days.length,
  };
}

function schedule(body: DuisElement, specialDayCount: number): DlmsRequestItem {
  const path = `${CALENDAR}/ElectricityNonDisablementSchedule`;
  const entries = all(body, path).map((entry, i) => {
    const scriptName = text(entry, "NonDisablementScript");
    const script = NON_DISABLEMENT_SCRIPTS[scriptName];
    if (script === undefined)
      throw new BodyFieldError(`${path}/NonDisablementScript`, `"${scriptName}" is not a script`);
    const weekdays = all(entry, "DaysOfWeekApplicability/DayOfWeekApplicability").map((d) => {
      const day = text(d, "DayOfWeekID");
      return WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]) + 1;
    });
    const specials = all(entry, "SpecialDaysApplicability/SpecialDayApplicability").map((d) =>
      integer(d, "SpecialDayID"),
    );
    const when = `${path}/ScheduleDatesAndTime`;
    return dlms.structure(
      dlms.longUnsigned(i + 1),
      dlms.boolean(true),
      dlms.octets(obisToBytes(DISCONNECT_CONTROL_SCRIPT_TABLE)),
      dlms.longUnsigned(script),
      dlms.octets(cosemTimeOfXsTime(textAt(entry, "ScheduleDatesAndTime/SwitchTime"), `${when}/SwitchTime`)),
      dlms.longUnsigned(ALWAYS_VALID),
      bitString(WEEKDAYS.length, weekdays, `${path}/DaysOfWeekApplicability`),
      bitString(specialDayCount, specials, `${path}/SpecialDaysApplicability`),
      dlms.octets(cosemDateOfXsDate(textAt(entry, "ScheduleDatesAndTime/StartDate"), `${when}/StartDate`)),
      dlms.octets(cosemDateOfXsDate(textAt(entry, "ScheduleDatesAndTime/EndDate"), `${when}/EndDate`)),
    );
  });
  return set(SCHEDULE.classId, SCHEDULE.obis, ENTRIES, dlms.array(entries));
}

/** The ECS08a access-request. */
export function electricityPrepaymentConfiguration(ctx: CommandContext): DlmsPayload {
  const body = ctx.body;
  const value = (path: string) => dlms.doubleLong(integer(body, `${CONFIG}/${path}`));
  const activation = dlms.octets(executionDateTimeOctets(executionOf(body)));
  const days = specialDays(body);
  return accessRequest(ctx.counter, [
    days.entries,
    passive(PREPAYMENT.maxMeterBalance, VALUE_PASSIVE, value("MaxMeterBalance")),
    passive(PREPAYMENT.maxCreditThreshold, VALUE_PASSIVE, value("MaxCreditThreshold")),
    schedule(body, days.count),
    passive(
      PREPAYMENT.debtRecoveryRateCap,
      VALUE_PASSIVE,
      dlms.longUnsigned(integer(body, `${CONFIG}/DebtRecoveryRateCap`)),
    ),
    passive(
      PREPAYMENT.debtRecoveryRateCapPeriod,
      VALUE_PASSIVE,
      dlms.doubleLong(DEBT_RECOVERY_RATE_CAP_PERIOD),
    ),
    passive(PREPAYMENT.lowCreditThreshold, VALUE_PASSIVE, value("LowCreditThreshold")),
    passive(PREPAYMENT.emergencyCreditLimit, VALUE_PASSIVE, value("EmergencyCreditLimit")),
    passive(PREPAYMENT.specialDaysActivation, ACTIVATION_TIME, activation),
    passive(PREPAYMENT.emergencyCreditThreshold, VALUE_PASSIVE, value("EmergencyCreditThreshold")),
    ...[
      PREPAYMENT.maxMeterBalance,
      PREPAYMENT.maxCreditThreshold,
      PREPAYMENT.debtRecoveryRateCap,
      PREPAYMENT.debtRecoveryRateCapPeriod,
      PREPAYMENT.lowCreditThreshold,
      PREPAYMENT.emergencyCreditLimit,
      PREPAYMENT.emergencyCreditThreshold,
      PREPAYMENT.calendarActivation,
    ].map((obis) => passive(obis, ACTIVATION_TIME, activation)),
  ]);
}
