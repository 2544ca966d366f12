/**
 * DUIS calendar dates and times as GBCS carries them in the non-disablement calendars of 2.1
 * (ECS08a, GCS05).
 *
 * A DUIS `Date` (Year, Month, DayOfMonth, DayOfWeek, each Specified… or a wildcard) becomes a COSEM
 * date octet-string(5) for an ESME (Blue Book 4.1.6.1: year u16, month, day of month, day of week;
 * 0xFFFF / 0xFF not specified, day of month 0xFE the last and 0xFD the second last of the month) or
 * a ZCL Date for a GSME (year - 1900, month, day of month, day of week; 0xFF not specified). An
 * xs:date (a schedule's start or end, where DUIS writes an unspecified year as 65535) and an xs:time
 * (a switch time) become a COSEM date and a COSEM time octet-string(4) (hour, minute, second,
 * hundredths). Times and dates are taken as written: DUIS writes them in UTC (`Z`), as the
 * meter's calendars run in UTC.
 */
import type { DuisElement } from "../../duis/model/element.js";
import { find, required } from "./body.js";
import { BodyFieldError } from "./command-spec.js";

/** COSEM and ZCL "not specified". */
const NOT_SPECIFIED = 0xff;
/** COSEM day of month: the last and the second last day of the month. */
const LAST_DAY_OF_MONTH = 0xfe;
const SECOND_LAST_DAY_OF_MONTH = 0xfd;
/** ZCL Date years count from 1900. */
const ZCL_YEAR_BASE = 1900;

/** The value of a Specified… choice, or the wildcard's code. */
function choice(
  date: DuisElement,
  path: string,
  specified: string,
  wildcards: Readonly<Record<string, number>>,
): { specified: number } | { wildcard: number } {
  const holder = required(date, path);
  const [chosen] = holder.children;
  if (chosen === undefined) throw new BodyFieldError(path, "has no value");
  if (chosen.name === specified) {
    const t = chosen.text?.trim() ?? "";
    if (!/^\d+$/.test(t)) throw new BodyFieldError(`${path}/${specified}`, `"${t}" is not a number`);
    return { specified: Number(t) };
  }
  const code = wildcards[chosen.name];
  if (code === undefined)
    throw new BodyFieldError(`${path}/${chosen.name}`, "is not a date choice GBCS can carry");
  return { wildcard: code };
}

function fieldValue(
  c: { specified: number } | { wildcard: number },
  map: (n: number) => number = (n) => n,
): number {
  return "specified" in c ? map(c.specified) : c.wildcard;
}

/** A DUIS `Date` (Year, Month, DayOfMonth, DayOfWeek) as a COSEM date octet-string(5). */
export function cosemDateOf(date: DuisElement): Uint8Array {
  const year = fieldValue(choice(date, "Year", "SpecifiedYear", { NonSpecifiedYear: 0xffff }));
  return Uint8Array.of(
    year >> 8,
    year & 0xff,
    fieldValue(choice(date, "Month", "SpecifiedMonth", { NonSpecifiedMonth: NOT_SPECIFIED })),
    fieldValue(
      choice(date, "DayOfMonth", "SpecifiedDayOfMonth", {
        NonSpecifiedDayOfMonth: NOT_SPECIFIED,
        LastDayOfMonth: LAST_DAY_OF_MONTH,
        SecondLastDayOfMonth: SECOND_LAST_DAY_OF_MONTH,
      }),
    ),
    fieldValue(choice(date, "DayOfWeek", "SpecifiedDayOfWeek", { NonSpecifiedDayOfWeek: NOT_SPECIFIED })),
  );
}

/** A DUIS gas date (GasYear/Month/DayOfMonth/DayOfWeekWithWildcards) as a ZCL Date. */
export function zclDateOf(date: DuisElement): Uint8Array {
  return Uint8Array.of(
    fieldValue(
      choice(date, "GasYearWithWildcards", "SpecifiedYear", { NonSpecifiedYear: NOT_SPECIFIED }),
      (y) => y - ZCL_YEAR_BASE,
    ),
    fieldValue(choice(date, "GasMonthWithWildcards", "SpecifiedMonth", { NonSpecifiedMonth: NOT_SPECIFIED })),
    fieldValue(
      choice(date, "GasDayOfMonthWithWildcards", "SpecifiedDayOfMonth", {
        GasNonSpecifiedDayOfMonth: NOT_SPECIFIED,
      }),
    ),
    fieldValue(
      choice(date, "GasDayOfWeekWithWildcards", "SpecifiedDayOfWeek", {
        NonSpecifiedDayOfWeek: NOT_SPECIFIED,
      }),
    ),
  );
}

/** An xs:date (`YYYY-MM-DD`, a zone allowed; DUIS writes an unspecified year as 65535) as a COSEM date. */
export function cosemDateOfXsDate(text: string, path: string): Uint8Array {
  const m = /^(\d{4,5})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?$/.exec(text.trim());
  if (m === null) throw new BodyFieldError(path, `"${text}" is not an xs:date`);
  const year = Number(m[1]);
  if (year > 0xffff) throw new BodyFieldError(path, `${year} is out of range`);
  return Uint8Array.of(year >> 8, year & 0xff, Number(m[2]), Number(m[3]), NOT_SPECIFIED);
}

/** An xs:time (`hh:mm:ss[.ff]`, a zone allowed) as a COSEM time octet-string(4). */
export function cosemTimeOfXsTime(text: string, path: string): Uint8Array {
  const m = /^(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$/.exec(text.trim());
  if (m === null) throw new BodyFieldError(path, `"${text}" is not an xs:time`);
  const hundredths = m[4] === undefined ? 0 : Math.floor(Number(`0${m[4]}`) * 100);
  return Uint8Array.of(Number(m[1]), Number(m[2]), Number(m[3]), hundredths);
}

/** An xs:time as minutes after midnight (the ZSE day schedule's start time). */
export function minutesOfXsTime(text: string, path: string): number {
  const [h = 0, m = 0] = cosemTimeOfXsTime(text, path);
  return h * 60 + m;
}

/** The element at a path's text, for the xs:date and xs:time readers above. */
export function textAt(element: DuisElement, path: string): string {
  const t = find(element, path)?.text;
  if (t === undefined) throw new BodyFieldError(path, "required by the command, not in the body");
  return t;
}
