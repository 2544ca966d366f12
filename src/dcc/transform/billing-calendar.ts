/**
 * The billing calendar of SRV 6.8 (Update Device Configuration (Billing Calendar)) in its two GBCS
 * forms.
 *
 * ESME (ECS30, ECS30a): the Billing Calendar is a Single Action Schedule (class 22) whose
 * execution_time is an array of (time, date) pairs: a 4-byte COSEM time (hour, minute, second,
 * hundredths) and a 5-byte COSEM date (year, month, day of month, day of week) in which 0xFF (0xFFFF
 * for the year) is "not specified", so a date matches every period of the wildcarded fields. A
 * periodicity longer than a month (quarterly, six-monthly) needs one entry per billing month of the
 * year, starting with the DUIS BillingPeriodStartMonth.
 *
 * GSME (GCS25, GCS25a): the ZSE Publish Billing Period and Publish Block Period carry the start time
 * and a duration counted in a timebase (days, weeks, months), with duration control "not
 * specified" (high nibble 2).
 */
import type { DuisElement } from "../../duis/model/element.js";
import { find, integer, text } from "./body.js";
import { BodyFieldError } from "./command-spec.js";

/** COSEM "not specified" for a one-byte date field. */
const ANY = 0xff;

/** One execution_time entry: COSEM time (4 bytes) and COSEM date (5 bytes). */
export interface ExecutionTimeEntry {
  readonly time: Uint8Array;
  readonly date: Uint8Array;
}

/** The DUIS ElectricityBillingCalendar periodicity choices (a choice of one element each). */
export const ELECTRICITY_PERIODICITIES = [
  "Daily",
  "Weekly",
  "Monthly",
  "Quarterly",
  "SixMonthly",
  "Yearly",
] as const;
export type ElectricityPeriodicity = (typeof ELECTRICITY_PERIODICITIES)[number];

/** Months between billing dates of the periodicities that list billing months. */
const MONTHS_BETWEEN: Readonly<Record<"Quarterly" | "SixMonthly" | "Yearly", number>> = {
  Quarterly: 3,
  SixMonthly: 6,
  Yearly: 12,
};

/** Which periodicity an ElectricityBillingCalendar element chooses. */
export function electricityPeriodicity(calendar: DuisElement): ElectricityPeriodicity {
  const chosen = ELECTRICITY_PERIODICITIES.find((p) => find(calendar, p) !== undefined);
  if (chosen === undefined) {
    throw new BodyFieldError(
      "ElectricityBillingCalendar",
      `has none of ${ELECTRICITY_PERIODICITIES.join(", ")}`,
    );
  }
  return chosen;
}

/** A COSEM time (hour, minute, second, hundredths) from an xs:time, in UTC. */
export function cosemTime(value: string, path: string): Uint8Array {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(value);
  if (m === null) throw new BodyFieldError(path, `"${value}" is not an xs:time`);
  let minutes = Number(m[1]) * 60 + Number(m[2]);
  const zone = m[5];
  if (zone !== undefined && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    minutes -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    minutes = ((minutes % 1440) + 1440) % 1440;
  }
  const hundredths = Math.floor(Number(`0.${m[4] ?? "0"}`) * 100);
  return Uint8Array.of(Math.floor(minutes / 60), minutes % 60, Number(m[3]), hundredths);
}

function cosemDate(month: number, day: number, dayOfWeek: number): Uint8Array {
  return Uint8Array.of(0xff, 0xff, month, day, dayOfWeek);
}

/** The execution_time entries of an ElectricityBillingCalendar. */
export function electricityBillingTimes(calendar: DuisElement): ExecutionTimeEntry[] {
  const time = cosemTime(text(calendar, "BillingTime"), "ElectricityBillingCalendar/BillingTime");
  const periodicity = electricityPeriodicity(calendar);
  switch (periodicity) {
    case "Daily":
      return [{ time, date: cosemDate(ANY, ANY, ANY) }];
    case "Weekly":
      return [{ time, date: cosemDate(ANY, ANY, integer(calendar, "Weekly")) }];
    case "Monthly":
      return [{ time, date: cosemDate(ANY, integer(calendar, "Monthly"), ANY) }];
    default: {
      const day = integer(calendar, `${periodicity}/DayOfMonth`);
      const start = integer(calendar, `${periodicity}/BillingPeriodStartMonth`);
      const step = MONTHS_BETWEEN[periodicity];
      return Array.from({ length: 12 / step }, (_, i) => ({
        time,
        date: cosemDate(((start - 1 + i * step) % 12) + 1, day, ANY),
      }));
    }
  }
}

/** ZSE Billing / Block Period Duration Type: timebase in the low nibble, control "not specified" (2). */
const DURATION_NOT_SPECIFIED = 0x20;
const TIMEBASE = { days: 0x01, weeks: 0x02, months: 0x03 } as const;

/** The DUIS GasBillingCalendar Periodicity as a ZSE duration and duration type. */
export const GAS_PERIODICITIES: Readonly<Record<string, { duration: number; durationType: number }>> = {
  Daily: { duration: 1, durationType: DURATION_NOT_SPECIFIED | TIMEBASE.days },
  Weekly: { duration: 1, durationType: DURATION_NOT_SPECIFIED | TIMEBASE.weeks },
  Monthly: { duration: 1, durationType: DURATION_NOT_SPECIFIED | TIMEBASE.months },
  Quarterly: { duration: 3, durationType: DURATION_NOT_SPECIFIED | TIMEBASE.months },
  SixMonthly: { duration: 6, durationType: DURATION_NOT_SPECIFIED | TIMEBASE.months },
  Yearly: { duration: 12, durationType: DURATION_NOT_SPECIFIED | TIMEBASE.months },
};

/** The duration of a GasBillingCalendar's Periodicity. */
export function gasPeriod(body: DuisElement, path: string): { duration: number; durationType: number } {
  const periodicity = text(body, path);
  const period = GAS_PERIODICITIES[periodicity];
  if (period === undefined) throw new BodyFieldError(path, `"${periodicity}" is not a periodicity`);
  return period;
}
