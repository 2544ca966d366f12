/**
 * The DLMS `Data` CHOICE (Green Book, DLMS UA 1000-2 §9.5 "Data"), A-XDR encoded: a one-byte tag,
 * then the value. These are the values that xDLMS access-request/-response and data-notification
 * APDUs carry in GBCS.
 *
 * Values are typed by their wire type (so that a decoded tree re-encodes to the same bytes):
 * integers up to 32 bits as `number`, 64-bit ones as `bigint`, octet-strings as `Uint8Array`,
 * date-time/date/time as their fields. `compact-array` keeps its type description and its elements,
 * each decoded from the untagged contents. Nesting is capped at MAX_DATA_DEPTH levels and every
 * count is checked against what is left before anything is allocated.
 */
import type { Reader } from "../cursor.js";
import { Writer } from "../cursor.js";
import { atSegment, DecodeError } from "../errors.js";
import { readAxdrCount, readAxdrLength, writeAxdrLength } from "./axdr.js";

/** Data CHOICE tags (Green Book, "Data ::= CHOICE"). */
export const DataTag = {
  "null-data": 0,
  array: 1,
  structure: 2,
  boolean: 3,
  "bit-string": 4,
  "double-long": 5,
  "double-long-unsigned": 6,
  "octet-string": 9,
  "visible-string": 10,
  "utf8-string": 12,
  bcd: 13,
  integer: 15,
  long: 16,
  unsigned: 17,
  "long-unsigned": 18,
  "compact-array": 19,
  long64: 20,
  "long64-unsigned": 21,
  enum: 22,
  float32: 23,
  float64: 24,
  "date-time": 25,
  date: 26,
  time: 27,
  "dont-care": 255,
} as const;

export type DataType = keyof typeof DataTag;

/** Data type by tag, indexed by the tag byte (undefined where no type has that tag). */
const TYPE_BY_TAG: readonly (DataType | undefined)[] = (() => {
  const byTag: (DataType | undefined)[] = new Array<DataType | undefined>(256).fill(undefined);
  for (const [name, tag] of Object.entries(DataTag) as [DataType, number][]) byTag[tag] = name;
  return byTag;
})();

/** Integer types that fit a JavaScript number exactly, with their width and signedness. */
export const INTEGER_TYPES = {
  integer: { bytes: 1, signed: true },
  long: { bytes: 2, signed: true },
  "double-long": { bytes: 4, signed: true },
  unsigned: { bytes: 1, signed: false },
  "long-unsigned": { bytes: 2, signed: false },
  "double-long-unsigned": { bytes: 4, signed: false },
  enum: { bytes: 1, signed: false },
  /** bcd [13] Integer8: one byte of two BCD digits, kept as its signed byte value. */
  bcd: { bytes: 1, signed: true },
} as const;

export type IntegerType = keyof typeof INTEGER_TYPES;

/**
 * COSEM date-time (Green Book §4.1.6.1, 12 bytes). Each field keeps its wire value, including the
 * "not specified" markers (0xFFFF year, 0xFF others, deviation -0x8000).
 */
export interface CosemDateTime {
  readonly year: number;
  readonly month: number;
  readonly dayOfMonth: number;
  readonly dayOfWeek: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly hundredths: number;
  /** Minutes from local time to UTC, signed; -32768 (0x8000) is "not specified". */
  readonly deviation: number;
  readonly clockStatus: number;
}

/** COSEM date (5 bytes). */
export interface CosemDate {
  readonly year: number;
  readonly month: number;
  readonly dayOfMonth: number;
  readonly dayOfWeek: number;
}

/** COSEM time (4 bytes). */
export interface CosemTime {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly hundredths: number;
}

/** The compact-array TypeDescription (Green Book §9.5): what each untagged element looks like. */
export type TypeDescription =
  | { readonly type: "array"; readonly numberOfElements: number; readonly typeDescription: TypeDescription }
  | { readonly type: "structure"; readonly elements: readonly TypeDescription[] }
  | { readonly type: Exclude<DataType, "array" | "structure" | "compact-array"> };

