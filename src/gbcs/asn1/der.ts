/**
 * DER (X.690) tag-length-value reading and writing on the GBCS cursor, for the ASN.1 payloads of
 * GBCS (CS02 security credentials, CS03/CS04 join and unjoin, CS06 firmware activation, GCS28 set
 * time, device logs, and their alerts). Only single-byte identifiers (tag numbers below 31) and
 * definite lengths occur in GBCS; anything else is refused.
 *
 * DER is canonical, with one exception seen in the RTDS set: devices and the DCC write lengths of
 * 128-255 with two length octets (0x82 0x00 0xNN) instead of one. The octet count of every length
 * that is not in its shortest form is recorded, keyed by the value's path, so that re-encoding
 * gives back the received bytes.
 */
import type { Reader, Writer } from "../cursor.js";
import { DecodeError } from "../errors.js";

/** Identifier octet bits (X.690 §8.1.2). */
export const Asn1Class = {
  universal: 0x00,
  application: 0x40,
  contextSpecific: 0x80,
  private: 0xc0,
} as const;
export const ASN1_CONSTRUCTED = 0x20;

/** Universal tags (X.680 §8.4) that GBCS payloads use, as identifier octets. */
export const Asn1Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  enumerated: 0x0a,
  utf8String: 0x0c,
  printableString: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Lengths of this many octets or more are refused (GBCS messages are far smaller). */
const MAX_LENGTH_OCTETS = 4;

/** Number of octets of the shortest definite length form for `n` (X.690 §10.1). */
export function minimalLengthOctets(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x100) return 2;
  if (n < 0x10000) return 3;
  if (n < 0x1000000) return 4;
  return 5;
}

/** One TLV as read: identifier octet, the number of length octets used, and a reader over the value. */
export interface Tlv {
  readonly tag: number;
  readonly lengthOctets: number;
  readonly value: Reader;
  /** Absolute offset of the identifier octet. */
  readonly offset: number;
}

export function peekTag(r: Reader): number | undefined {
  return r.done ? undefined : r.peekU8();
}

/** Reads one TLV and moves past it. */
export function readTlv(r: Reader): Tlv {
  const offset = r.absoluteOffset;
  const tag = r.u8();
  if ((tag & 0x1f) === 0x1f) {
    throw new DecodeError("multi-byte ASN.1 tags are not used in GBCS", { code: "unexpected", offset });
  }
  const lengthStart = r.offset;
  const first = r.u8();
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) {
      throw new DecodeError("indefinite length is not DER", {
        code: "unexpected",
        offset: r.absoluteOffset - 1,
      });
    }
    if (count > MAX_LENGTH_OCTETS - 1) {
      throw new DecodeError(`${count}-octet length`, { code: "length", offset: r.absoluteOffset - 1 });
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + r.u8();
  }
  const lengthOctets = r.offset - lengthStart;
  const value = r.sub(length, "ASN.1 length");
  return { tag, lengthOctets, value, offset };
}

/** Reads one TLV and checks its identifier octet. */
export function expectTlv(r: Reader, tag: number, what: string): Tlv {
  const at = r.offset;
  const tlv = readTlv(r);
  if (tlv.tag !== tag) {
    throw r.unexpected(
      `${what}: tag 0x${tlv.tag.toString(16).padStart(2, "0")}, expected 0x${tag.toString(16).padStart(2, "0")}`,
      at,
    );
  }
  return tlv;
}

/** Writes a TLV with a definite length of `lengthOctets` octets, or the shortest when that cannot hold it. */
export function writeTlv(w: Writer, tag: number, content: Uint8Array, lengthOctets?: number): void {
  w.u8(tag);
  const n = content.length;
  const minimal = minimalLengthOctets(n);
  const octets =
    lengthOctets !== undefined && lengthOctets > minimal && lengthOctets <= MAX_LENGTH_OCTETS
      ? lengthOctets
      : minimal;
  if (octets === 1) {
    w.u8(n);
  } else {
    w.u8(0x80 | (octets - 1));
    for (let i = octets - 2; i >= 0; i--) w.u8(Math.floor(n / 256 ** i) % 256);
  }
  w.bytes(content);
}
