/**
 * OBIS codes (IEC 62056-6-1): the 6-byte logical name of a COSEM object, the `instance-id` of a
 * cosem-attribute-descriptor. Written here as "A-B:C.D.E.F" with decimal groups, e.g. the GBCS
 * ESME data protection object "0-0:43.2.8.255".
 */
import { DecodeError } from "../errors.js";

/** An OBIS code as "A-B:C.D.E.F" (decimal, 0-255 each). */
export type ObisCode = string;

const OBIS_PATTERN = /^(\d{1,3})-(\d{1,3}):(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function obisFromBytes(bytes: Uint8Array): ObisCode {
  if (bytes.length !== 6) {
    throw new DecodeError(`an OBIS code has 6 bytes, not ${bytes.length}`, { code: "unexpected", offset: 0 });
  }
  // indexed reads: destructuring a typed array would go through its iterator
  return `${bytes[0]!}-${bytes[1]!}:${bytes[2]!}.${bytes[3]!}.${bytes[4]!}.${bytes[5]!}`;
}

/** The 6 bytes of an OBIS code; throws RangeError on a malformed one. */
export function obisToBytes(obis: ObisCode): Uint8Array {
  const m = OBIS_PATTERN.exec(obis);
  if (!m) throw new RangeError(`not an OBIS code (A-B:C.D.E.F): ${obis}`);
  const groups = m.slice(1).map(Number);
  if (groups.some((g) => g > 255)) throw new RangeError(`OBIS group above 255: ${obis}`);
  return Uint8Array.from(groups);
}

export function isObisCode(value: string): boolean {
  const m = OBIS_PATTERN.exec(value);
  return m?.slice(1).every((g) => Number(g) <= 255) === true;
}
