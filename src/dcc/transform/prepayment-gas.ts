/**
 * GCS05, Update Prepayment Configurations on a GSME (SRV 2.1, `UpdatePrepayConfigGas`): 8 to 14 ZSE
 * commands (GBCS GCS05 template).
 *
 * Four Prepayment cluster commands set the emergency credit, the overall debt cap, the low credit
 * warning level (which has no time of its own, so its component carries a From Date Time) and the
 * maximum credit; each takes effect at the execution date-time (0 now, 0xFFFFFFFF cancel). Then the
 * non-disablement calendar is published on the Calendar cluster as a Friendly Credit Calendar
 * (calendar type 3): Publish Calendar, one Publish Day Profile per day profile (a START entry enables
 * friendly credit, price tier 1; STOP disables it, 0), one Publish Week Profile per week profile,
 * Publish Seasons, and Publish Special Days when there are any. A cancelled calendar starts at
 * 0xFFFFFFFE, the ZSE value that cancels a pending calendar.
 */
import type { DuisElement } from "../../duis/model/element.js";
import type { GbzComponentsPayload } from "../../gbcs/gbz/gbz-payload.js";
import { all, integer, required, text } from "./body.js";
import { integerAttributeOf, integerOf } from "./body-attributes.js";
import { minutesOfXsTime, textAt } from "./calendar-dates.js";
import { BodyFieldError, type CommandContext } from "./command-spec.js";
import { zclDate } from "./duis-calendar.js";
import { executionOf, executionZigbeeTime } from "./execution-date.js";
import { command, type GbzComponentSpec, gbzCommand, serverToClient, zigbeeUtc } from "./gbz-builder.js";

const CONFIG = "UpdatePrepayConfigGas";
const CALENDAR = `${CONFIG}/GasNonDisablementCalendar`;

const ZCL_PREPAYMENT = 0x0705;
const ZCL_CALENDAR = 0x0707;

/** ZSE Calendar Type 3, Friendly Credit Calendar. */
const FRIENDLY_CREDIT_CALENDAR = 3;
/** ZSE Publish Calendar / Special Days start time that cancels a pending calendar. */
const CALENDAR_CANCEL = 0xfffffffe;
/** A friendly-credit day schedule's "price tier": 1 enables friendly credit (no disablement), 0 ends it. */
const NON_DISABLEMENT_ACTIONS: Readonly<Record<string, number>> = { START: 1, STOP: 0 };
/** GBCS sends each day profile, the seasons and the special days as a single command (index 0 of 1). */
const SINGLE_COMMAND = { commandIndex: 0, totalNumberOfCommands: 1 } as const;

const WEEKDAY_FIELDS = [
  "dayIdRefMonday",
  "dayIdRefTuesday",
  "dayIdRefWednesday",
  "dayIdRefThursday",
  "dayIdRefFriday",
  "dayIdRefSaturday",
  "dayIdRefSunday",
] as const;

function dayProfile(calendarHeader: Record<string, number>, day: DuisElement) {
  const path = `${CALENDAR}/DayProfiles/GasNonDisablementDayProfile`;
  const entries = all(day, "TimeStartAction").map((entry) => {
    const act = text(entry, "NonDisablementAction");
    const priceTier = NON_DISABLEMENT_ACTIONS[act];
    if (priceTier === undefined)
      throw new BodyFieldError(`${path}/TimeStartAction/NonDisablementAction`, `"${act}"`);
    return {
      startTime: minutesOfXsTime(textAt(entry, "StartTime"), `${path}/TimeStartAction/StartTime`),
      priceTier,
    };
  });
  return serverToClient(
    command(ZCL_CALENDAR, 0x01, "publishDayProfile", {
      ...calendarHeader,
      dayId: integer(day, "GasDayName"),
      totalNumberOfScheduleEntries: entries.length,
      ...SINGLE_COMMAND,
      calendarType: FRIENDLY_CREDIT_CALENDAR,
      dayScheduleEntries: entries,
    }),
  );
}

