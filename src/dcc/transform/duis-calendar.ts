/**
 * DUIS calendar values (dates with wildcards, times of day, indexed lists) read into the byte forms
 * the tariff commands carry: COSEM date (Blue Book §4.1.6.1, 5 bytes) and time (4 bytes) for the
 * ESME, ZCL Date (4 bytes) for the GSME.
 */
import { attr, type DuisElement } from "../../duis/model/element.js";
import { required, text } from "./body.js";
import { BodyFieldError } from "./command-spec.js";

/** COSEM "not specified" byte (month, day, day of week) and year. */
const NOT_SPECIFIED = 0xff;
const YEAR_NOT_SPECIFIED = 0xffff;
/** COSEM day-of-month wildcards: last and second-last day of the month. */
const LAST_DAY_OF_MONTH = 0xfe;
const SECOND_LAST_DAY_OF_MONTH = 0xfd;

/** A child's only element child (the branch of an xs:choice), or a BodyFieldError. */
function choice(e: DuisElement, path: string): DuisElement {
  const c = required(e, path).children[0];
  if (c === undefined) throw new BodyFieldError(path, "has no value");
  return c;
}

function specifiedOr(e: DuisElement, path: string, notSpecified: number): number {
  const c = choice(e, path);
  return c.name.startsWith("Specified")
    ? leafInteger(c, `${path}/${c.name}`)
    : wildcard(c, path, notSpecified);
}

function leafInteger(c: DuisElement, path: string): number {
  const t = c.text?.trim() ?? "";
  if (!/^\d+$/.test(t)) throw new BodyFieldError(path, `"${t}" is not a number`);
  return Number(t);
}

function wildcard(c: DuisElement, path: string, notSpecified: number): number {
  switch (c.name) {
    case "LastDayOfMonth":
      return LAST_DAY_OF_MONTH;
    case "SecondLastDayOfMonth":
      return SECOND_LAST_DAY_OF_MONTH;
    default:
      if (/NonSpecified/.test(c.name)) return notSpecified;
      throw new BodyFieldError(`${path}/${c.name}`, "is not a date field the command knows");
  }
}

/** A DUIS `Date` (Year, Month, DayOfMonth, DayOfWeek, each specified or a wildcard) as a COSEM date. */
export function cosemDate(date: DuisElement): Uint8Array {
  const year = specifiedOr(date, "Year", YEAR_NOT_SPECIFIED);
  return Uint8Array.of(
    year >> 8,
    year & 0xff,
    specifiedOr(date, "Month", NOT_SPECIFIED),
    specifiedOr(date, "DayOfMonth", NOT_SPECIFIED),
    specifiedOr(date, "DayOfWeek", NOT_SPECIFIED),
  );
}

/** A DUIS `GasDateWithWildcards` as a ZCL Date: year - 1900, month, day of month, day of week (0xFF: any). */
export function zclDate(date: DuisElement): Uint8Array {
  const year = specifiedOr(date, "GasYearWithWildcards", NOT_SPECIFIED);
  return Uint8Array.of(
    year === NOT_SPECIFIED ? NOT_SPECIFIED : year - 1900,
    specifiedOr(date, "GasMonthWithWildcards", NOT_SPECIFIED),
    specifiedOr(date, "GasDayOfMonthWithWildcards", NOT_SPECIFIED),
    specifiedOr(date, "GasDayOfWeekWithWildcards", NOT_SPECIFIED),
  );
}

/** An xs:time read as UTC hours, minutes, seconds and hundredths (a zone offset is taken off). */
export function timeOfDay(e: DuisElement, path: string): { h: number; m: number; s: number; cs: number } {
  const t = text(e, path);
  const match = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(t);
  if (match === null) throw new BodyFieldError(path, `"${t}" is not an xs:time`);
  const [, hh, mm, ss, frac, zone] = match;
  let minutes = Number(hh) * 60 + Number(mm);
  if (zone !== undefined && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    minutes -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    minutes = ((minutes % 1440) + 1440) % 1440;
  }
  const cs = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 100);
  return { h: Math.floor(minutes / 60), m: minutes % 60, s: Number(ss), cs };
}

/** An xs:time as a COSEM time (hour, minute, second, hundredths). */
export function cosemTime(e: DuisElement, path: string): Uint8Array {
  const { h, m, s, cs } = timeOfDay(e, path);
  return Uint8Array.of(h, m, s, cs);
}

/** The `index` attribute of an indexed DUIS element. */
export function indexOf(e: DuisElement): number {
  const v = attr(e, "index");
  if (v === undefined || !/^\d+$/.test(v))
    throw new BodyFieldError(`${e.name}/@index`, "missing or not a number");
  return Number(v);
}

/** Indexed elements by their `index` attribute. */
export function byIndex(elements: readonly DuisElement[]): ReadonlyMap<number, DuisElement> {
  return new Map(elements.map((e) => [indexOf(e), e]));
}
