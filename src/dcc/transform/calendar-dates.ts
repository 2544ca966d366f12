/**
 * DUIS calendar dates and times as GBCS carries them in the non-disablement calendars of 2.1
 * (ECS08a, GCS05).
 *
 * A DUIS `Date` with wildcards is read by `duis-calendar.ts` (`cosemDate`, `zclDate`). An
 * xs:date (a schedule's start or end, where DUIS writes an unspecified year as 65535) and an xs:time
 * (a switch time) become a COSEM date and a COSEM time octet-string(4) (hour, minute, second,
 * hundredths). Times and dates are taken as written: DUIS writes them in UTC (`Z`), as the
 * meter's calendars run in UTC.
 */
import type { DuisElement } from "../../duis/model/element.js";
import { find } from "./body.js";
import { BodyFieldError } from "./command-spec.js";

/** COSEM and ZCL "not specified". */
const NOT_SPECIFIED = 0xff;

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