export type DlmsData =
  | { readonly type: "null-data" }
  | { readonly type: "dont-care" }
  | { readonly type: "array"; readonly elements: readonly DlmsData[] }
  | { readonly type: "structure"; readonly elements: readonly DlmsData[] }
  /**
   * A-XDR BOOLEAN: 0x00 false, any other byte true. GBCS sends 0xFF for true; `trueByte` keeps
   * another non-zero byte (e.g. 0x01) so that the value re-encodes as received.
   */
  | { readonly type: "boolean"; readonly value: boolean; readonly trueByte?: number }
  /** `bits` holds ceil(bitLength / 8) bytes, first bit in the most significant bit; padding kept. */
  | { readonly type: "bit-string"; readonly bitLength: number; readonly bits: Uint8Array }
  | { readonly type: IntegerType; readonly value: number }
  | { readonly type: "long64" | "long64-unsigned"; readonly value: bigint }
  | { readonly type: "octet-string"; readonly value: Uint8Array }
  /** visible-string bytes as Latin-1 characters (one char per byte); utf8-string as text. */
  | { readonly type: "visible-string" | "utf8-string"; readonly value: string }
  | { readonly type: "float32" | "float64"; readonly value: number }
  | { readonly type: "date-time"; readonly value: CosemDateTime }
  | { readonly type: "date"; readonly value: CosemDate }
  | { readonly type: "time"; readonly value: CosemTime }
  | {
      readonly type: "compact-array";
      readonly contentsDescription: TypeDescription;
      /** The elements, each of the described type (tags implied by the description). */
      readonly elements: readonly DlmsData[];
    };

/** How GBCS encodes TRUE. */
const TRUE_BYTE = 0xff;

/** Deepest nesting of arrays/structures (and type descriptions) accepted: GBCS uses fewer than 10. */
export const MAX_DATA_DEPTH = 32;

const FIXED_SIZE: Partial<Record<DataType, number>> = {
  "null-data": 0,
  "dont-care": 0,
  boolean: 1,
  integer: 1,
  long: 2,
  "double-long": 4,
  unsigned: 1,
  "long-unsigned": 2,
  "double-long-unsigned": 4,
  enum: 1,
  bcd: 1,
  long64: 8,
  "long64-unsigned": 8,
  float32: 4,
  float64: 8,
  "date-time": 12,
  date: 5,
  time: 4,
};

function depthError(r: Reader): DecodeError {
  return new DecodeError(`data nested deeper than ${MAX_DATA_DEPTH} levels`, {
    code: "length",
    offset: r.absoluteOffset,
  });
}

/** Decodes one tagged Data value. */
export function decodeData(r: Reader, depth = 0): DlmsData {
  if (depth > MAX_DATA_DEPTH) throw depthError(r);
  const at = r.offset;
  const tag = r.u8();
  const type = TYPE_BY_TAG[tag];
  if (type === undefined) {
    throw r.unexpected(`unknown DLMS data tag 0x${tag.toString(16).padStart(2, "0")}`, at);
  }
  switch (type) {
    case "array":
    case "structure": {
      const n = readAxdrCount(r, type);
      // n is capped by the bytes left (readAxdrCount): sized once, filled in order
      const elements = new Array<DlmsData>(n);
      let i = 0;
      try {
        for (; i < n; i++) elements[i] = decodeData(r, depth + 1);
      } catch (error) {
        throw atSegment(error, `${type}[${i}]`);
      }
      return { type, elements };
    }
    case "compact-array": {
      let contentsDescription: TypeDescription;
      try {
        contentsDescription = decodeTypeDescription(r, depth + 1);
      } catch (error) {
        throw atSegment(error, "contentsDescription");
      }
      const min = minimumSize(contentsDescription);
      if (min === 0) throw r.unexpected("compact-array of zero-size elements");
      const length = readAxdrLength(r, "compact-array contents length");
      const contents = r.sub(length, "compact-array contents length");
      const elements: DlmsData[] = [];
      try {
        while (!contents.done) elements.push(decodeValue(contents, contentsDescription, depth + 1));
      } catch (error) {
        throw atSegment(error, `compact-array[${elements.length}]`);
      }
      return { type, contentsDescription, elements };
    }
    default:
      return decodeSimple(r, type);
  }
}

