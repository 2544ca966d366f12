/**
 * A-XDR length and count encoding (IEC 61334-6 / DLMS Green Book §9.5): one byte below 0x80, else
 * 0x80 + n followed by n big-endian bytes. Used for octet-string, visible-string, array and
 * structure lengths and for every SEQUENCE OF count in the xDLMS APDUs.
 *
 * Only the shortest form is accepted, so that a decoded value re-encodes to the same bytes; a longer
 * form is a DecodeError of code `unexpected`. Lengths are not checked against what is left here:
 * callers cap them with `Reader.checkLength` (or an element minimum) before allocating.
 */
import type { Reader, Writer } from "../cursor.js";
import { DecodeError } from "../errors.js";

/** Longest length form accepted: 4 bytes, i.e. lengths up to 2^32 - 1 (far above any GBCS payload). */
const MAX_LENGTH_BYTES = 4;

export function readAxdrLength(r: Reader, what = "length"): number {
  const at = r.absoluteOffset;
  const first = r.u8();
  if (first < 0x80) return first;
  const count = first & 0x7f;
  if (count === 0 || count > MAX_LENGTH_BYTES) {
    throw new DecodeError(`unsupported A-XDR ${what} form 0x${first.toString(16).padStart(2, "0")}`, {
      code: "unexpected",
      offset: at,
    });
  }
  let n = 0;
  for (let i = 0; i < count; i++) n = n * 256 + r.u8();
  if (n < 0x80 || n < 256 ** (count - 1)) {
    throw new DecodeError(`A-XDR ${what} ${n} not in its shortest form`, { code: "unexpected", offset: at });
  }
  return n;
}

/** Bytes that `writeAxdrLength(n)` writes. */
export function axdrLengthSize(n: number): number {
  if (n < 0x80) return 1;
  let bytes = 0;
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes++;
  return 1 + bytes;
}

export function writeAxdrLength(w: Writer, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new RangeError(`A-XDR length out of range: ${n}`);
  }
  if (n < 0x80) {
    w.u8(n);
    return;
  }
  const size = axdrLengthSize(n) - 1;
  w.u8(0x80 | size);
  for (let i = size - 1; i >= 0; i--) w.u8(Math.floor(n / 256 ** i) % 256);
}

/**
 * Reads a SEQUENCE OF / array count and refuses it when even `minElementSize` bytes per element
 * could not fit in what is left, so that a hostile count never drives an allocation or a long loop.
 */
export function readAxdrCount(r: Reader, what: string, minElementSize = 1): number {
  const n = readAxdrLength(r, `${what} count`);
  if (n * minElementSize > r.remaining) {
    throw new DecodeError(`${what} count ${n} exceeds the ${r.remaining} bytes left`, {
      code: "length",
      offset: r.absoluteOffset,
      needed: n * minElementSize,
      available: r.remaining,
    });
  }
  return n;
}
