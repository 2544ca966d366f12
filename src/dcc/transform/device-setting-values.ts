/**
 * The few value constructions the device-settings commands (SRV 6.11-6.32) need beyond plain
 * numbers and strings: COSEM date-times and times as octet-strings in the forms those use cases
 * carry, the alert-behaviour bit-strings of ECS25a/b and the sub-GHz channel masks of DBCH04.
 */
import { BodyFieldError } from "./command-spec.js";

/** COSEM "not specified" byte (date and time fields) and deviation (GBCS: 0x8000). */
const NOT_SPECIFIED = 0xff;
const DEVIATION_NOT_SPECIFIED = 0x8000;

/** A COSEM date-time with every field not specified (ECS70's preset time: "now", at adjustment). */
export const COSEM_DATE_TIME_NOT_SPECIFIED: Uint8Array = Uint8Array.from([
  ...new Array<number>(9).fill(NOT_SPECIFIED),
  DEVIATION_NOT_SPECIFIED >> 8,
  DEVIATION_NOT_SPECIFIED & 0xff,
  NOT_SPECIFIED,
]);

/**
 * A COSEM time octet-string (hour, minute, second, hundredths) of a DUIS xs:time such as
 * `17:00:00.00Z` (the switch times of schedules).
 */
export function cosemTimeOf(text: string, path: string): Uint8Array {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,2})\d*)?(Z|[+-]00:00)?$/.exec(text);
  if (m === null) throw new BodyFieldError(path, `"${text}" is not a UTC xs:time`);
  const hundredths = m[4] === undefined ? 0 : Number(m[4].padEnd(2, "0"));
  return Uint8Array.from([Number(m[1]), Number(m[2]), Number(m[3]), hundredths]);
}

/** One alert's requested behaviour in a DUIS ConfigureAlertBehaviour body. */
export interface AlertSetting {
  /** The alert code (e.g. 0x810D from the element name `x810D`). */
  readonly code: number;
  readonly enabled: boolean;
}

/** The alert code an element named `xNNNN` stands for. */
export function alertCodeOfName(name: string): number | undefined {
  return /^x[0-9A-F]{4}$/.test(name) ? Number.parseInt(name.slice(1), 16) : undefined;
}

/**
 * The 512-bit value of an ESME event/alert behaviour object (ECS25a/b): the first 256 bits say which
 * behaviours the command changes, the second 256 bits their new values; an alert's bit counts from
 * the least significant end by the low byte of its code (0x810D → bit 13 of each half).
 */
export function alertBehaviourBits(settings: readonly AlertSetting[]): Uint8Array {
  const half = 32;
  const bits = new Uint8Array(2 * half);
  const put = (offset: number, bit: number): void => {
    const byte = offset + half - 1 - (bit >> 3);
    bits[byte] = (bits[byte] ?? 0) | (1 << (bit & 7));
  };
  for (const s of settings) {
    const bit = s.code & 0xff;
    put(0, bit);
    if (s.enabled) put(half, bit);
  }
  return bits;
}

/**
 * A ZigBee sub-GHz channel mask (32 bits, DBCH04): the channel page in the top five bits, and one bit
 * per channel counted from the least significant bit, as the channel's number less the page's first.
 */
export function subGhzChannelMask(
  page: number,
  firstChannel: number,
  channels: readonly number[],
): Uint8Array {
  let mask = (page & 0x1f) << 27;
  for (const c of channels) mask |= 1 << (c - firstChannel);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, mask >>> 0);
  return out;
}