/** Decodes an untagged value of the described type (the body of a tagged value, or a compact-array element). */
function decodeValue(r: Reader, d: TypeDescription, depth: number): DlmsData {
  if (depth > MAX_DATA_DEPTH) throw depthError(r);
  switch (d.type) {
    case "array": {
      const n = d.numberOfElements;
      r.checkLength(n * minimumSize(d.typeDescription), "compact-array element");
      const elements: DlmsData[] = [];
      let i = 0;
      try {
        for (; i < n; i++) elements.push(decodeValue(r, d.typeDescription, depth + 1));
      } catch (error) {
        throw atSegment(error, `array[${i}]`);
      }
      return { type: "array", elements };
    }
    case "structure": {
      const descriptions = d.elements;
      const elements: DlmsData[] = [];
      let i = 0;
      try {
        for (; i < descriptions.length; i++) elements.push(decodeValue(r, descriptions[i]!, depth + 1));
      } catch (error) {
        throw atSegment(error, `structure[${i}]`);
      }
      return { type: "structure", elements };
    }
    default:
      return decodeSimple(r, d.type);
  }
}

/** Types whose values are not built of other values. */
type SimpleType = Exclude<DataType, "array" | "structure" | "compact-array">;

/** Decodes an untagged value of a type other than array, structure and compact-array. */
function decodeSimple(r: Reader, type: SimpleType): DlmsData {
  switch (type) {
    case "null-data":
    case "dont-care":
      return { type };
    case "boolean": {
      const b = r.u8();
      if (b === 0) return { type: "boolean", value: false };
      return b === TRUE_BYTE
        ? { type: "boolean", value: true }
        : { type: "boolean", value: true, trueByte: b };
    }
    case "bit-string": {
      const bitLength = readAxdrLength(r, "bit-string length");
      const bits = r.copy(Math.ceil(bitLength / 8));
      return { type: "bit-string", bitLength, bits };
    }
    case "integer":
    case "bcd":
      return { type, value: r.i8() };
    case "long":
      return { type, value: r.i16be() };
    case "double-long":
      return { type, value: r.i32be() };
    case "unsigned":
    case "enum":
      return { type, value: r.u8() };
    case "long-unsigned":
      return { type, value: r.u16be() };
    case "double-long-unsigned":
      return { type, value: r.u32be() };
    case "long64":
      return { type, value: r.i64be() };
    case "long64-unsigned":
      return { type, value: r.u64be() };
    case "octet-string": {
      const n = readAxdrLength(r, "octet-string length");
      r.checkLength(n, "octet-string length");
      return { type: "octet-string", value: r.copy(n) };
    }
    case "visible-string": {
      const n = readAxdrLength(r, "visible-string length");
      r.checkLength(n, "visible-string length");
      const raw = r.bytes(n);
      return { type: "visible-string", value: Buffer.from(raw.buffer, raw.byteOffset, n).toString("latin1") };
    }
    case "utf8-string": {
      const n = readAxdrLength(r, "utf8-string length");
      r.checkLength(n, "utf8-string length");
      const at = r.offset;
      const raw = r.bytes(n);
      try {
        return {
          type: "utf8-string",
          value: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw),
        };
      } catch {
        throw r.unexpected("utf8-string is not valid UTF-8", at);
      }
    }
    case "float32":
    case "float64": {
      const at = r.offset;
      const raw = r.bytes(type === "float32" ? 4 : 8);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const value = type === "float32" ? view.getFloat32(0, false) : view.getFloat64(0, false);
      if (Number.isNaN(value) && !sameBytes(raw, encodeData({ type, value }).subarray(1))) {
        throw r.unexpected(`${type} NaN with a non-canonical bit pattern`, at);
      }
      return { type, value };
    }
    case "date-time":
      return { type: "date-time", value: readDateTime(r) };
    case "date":
      return {
        type: "date",
        value: { year: r.u16be(), month: r.u8(), dayOfMonth: r.u8(), dayOfWeek: r.u8() },
      };
    case "time":
      return { type: "time", value: { hour: r.u8(), minute: r.u8(), second: r.u8(), hundredths: r.u8() } };
  }
}

