/**
 * Profiles (class 7, Profile Generic): the buffer (attribute 2) is a table of captured rows, whose
 * first column in every GBCS ESME profile is the capture time as UTC seconds since 2000-01-01
 * (double-long-unsigned, the value of the UTC date-time object 0-0:94.44.100.255); the capture period
 * (attribute 4) spaces them. GBCS reads a profile for a range of capture times: selective access
 * with range_descriptor (selector 1) { restricting_object, from_value, to_value, selected_values },
 * the bounds as double-long-unsigned seconds; or, in a protected read, restriction_type 1 with the
 * bounds as COSEM date-times (octet-strings).
 */
import type { DlmsData, TypeDescription } from "../../gbcs/dlms/index.js";
import { cosemDateTime } from "../../gbcs/frame.js";

export const PROFILE_CLASS = 7;
export const BUFFER = 2;
export const CAPTURE_PERIOD = 4;
/** Selective access by range (Blue Book, class 7 attribute 2, access_selector 1). */
export const RANGE_SELECTOR = 1;

const EPOCH_2000 = Date.UTC(2000, 0, 1);

/** UTC seconds since 2000 of a time in ms since 1970. */
export function seconds2000(ms: number): number {
  return Math.floor((ms - EPOCH_2000) / 1000);
}

/** A range bound as seconds since 2000: a double-long-unsigned, a date-time, or a 12-byte octet-string. */
function bound(d: DlmsData | undefined): number | undefined {
  if (d === undefined) return undefined;
  if (d.type === "double-long-unsigned") return d.value;
  if (d.type === "octet-string" && d.value.length === 12) {
    const at = cosemDateTime(d.value);
    return at === null ? undefined : seconds2000(at.getTime());
  }
  return undefined;
}

/** The rows of a buffer whose capture time is within [from, to]; undefined when `buffer` is no table. */
function rowsBetween(buffer: DlmsData, from: number, to: number): DlmsData | undefined {
  if (buffer.type !== "compact-array" && buffer.type !== "array") return undefined;
  const elements = buffer.elements.filter((row) => {
    const t = row.type === "structure" ? bound(row.elements[0]) : undefined;
    return t !== undefined && t >= from && t <= to;
  });
  return { ...buffer, elements };
}

/** Range selector parameters { restricting_object, from_value, to_value, selected_values }. */
export function selectByRange(buffer: DlmsData, parameters: DlmsData): DlmsData | undefined {
  if (parameters.type !== "structure") return undefined;
  const from = bound(parameters.elements[1]);
  const to = bound(parameters.elements[2]);
  if (from === undefined || to === undefined) return undefined;
  return rowsBetween(buffer, from, to);
}

/**
 * A protected read's restricting_object { restriction_type, restriction_value }: 0 none, 1 by date
 * range { from_date, to_date }. Undefined when the restriction cannot be applied.
 */
export function restrict(value: DlmsData, restriction: DlmsData): DlmsData | undefined {
  if (restriction.type !== "structure") return undefined;
  const [type, range] = restriction.elements;
  if (type?.type === "enum" && type.value === 0) return value;
  if (type?.type !== "enum" || type.value !== 1 || range?.type !== "structure") return undefined;
  const from = bound(range.elements[0]);
  const to = bound(range.elements[1]);
  if (from === undefined || to === undefined) return undefined;
  return rowsBetween(value, from, to);
}

/** A value of the described type: zeros, empty strings (the rows of a new device's profiles). */
export function zeroOf(d: TypeDescription): DlmsData {
  switch (d.type) {
    case "array":
      return {
        type: "array",
        elements: Array.from({ length: d.numberOfElements }, () => zeroOf(d.typeDescription)),
      };
    case "structure":
      return { type: "structure", elements: d.elements.map(zeroOf) };
    case "null-data":
    case "dont-care":
      return { type: d.type };
    case "boolean":
      return { type: "boolean", value: false };
    case "bit-string":
      return { type: "bit-string", bitLength: 0, bits: new Uint8Array(0) };
    case "long64":
    case "long64-unsigned":
      return { type: d.type, value: 0n };
    case "octet-string":
      return { type: "octet-string", value: new Uint8Array(0) };
    case "visible-string":
    case "utf8-string":
      return { type: d.type, value: "" };
    case "float32":
    case "float64":
      return { type: d.type, value: 0 };
    case "date-time":
      return {
        type: "date-time",
        value: {
          year: 2020,
          month: 1,
          dayOfMonth: 1,
          dayOfWeek: 3,
          hour: 0,
          minute: 0,
          second: 0,
          hundredths: 0,
          deviation: 0,
          clockStatus: 0,
        },
      };
    case "date":
      return { type: "date", value: { year: 2020, month: 1, dayOfMonth: 1, dayOfWeek: 3 } };
    case "time":
      return { type: "time", value: { hour: 0, minute: 0, second: 0, hundredths: 0 } };
    default:
      return { type: d.type, value: 0 };
  }
}

/**
 * A profile's buffer as the device holds it at `now`: a row captured every `period` seconds (a day
 * where the profile has no period of its own) for the last `count` periods, each zeros but for its
 * capture time and the columns `columns` gives for that time. Undefined when the buffer's rows do not
 * start with a capture time. Columns of another count than the row's are not used.
 */
export function capturedRows(
  buffer: DlmsData,
  period: number,
  now: number,
  count: number,
  columns?: (seconds: number, step: number) => readonly DlmsData[] | undefined,
): DlmsData | undefined {
  if (buffer.type !== "compact-array") return undefined;
  const description = buffer.contentsDescription;
  if (description.type !== "structure" || description.elements[0]?.type !== "double-long-unsigned")
    return undefined;
  const template = description.elements.slice(1).map(zeroOf);
  const step = period > 0 ? period : 86_400;
  const last = Math.floor(seconds2000(now) / step) * step;
  const rows: DlmsData[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const t = last - i * step;
    if (t < 0) continue;
    const given = columns?.(t, step);
    // columns of another count than the row's (a twin element's extra column) are not used
    const rest = given !== undefined && given.length === template.length ? given : template;
    rows.push({ type: "structure", elements: [{ type: "double-long-unsigned", value: t }, ...rest] });
  }
  return { ...buffer, elements: rows };
}

/** ms since 1970 of a capture time in seconds since 2000. */
export function msOf(seconds: number): number {
  return EPOCH_2000 + seconds * 1000;
}