function weekProfile(calendarHeader: Record<string, number>, week: DuisElement) {
  const path = `${CALENDAR}/WeekProfiles/WeekProfile/ReferencedDayName`;
  const refs: Record<string, number> = {};
  for (const ref of all(week, "ReferencedDayName")) {
    const field = WEEKDAY_FIELDS[integerAttributeOf(ref, "index", `${path}@index`) - 1];
    if (field === undefined) throw new BodyFieldError(`${path}@index`, "is not a day of the week 1..7");
    refs[field] = integerOf(ref, path);
  }
  for (const field of WEEKDAY_FIELDS) {
    if (refs[field] === undefined) throw new BodyFieldError(path, `no day profile for ${field.slice(8)}`);
  }
  return serverToClient(
    command(ZCL_CALENDAR, 0x02, "publishWeekProfile", {
      ...calendarHeader,
      weekId: integer(week, "WeekName"),
      ...refs,
    }),
  );
}

/** The GCS05 GBZ payload. */
export function gasPrepaymentConfiguration(ctx: CommandContext): GbzComponentsPayload {
  const body = ctx.body;
  const execution = executionOf(body);
  const when = executionZigbeeTime(execution);
  const calendarStart = executionZigbeeTime(execution, CALENDAR_CANCEL);
  const issuerEventId = zigbeeUtc(ctx.at);
  const value = (path: string) => integer(body, `${CONFIG}/${path}`);
  const calendarHeader = { providerId: 0, issuerEventId, issuerCalendarId: issuerEventId };

  const days = all(body, `${CALENDAR}/DayProfiles/GasNonDisablementDayProfile`);
  const weeks = all(body, `${CALENDAR}/WeekProfiles/WeekProfile`);
  const seasons = all(body, `${CALENDAR}/SeasonProfiles/Season`);
  const specialDays = all(body, `${CALENDAR}/SpecialDays/SpecialDay`);

  const components: GbzComponentSpec[] = [
    command(ZCL_PREPAYMENT, 0x03, "emergencyCreditSetup", {
      issuerEventId,
      startTime: when,
      emergencyCreditLimit: value("EmergencyCreditLimit"),
      emergencyCreditThreshold: value("EmergencyCreditThreshold"),
    }),
    command(ZCL_PREPAYMENT, 0x0c, "setOverallDebtCap", {
      providerId: 0,
      issuerEventId,
      implementationDateTime: when,
      overallDebtCap: value("DebtRecoveryRateCap"),
    }),
    {
      ...command(ZCL_PREPAYMENT, 0x09, "setLowCreditWarningLevel", {
        lowCreditWarningLevel: value("LowCreditThreshold"),
      }),
      fromDateTime: when,
    },
    command(ZCL_PREPAYMENT, 0x0b, "setMaximumCreditLimit", {
      providerId: 0,
      issuerEventId,
      implementationDateTime: when,
      maximumCreditLevel: value("MaxMeterBalance"),
      maximumCreditPerTopUp: value("MaxCreditThreshold"),
    }),
    serverToClient(
      command(ZCL_CALENDAR, 0x00, "publishCalendar", {
        ...calendarHeader,
        startTime: calendarStart,
        calendarType: FRIENDLY_CREDIT_CALENDAR,
        calendarTimeReference: 0,
        calendarName: new Uint8Array(0),
        numberOfSeasons: seasons.length,
        numberOfWeekProfiles: weeks.length,
        numberOfDayProfiles: days.length,
      }),
    ),
    ...days.map((day) => dayProfile(calendarHeader, day)),
    ...weeks.map((week) => weekProfile(calendarHeader, week)),
    serverToClient(
      command(ZCL_CALENDAR, 0x03, "publishSeasons", {
        ...calendarHeader,
        ...SINGLE_COMMAND,
        seasonEntries: seasons.map((season) => ({
          seasonStartDate: zclDate(required(season, "SeasonStartDate")),
          weekIdRef: integer(season, "ReferencedWeekName"),
        })),
      }),
    ),
  ];
  if (specialDays.length > 0) {
    components.push(
      serverToClient(
        command(ZCL_CALENDAR, 0x04, "publishSpecialDays", {
          ...calendarHeader,
          startTime: calendarStart,
          calendarType: FRIENDLY_CREDIT_CALENDAR,
          totalNumberOfSpecialDays: specialDays.length,
          ...SINGLE_COMMAND,
          specialDayEntries: specialDays.map((day) => ({
            specialDayDate: zclDate(required(day, "Date")),
            dayIdRef: integer(day, "ReferencedDayName"),
          })),
        }),
      ),
    );
  }
  return gbzCommand(components);
}
