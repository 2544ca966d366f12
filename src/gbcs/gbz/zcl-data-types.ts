/**
 * ZCL attribute data types (ZigBee Cluster Library, chapter 2.6 "Data Types"): the one-byte type
 * code that precedes an attribute value in Read Attributes Response, Write Attributes and Report
 * Attributes, and the little-endian encoding of each value. GBCS GBZ payloads carry these for the
 * gas meter (GSME) and the Gas Proxy Function (GPF).
 *
 * Each type is a codec quartet: `isValid`, `random`, `encode`, `decode`, so that round-trip property
 * tests come for free and the simulator can draw plausible readings.
 */
import type { Reader, Writer } from "../cursor.js";
import { DecodeError } from "../errors.js";

/** ZCL data type codes that GBCS uses (ZCL Table 2-10), with the ZCL names. */
export const ZclDataType = {
  noData: 0x00,
  data8: 0x08,
  data16: 0x09,
  data24: 0x0a,
  data32: 0x0b,
  boolean: 0x10,
  bitmap8: 0x18,
  bitmap16: 0x19,
  bitmap24: 0x1a,
  bitmap32: 0x1b,
  bitmap40: 0x1c,
  bitmap48: 0x1d,
  bitmap56: 0x1e,
  bitmap64: 0x1f,
  uint8: 0x20,
  uint16: 0x21,
  uint24: 0x22,
  uint32: 0x23,
  uint40: 0x24,
  uint48: 0x25,
  uint56: 0x26,
  uint64: 0x27,
  int8: 0x28,
  int16: 0x29,
  int24: 0x2a,
  int32: 0x2b,
  int40: 0x2c,
  int48: 0x2d,
  int56: 0x2e,
  int64: 0x2f,
  enum8: 0x30,
  enum16: 0x31,
  semiFloat: 0x38,
  singleFloat: 0x39,
  doubleFloat: 0x3a,
  octetString: 0x41,
  characterString: 0x42,
  longOctetString: 0x43,
  longCharacterString: 0x44,
  timeOfDay: 0xe0,
  date: 0xe1,
  utcTime: 0xe2,
  clusterId: 0xe8,
  attributeId: 0xe9,
  bacnetOid: 0xea,
  ieeeAddress: 0xf0,
  securityKey128: 0xf1,
} as const;

export type ZclDataTypeName = keyof typeof ZclDataType;
export type ZclDataTypeCode = (typeof ZclDataType)[ZclDataTypeName];

/** How a type's value is held: `number` up to 48 bits, `bigint` above, bytes for strings and blobs. */
type Kind =
  | { kind: "null" }
  | { kind: "boolean" }
  | { kind: "unsigned"; bytes: number }
  | { kind: "signed"; bytes: number }
  | { kind: "float"; bytes: 4 | 8 }
  | { kind: "fixedBytes"; bytes: number }
  | { kind: "string"; lengthBytes: 1 | 2 };

