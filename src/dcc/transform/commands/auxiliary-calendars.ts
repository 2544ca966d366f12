/**
 * SRV 6.14.2 and 6.14.3 (critical): the auxiliary load control switch calendar (ECS46c, to the ESME)
 * and the auxiliary controller calendar (ECS46d, to the ESME or an HCALCS).
 *
 * Both write the ESME's passive auxiliary calendar and have it activated at the DUIS execution
 * time: the special days (Special Days Table, 0-1:11.0.3.255), one Schedule entry per DUIS schedule
 * (0-1:12.0.2.255) running the auxiliary load control script table (0-0:10.0.103.255) with a script
 * selector naming the switch or controller and what it is to do, and the activation date-time of the
 * two passive calendars (GBCS class 9000, attribute 6). ECS46c first names each switch (ALCS, or the
 * HCALCS by its EUI).
 */

import { messageCodeOf } from "../../../catalogue/index.js";
import type { DuisElement } from "../../../duis/model/element.js";
import type { DlmsData } from "../../../gbcs/dlms/data.js";
import type { ObisCode } from "../../../gbcs/dlms/index.js";
import { all, find, has, integer, required, text } from "../body.js";
import type { CommandContext, CommandSpec } from "../command-spec.js";
import { cosemTimeOf } from "../device-setting-values.js";
import { accessRequest, type DlmsRequestItem, dlms, set } from "../dlms-builder.js";
import { executionDateTimeOctets, executionOf } from "../execution-date.js";

const DATA = 1;
const SCHEDULE = 10;
const SPECIAL_DAYS_TABLE = 11;
/** GBCS's own class of the passive calendars' activation (attribute 6, the activation date-time). */
const GBCS_CALENDAR_ACTIVATION = 9000;

const AUXILIARY_SPECIAL_DAYS: ObisCode = "0-1:11.0.3.255";
const AUXILIARY_SCHEDULE: ObisCode = "0-1:12.0.2.255";
const AUXILIARY_SCRIPT_TABLE = Uint8Array.from([0, 0, 10, 0, 103, 255]);
const CALENDAR_ACTIVATIONS: readonly ObisCode[] = ["0-0:94.44.128.26", "0-0:94.44.128.35"];
const ACTIVATION_DATE_TIME = 6;
const NO_VALIDITY_WINDOW = 0xffff;

/** The message code GBCS gives ECS46d (newer than the catalogue's list). */
const ECS46D_MESSAGE_CODE = 0x011a;

/**
 * The activation date-time: not specified at all for a cancellation, the execution time for a
 * future-dated request, and all zeros (with deviation not specified) for "now".
 */
function activation(ctx: CommandContext): Uint8Array {
  return executionDateTimeOctets(executionOf(ctx.body));
}

/** A DUIS `sr:Date` (each part specified or not) as a COSEM date (5 bytes, 0xFF(FF) not specified). */
function cosemDate(date: DuisElement): Uint8Array {
  const part = (name: string, specified: string): number | undefined =>
    has(date, `${name}/${specified}`) ? integer(date, `${name}/${specified}`) : undefined;
  const year = part("Year", "SpecifiedYear") ?? 0xffff;
  return Uint8Array.from([
    year >> 8,
    year & 0xff,
    part("Month", "SpecifiedMonth") ?? 0xff,
    part("DayOfMonth", "SpecifiedDayOfMonth") ?? 0xff,
    part("DayOfWeek", "SpecifiedDayOfWeek") ?? 0xff,
  ]);
}

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/** The days of the week a schedule applies on, Monday first (COSEM exec_weekdays, 7 bits). */
function weekdays(schedule: DuisElement): DlmsData {
  let bits = 0;
  for (const d of all(schedule, "DaysOfWeekApplicability/DayOfWeekApplicability")) {
    const i = WEEKDAYS.indexOf(text(d, "DayOfWeekID") as (typeof WEEKDAYS)[number]);
    if (i >= 0) bits |= 0x80 >> i;
  }
  return dlms.bits(7, Uint8Array.from([bits]));
}

/** The special days a schedule applies on, one bit per special day the body defines, first first. */
function specialDays(schedule: DuisElement, attribute: string, defined: number): DlmsData {
  const bytes = new Uint8Array(Math.ceil(defined / 8));
  for (const s of all(schedule, "SpecialDaysApplicability")) {
    const n = Number(s.attributes.find(([a]) => a === attribute)?.[1]) - 1;
    if (n >= 0 && n < defined) bytes[n >> 3] = (bytes[n >> 3] ?? 0) | (0x80 >> (n & 7));
  }
  return dlms.bits(defined, bytes);
}

function attributeOf(e: DuisElement, name: string): number {
  return Number(e.attributes.find(([a]) => a === name)?.[1]);
}

/** The shape of one of the two DUIS calendars. */
interface CalendarForm {
  /** The schedules' element, its time-and-dates element, the special days' list and definition. */
  readonly schedule: string;
  readonly datesAndTime: string;
  readonly specialDays: string;
  readonly specialDay: string;
  /** The attribute numbering special days. */
  readonly specialDayAttribute: string;
  /** The script selector of one schedule. */
  readonly selector: (schedule: DuisElement) => number;
}