function readDateTime(r: Reader): CosemDateTime {
  return {
    year: r.u16be(),
    month: r.u8(),
    dayOfMonth: r.u8(),
    dayOfWeek: r.u8(),
    hour: r.u8(),
    minute: r.u8(),
    second: r.u8(),
    hundredths: r.u8(),
    deviation: r.i16be(),
    clockStatus: r.u8(),
  };
}

function decodeTypeDescription(r: Reader, depth: number): TypeDescription {
  if (depth > MAX_DATA_DEPTH) throw depthError(r);
  const at = r.offset;
  const tag = r.u8();
  const type = TYPE_BY_TAG[tag];
  if (type === undefined || type === "compact-array") {
    throw r.unexpected(`type description 0x${tag.toString(16).padStart(2, "0")} not allowed`, at);
  }
  if (type === "array") {
    const numberOfElements = r.u16be();
    const typeDescription = decodeTypeDescription(r, depth + 1);
    return { type, numberOfElements, typeDescription };
  }
  if (type === "structure") {
    const n = readAxdrCount(r, "structure description");
    const elements: TypeDescription[] = [];
    for (let i = 0; i < n; i++) elements.push(decodeTypeDescription(r, depth + 1));
    return { type, elements };
  }
  return { type };
}

/** The fewest bytes an untagged value of this description can take (variable-length types: 1). */
export function minimumSize(d: TypeDescription): number {
  switch (d.type) {
    case "array":
      return d.numberOfElements * minimumSize(d.typeDescription);
    case "structure":
      return d.elements.reduce((sum, e) => sum + minimumSize(e), 0);
    default:
      return FIXED_SIZE[d.type] ?? 1;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A-XDR encoding of one tagged Data value. Throws RangeError on a value its type cannot carry. */
export function encodeData(data: DlmsData): Uint8Array {
  const w = new Writer(64);
  writeData(w, data);
  return w.finish();
}

export function writeData(w: Writer, data: DlmsData): void {
  w.u8(DataTag[data.type]);
  switch (data.type) {
    case "array":
    case "structure":
      writeAxdrLength(w, data.elements.length);
      for (const e of data.elements) writeData(w, e);
      return;
    case "compact-array": {
      writeTypeDescription(w, data.contentsDescription);
      if (minimumSize(data.contentsDescription) === 0) {
        throw new RangeError("compact-array of zero-size elements cannot be encoded");
      }
      const contents = new Writer(64);
      for (const e of data.elements) writeValue(contents, e, data.contentsDescription);
      writeAxdrLength(w, contents.size);
      w.bytes(contents.finish());
      return;
    }
    default:
      writeValue(w, data, { type: data.type });
  }
}

function checkInteger(value: number, type: IntegerType): void {
  const { bytes, signed } = INTEGER_TYPES[type];
  const span = 2 ** (8 * bytes);
  const min = signed ? -span / 2 : 0;
  const max = signed ? span / 2 - 1 : span - 1;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${type} out of range: ${value}`);
  }
}

function writeValue(w: Writer, data: DlmsData, d: TypeDescription): void {
  if (data.type !== d.type)
    throw new RangeError(`compact-array element is ${data.type}, described as ${d.type}`);
  switch (data.type) {
    case "array": {
      if (d.type !== "array") return;
      if (data.elements.length !== d.numberOfElements) {
        throw new RangeError(
          `array has ${data.elements.length} elements, described as ${d.numberOfElements}`,
        );
      }
      for (const e of data.elements) writeValue(w, e, d.typeDescription);
      return;
    }
    case "structure": {
      if (d.type !== "structure") return;
      if (data.elements.length !== d.elements.length) {
        throw new RangeError(
          `structure has ${data.elements.length} elements, described as ${d.elements.length}`,
        );
      }
      for (const [i, e] of data.elements.entries()) writeValue(w, e, d.elements[i]!);
      return;
    }
    case "null-data":
    case "dont-care":
      return;
    case "boolean": {
      const b = data.value ? (data.trueByte ?? TRUE_BYTE) : 0;
      if (data.value && (!Number.isInteger(b) || b < 1 || b > 255))
        throw new RangeError(`boolean trueByte ${b}`);
      w.u8(b);
      return;
    }
    case "bit-string":
      if (data.bits.length !== Math.ceil(data.bitLength / 8)) {
        throw new RangeError(
          `bit-string of ${data.bitLength} bits needs ${Math.ceil(data.bitLength / 8)} bytes`,
        );
      }
      writeAxdrLength(w, data.bitLength);
      w.bytes(data.bits);
      return;
    case "integer":
    case "bcd":
      checkInteger(data.value, data.type);
      w.i8(data.value);
      return;
    case "long":
      checkInteger(data.value, data.type);
      w.i16be(data.value);
      return;
    case "double-long":
      checkInteger(data.value, data.type);
      w.i32be(data.value);
      return;
    case "unsigned":
    case "enum":
      checkInteger(data.value, data.type);
      w.u8(data.value);
      return;
    case "long-unsigned":
      checkInteger(data.value, data.type);
      w.u16be(data.value);
      return;
    case "double-long-unsigned":
      checkInteger(data.value, data.type);
      w.u32be(data.value);
      return;
    case "long64":
      if (data.value < -(2n ** 63n) || data.value >= 2n ** 63n) throw new RangeError(`long64 out of range`);
      w.i64be(data.value);
      return;
    case "long64-unsigned":
      if (data.value < 0n || data.value >= 2n ** 64n) throw new RangeError(`long64-unsigned out of range`);
      w.u64be(data.value);
      return;
    case "octet-string":
      writeAxdrLength(w, data.value.length);
      w.bytes(data.value);
      return;
    case "visible-string": {
      const bytes = Uint8Array.from(data.value, (c) => {
        const code = c.charCodeAt(0);
        if (c.length !== 1 || code > 0xff)
          throw new RangeError("visible-string holds a character above 0xFF");
        return code;
      });
      writeAxdrLength(w, bytes.length);
      w.bytes(bytes);
      return;
    }
    case "utf8-string": {
      const bytes = new TextEncoder().encode(data.value);
      writeAxdrLength(w, bytes.length);
      w.bytes(bytes);
      return;
    }
    case "float32":
      w.f32be(data.value);
      return;
    case "float64":
      w.f64be(data.value);
      return;
    case "date-time":
      writeDateTime(w, data.value);
      return;
    case "date":
      w.u16be(data.value.year).u8(data.value.month).u8(data.value.dayOfMonth).u8(data.value.dayOfWeek);
      return;
    case "time":
      w.u8(data.value.hour).u8(data.value.minute).u8(data.value.second).u8(data.value.hundredths);
      return;
  }
}

function writeDateTime(w: Writer, v: CosemDateTime): void {
  w.u16be(v.year).u8(v.month).u8(v.dayOfMonth).u8(v.dayOfWeek).u8(v.hour).u8(v.minute).u8(v.second);
  w.u8(v.hundredths).i16be(v.deviation).u8(v.clockStatus);
}

function writeTypeDescription(w: Writer, d: TypeDescription): void {
  w.u8(DataTag[d.type]);
  if (d.type === "array") {
    w.u16be(d.numberOfElements);
    writeTypeDescription(w, d.typeDescription);
  } else if (d.type === "structure") {
    writeAxdrLength(w, d.elements.length);
    for (const e of d.elements) writeTypeDescription(w, e);
  }
}

/** A COSEM date-time from the 12 bytes of an octet-string (GBCS carries most date-times that way). */
export function decodeCosemDateTime(bytes: Uint8Array, r?: Reader): CosemDateTime {
  if (bytes.length !== 12) {
    throw new DecodeError(`a COSEM date-time has 12 bytes, not ${bytes.length}`, {
      code: "unexpected",
      offset: r?.absoluteOffset ?? 0,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 12);
  return {
    year: view.getUint16(0, false),
    month: bytes[2]!,
    dayOfMonth: bytes[3]!,
    dayOfWeek: bytes[4]!,
    hour: bytes[5]!,
    minute: bytes[6]!,
    second: bytes[7]!,
    hundredths: bytes[8]!,
    deviation: view.getInt16(9, false),
    clockStatus: bytes[11]!,
  };
}

/** The 12 bytes of a COSEM date-time. */
export function encodeCosemDateTime(v: CosemDateTime): Uint8Array {
  const w = new Writer(12);
  writeDateTime(w, v);
  return w.finish();
}