const kinds: Record<ZclDataTypeCode, Kind> = {
  0: { kind: "null" },
  8: { kind: "unsigned", bytes: 1 },
  9: { kind: "unsigned", bytes: 2 },
  10: { kind: "unsigned", bytes: 3 },
  11: { kind: "unsigned", bytes: 4 },
  16: { kind: "boolean" },
  24: { kind: "unsigned", bytes: 1 },
  25: { kind: "unsigned", bytes: 2 },
  26: { kind: "unsigned", bytes: 3 },
  27: { kind: "unsigned", bytes: 4 },
  28: { kind: "unsigned", bytes: 5 },
  29: { kind: "unsigned", bytes: 6 },
  30: { kind: "unsigned", bytes: 7 },
  31: { kind: "unsigned", bytes: 8 },
  32: { kind: "unsigned", bytes: 1 },
  33: { kind: "unsigned", bytes: 2 },
  34: { kind: "unsigned", bytes: 3 },
  35: { kind: "unsigned", bytes: 4 },
  36: { kind: "unsigned", bytes: 5 },
  37: { kind: "unsigned", bytes: 6 },
  38: { kind: "unsigned", bytes: 7 },
  39: { kind: "unsigned", bytes: 8 },
  40: { kind: "signed", bytes: 1 },
  41: { kind: "signed", bytes: 2 },
  42: { kind: "signed", bytes: 3 },
  43: { kind: "signed", bytes: 4 },
  44: { kind: "signed", bytes: 5 },
  45: { kind: "signed", bytes: 6 },
  46: { kind: "signed", bytes: 7 },
  47: { kind: "signed", bytes: 8 },
  48: { kind: "unsigned", bytes: 1 },
  49: { kind: "unsigned", bytes: 2 },
  // Semi-precision floats are kept as their 16 raw bits: there is no exact JavaScript value for them.
  56: { kind: "unsigned", bytes: 2 },
  57: { kind: "float", bytes: 4 },
  58: { kind: "float", bytes: 8 },
  65: { kind: "string", lengthBytes: 1 },
  66: { kind: "string", lengthBytes: 1 },
  67: { kind: "string", lengthBytes: 2 },
  68: { kind: "string", lengthBytes: 2 },
  // Time of day and date are four one-byte fields (hours, minutes, seconds, hundredths / year-1900,
  // month, day, day of week) with 0xFF as "any": kept as their four bytes.
  224: { kind: "fixedBytes", bytes: 4 },
  225: { kind: "fixedBytes", bytes: 4 },
  226: { kind: "unsigned", bytes: 4 },
  232: { kind: "unsigned", bytes: 2 },
  233: { kind: "unsigned", bytes: 2 },
  234: { kind: "unsigned", bytes: 4 },
  // An IEEE address is transmitted least significant byte first; kept as a big-endian-ordered
  // bigint (the EUI-64 as people write it).
  240: { kind: "unsigned", bytes: 8 },
  241: { kind: "fixedBytes", bytes: 16 },
};

/** The value of one attribute: its type code and the value in the shape that type has. */
export type ZclValue =
  | { readonly type: 0x00; readonly value: null }
  | { readonly type: 0x10; readonly value: boolean }
  | { readonly type: ZclNumericTypeCode; readonly value: number | bigint }
  | { readonly type: 0x41 | 0x42 | 0x43 | 0x44 | 0xe0 | 0xe1 | 0xf1; readonly value: Uint8Array };

export type ZclNumericTypeCode = Exclude<
  ZclDataTypeCode,
  0x00 | 0x10 | 0x41 | 0x42 | 0x43 | 0x44 | 0xe0 | 0xe1 | 0xf1
>;

/** The ZCL name of a type code, or undefined for a code GBCS does not use. */
export function zclDataTypeName(code: number): ZclDataTypeName | undefined {
  for (const [name, value] of Object.entries(ZclDataType)) if (value === code) return name as ZclDataTypeName;
  return undefined;
}

export function isZclDataTypeCode(code: number): code is ZclDataTypeCode {
  return Object.hasOwn(kinds, code);
}

/** The encoded width of a value of this type, excluding length prefixes of strings (undefined for those). */
export function zclFixedWidth(code: ZclDataTypeCode): number | undefined {
  const k = kinds[code];
  switch (k.kind) {
    case "null":
      return 0;
    case "boolean":
      return 1;
    case "unsigned":
    case "signed":
    case "float":
    case "fixedBytes":
      return k.bytes;
    case "string":
      return undefined;
  }
}