/** The passive calendar writes and their activation, common to ECS46c and ECS46d. */
function calendarItems(ctx: CommandContext, form: CalendarForm): DlmsRequestItem[] {
  const days = all(ctx.body, `${form.specialDays}/${form.specialDay}`);
  const schedules = all(ctx.body, form.schedule);
  const entries = schedules.map((s, i) => {
    const path = `${form.schedule}/${form.datesAndTime}`;
    const dates = required(s, form.datesAndTime);
    return dlms.structure(
      dlms.longUnsigned(i + 1),
      dlms.boolean(true),
      dlms.octets(AUXILIARY_SCRIPT_TABLE),
      dlms.longUnsigned(form.selector(s)),
      dlms.octets(cosemTimeOf(text(dates, "SwitchTime"), `${path}/SwitchTime`)),
      dlms.longUnsigned(NO_VALIDITY_WINDOW),
      weekdays(s),
      specialDays(s, form.specialDayAttribute, days.length),
      dlms.octets(cosemDate(required(dates, "StartDate"))),
      dlms.octets(cosemDate(required(dates, "EndDate"))),
    );
  });
  const at = activation(ctx);
  return [
    set(
      SPECIAL_DAYS_TABLE,
      AUXILIARY_SPECIAL_DAYS,
      2,
      dlms.array(
        days.map((d) => {
          const n = attributeOf(d, form.specialDayAttribute);
          return dlms.structure(dlms.longUnsigned(n), dlms.octets(cosemDate(d)), dlms.unsigned(n));
        }),
      ),
    ),
    set(SCHEDULE, AUXILIARY_SCHEDULE, 2, dlms.array(entries)),
    ...CALENDAR_ACTIVATIONS.map((obis) =>
      set(GBCS_CALENDAR_ACTIVATION, obis, ACTIVATION_DATE_TIME, dlms.octets(at)),
    ),
  ];
}

/**
 * ECS46c's script selector: the switch number in the high byte, 1 to activate it or 2 to deactivate
 * it in the low byte.
 */
const SWITCH_ACTIVATE = 1;
const SWITCH_DEACTIVATE = 2;

const switchCalendar: CalendarForm = {
  schedule: "ALCSHCALCSConnectionSchedule",
  datesAndTime: "ALCSScheduleDatesAndTime",
  specialDays: "ALCSHCALCSSpecialDays",
  specialDay: "ALCSHCALCSSpecialDay",
  specialDayAttribute: "index",
  selector: (s) => {
    const sw = find(s, "ActivateDeactivateSwitch");
    const n = sw === undefined ? 0 : attributeOf(sw, "index");
    return (n << 8) | (sw !== undefined && has(sw, "ActivateSwitch") ? SWITCH_ACTIVATE : SWITCH_DEACTIVATE);
  },
};

/**
 * ECS46d's script selector: the high byte says the controller and whether its level follows the
 * controlled load's input (0x20 + N) or not (0x10 + N); the low byte is 0x80 plus the commanded
 * level (a percentage; 100 switches an ALCS on).
 */
const CONTROLLER_OUTPUT = 0x10;
const CONTROLLER_INPUT = 0x20;
const LEVEL_BASE = 0x80;

const controllerCalendar: CalendarForm = {
  schedule: "AuxiliaryControllerSchedule",
  datesAndTime: "AuxiliaryControllerSchedulePeriodAndTime",
  specialDays: "AuxiliaryControllerSpecialDayDefinitions",
  specialDay: "AuxiliaryControllerSpecialDayDefinition",
  specialDayAttribute: "identifier",
  selector: (s) => {
    const a = find(s, "AuxiliaryControllerAction");
    if (a === undefined) return 0;
    const n = attributeOf(a, "auxiliaryControllerN");
    const source = has(a, "InputFromControlledLoad") ? CONTROLLER_INPUT : CONTROLLER_OUTPUT;
    return ((source + n) << 8) | (LEVEL_BASE + integer(a, "CommandedStateLevel"));
  },
};

/** ECS46c names each switch (Data 0-0:94.44.0.(20+n)): an HCALCS by its EUI, an ALCS by zeros. */
function switchIdentities(ctx: CommandContext): DlmsRequestItem[] {
  return all(ctx.body, "SwitchTypeAndId").map((s) => {
    const n = attributeOf(s, "index");
    const eui = has(s, "HCALCS") ? text(s, "HCALCS").replace(/-/g, "") : "0000000000000000";
    return set(DATA, `0-0:94.44.0.${20 + n}`, 2, dlms.octets(Uint8Array.from(Buffer.from(eui, "hex"))));
  });
}

export const auxiliaryCalendarCommands: readonly CommandSpec[] = [
  {
    srv: "6.14.2",
    useCase: "ECS46c",
    messageCode: messageCodeOf("ECS46c"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      accessRequest(ctx.counter, [...switchIdentities(ctx), ...calendarItems(ctx, switchCalendar)]),
  },
  {
    srv: "6.14.3",
    useCase: "ECS46d",
    messageCode: ECS46D_MESSAGE_CODE,
    deviceTypes: ["ESME", "HCALCS"],
    payload: (ctx) => accessRequest(ctx.counter, calendarItems(ctx, controllerCalendar)),
  },
];