function readUnsignedLe(r: Reader, bytes: number): number | bigint {
  if (bytes <= 6) {
    const b = r.bytes(bytes);
    let v = 0;
    for (let i = bytes - 1; i >= 0; i--) v = v * 256 + b[i]!;
    return v;
  }
  const b = r.bytes(bytes);
  let v = 0n;
  for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

function writeUnsignedLe(w: Writer, bytes: number, value: number | bigint): void {
  let v = BigInt(value);
  for (let i = 0; i < bytes; i++) {
    w.u8(Number(v & 0xffn));
    v >>= 8n;
  }
}

function toSigned(value: number | bigint, bytes: number): number | bigint {
  const bits = BigInt(bytes * 8);
  const v = BigInt(value);
  const signed = v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
  return bytes <= 6 ? Number(signed) : signed;
}

function toUnsigned(value: number | bigint, bytes: number): bigint {
  const v = BigInt(value);
  return v < 0n ? v + (1n << BigInt(bytes * 8)) : v;
}

/** Reads a value of type `code` (the type byte has already been read). */
export function decodeZclValue(r: Reader, code: number): ZclValue {
  if (!isZclDataTypeCode(code)) {
    throw new DecodeError(`unsupported ZCL data type 0x${code.toString(16).padStart(2, "0")}`, {
      code: "unexpected",
      offset: r.absoluteOffset - 1,
    });
  }
  const k = kinds[code];
  switch (k.kind) {
    case "null":
      return { type: 0x00, value: null };
    case "boolean": {
      const b = r.u8();
      if (b > 1) throw r.unexpected(`boolean value 0x${b.toString(16)}`, r.offset - 1);
      return { type: 0x10, value: b === 1 };
    }
    case "unsigned": {
      const value = code === ZclDataType.ieeeAddress ? readUnsignedLe(r, 8) : readUnsignedLe(r, k.bytes);
      return { type: code as ZclNumericTypeCode, value };
    }
    case "signed":
      return { type: code as ZclNumericTypeCode, value: toSigned(readUnsignedLe(r, k.bytes), k.bytes) };
    case "float": {
      const b = r.bytes(k.bytes);
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const value = k.bytes === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
      return { type: code as ZclNumericTypeCode, value };
    }
    case "fixedBytes":
      return { type: code as 0xe0 | 0xe1 | 0xf1, value: r.copy(k.bytes) };
    case "string": {
      const n = k.lengthBytes === 1 ? r.u8() : r.u16le();
      r.checkLength(n, "ZCL string length");
      return { type: code as 0x41 | 0x42 | 0x43 | 0x44, value: r.copy(n) };
    }
  }
}

/** Writes the value (not its type byte). */
export function encodeZclValue(w: Writer, v: ZclValue): void {
  const k = kinds[v.type];
  switch (k.kind) {
    case "null":
      return;
    case "boolean":
      w.u8(v.value ? 1 : 0);
      return;
    case "unsigned":
      writeUnsignedLe(w, k.bytes, v.value as number | bigint);
      return;
    case "signed":
      writeUnsignedLe(w, k.bytes, toUnsigned(v.value as number | bigint, k.bytes));
      return;
    case "float": {
      const b = new Uint8Array(k.bytes);
      const view = new DataView(b.buffer);
      if (k.bytes === 4) view.setFloat32(0, v.value as number, true);
      else view.setFloat64(0, v.value as number, true);
      w.bytes(b);
      return;
    }
    case "fixedBytes":
      w.bytes(v.value as Uint8Array);
      return;
    case "string": {
      const bytes = v.value as Uint8Array;
      if (k.lengthBytes === 1) w.u8(bytes.length);
      else w.u16le(bytes.length);
      w.bytes(bytes);
      return;
    }
  }
}

/** True when `v` can be encoded as its type says (range, width, string length). */
export function isValidZclValue(v: ZclValue): boolean {
  if (!isZclDataTypeCode(v.type)) return false;
  const k = kinds[v.type];
  switch (k.kind) {
    case "null":
      return v.value === null;
    case "boolean":
      return typeof v.value === "boolean";
    case "unsigned": {
      if (typeof v.value !== "number" && typeof v.value !== "bigint") return false;
      if (typeof v.value === "number" && (!Number.isInteger(v.value) || k.bytes > 6)) return false;
      if (typeof v.value === "bigint" && k.bytes <= 6) return false;
      const b = BigInt(v.value);
      return b >= 0n && b < 1n << BigInt(k.bytes * 8);
    }
    case "signed": {
      if (typeof v.value !== "number" && typeof v.value !== "bigint") return false;
      if (typeof v.value === "number" && (!Number.isInteger(v.value) || k.bytes > 6)) return false;
      if (typeof v.value === "bigint" && k.bytes <= 6) return false;
      const b = BigInt(v.value);
      const half = 1n << BigInt(k.bytes * 8 - 1);
      return b >= -half && b < half;
    }
    case "float":
      return typeof v.value === "number" && (k.bytes === 8 || Object.is(Math.fround(v.value), v.value));
    case "fixedBytes":
      return v.value instanceof Uint8Array && v.value.length === k.bytes;
    case "string": {
      if (!(v.value instanceof Uint8Array)) return false;
      // 0xFF / 0xFFFF mean "invalid string" in ZCL and carry no bytes.
      return v.value.length < (k.lengthBytes === 1 ? 0xff : 0xffff);
    }
  }
}

/** A source of uniformly distributed integers in [0, n): a seeded generator in tests and the simulator. */
export type RandomInt = (n: number) => number;

/** A random valid value of type `code`, drawn from `rnd`. */
export function randomZclValue(code: ZclDataTypeCode, rnd: RandomInt): ZclValue {
  const k = kinds[code];
  const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rnd(256));
  switch (k.kind) {
    case "null":
      return { type: 0x00, value: null };
    case "boolean":
      return { type: 0x10, value: rnd(2) === 1 };
    case "unsigned": {
      let v = 0n;
      for (const b of randomBytes(k.bytes)) v = (v << 8n) | BigInt(b);
      return { type: code as ZclNumericTypeCode, value: k.bytes <= 6 ? Number(v) : v };
    }
    case "signed": {
      let v = 0n;
      for (const b of randomBytes(k.bytes)) v = (v << 8n) | BigInt(b);
      return { type: code as ZclNumericTypeCode, value: toSigned(v, k.bytes) };
    }
    case "float": {
      // Draw a finite value that survives the round trip through its width.
      const raw = (rnd(0x10000) - 0x8000) / (1 + rnd(1000));
      return { type: code as ZclNumericTypeCode, value: k.bytes === 4 ? Math.fround(raw) : raw };
    }
    case "fixedBytes":
      return { type: code as 0xe0 | 0xe1 | 0xf1, value: randomBytes(k.bytes) };
    case "string":
      return {
        type: code as 0x41 | 0x42 | 0x43 | 0x44,
        value: randomBytes(rnd(k.lengthBytes === 1 ? 40 : 300)),
      };
  }
}

/** Every type code this module knows. */
export const zclDataTypeCodes: readonly ZclDataTypeCode[] = Object.values(ZclDataType);

/** The ZCL UTCTime epoch, 2000-01-01T00:00:00Z, in Unix milliseconds. */
export const ZCL_UTC_EPOCH_MS = Date.UTC(2000, 0, 1);
/** ZCL UTCTime 0xFFFFFFFF: "invalid / not set" (GBCS also uses it for "cancel" or "never"). */
export const ZCL_UTC_INVALID = 0xffffffff;

/** A ZCL UTCTime (seconds since 2000-01-01 UTC) as a Date; undefined for 0xFFFFFFFF. */
export function zclUtcTimeToDate(seconds: number): Date | undefined {
  return seconds === ZCL_UTC_INVALID ? undefined : new Date(ZCL_UTC_EPOCH_MS + seconds * 1000);
}

/** A Date as a ZCL UTCTime (whole seconds since 2000-01-01 UTC); RangeError outside 2000-2136. */
export function dateToZclUtcTime(date: Date): number {
  const seconds = Math.floor((date.getTime() - ZCL_UTC_EPOCH_MS) / 1000);
  if (!(seconds >= 0 && seconds < ZCL_UTC_INVALID))
    throw new RangeError(`${date.toISOString()} is not a ZCL UTCTime`);
  return seconds;
}
