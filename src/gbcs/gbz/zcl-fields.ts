/**
 * A small field-layout language for ZCL / ZigBee Smart Energy (ZSE) cluster-specific command
 * payloads: a command is a list of named fields of ZCL primitive types, in order, little-endian,
 * with repeated groups (a count taken from an earlier field, or "until the payload ends"). The
 * layouts are data (see zcl-commands.ts); this module reads and writes them symmetrically, so that
 * encode(decode(x)) is x by construction.
 */
import type { Reader, Writer } from "../cursor.js";
import { atSegment, DecodeError } from "../errors.js";

/** ZCL primitive field types used by ZSE command payloads (little-endian, as ZCL sends them). */
export type ZclFieldType =
  | "uint8"
  | "uint16"
  | "uint24"
  | "uint32"
  | "uint48"
  | "int8"
  | "int16"
  | "int24"
  | "int32"
  | "enum8"
  | "enum16"
  | "bitmap8"
  | "bitmap16"
  | "bitmap32"
  /** ZCL UTCTime: seconds since 2000-01-01T00:00:00Z, uint32. 0xFFFFFFFF means "not set / cancel". */
  | "utcTime"
  /** ZCL Date: year-1900, month, day of month, day of week (0xFF = any); kept as the four bytes. */
  | "date"
  /** ZCL octet / character string: a uint8 length then that many bytes. */
  | "octetString"
  /** Whatever is left of the payload (opaque, e.g. a snapshot sub-payload). */
  | "rest";

export type ZclFieldSpec =
  | { readonly name: string; readonly type: ZclFieldType; readonly optional?: true }
  | {
      readonly name: string;
      readonly repeat: readonly ZclFieldSpec[];
      /** The earlier field whose value (masked) is the count; absent: repeat until the payload ends. */
      readonly count?: { readonly field: string; readonly mask?: number };
    }
  | {
      readonly name: string;
      /** The earlier field whose value picks the layout of the rest of the payload. */
      readonly switch: string;
      /** Layouts by that value; any other value leaves the rest of the payload as bytes. */
      readonly cases: Readonly<Record<number, readonly ZclFieldSpec[]>>;
    };

/** A field's value: a number, bytes, a list of repeated groups, or the fields a switch chose. */
export type ZclFieldValue = number | Uint8Array | readonly ZclFields[] | ZclFields;
export interface ZclFields {
  readonly [name: string]: ZclFieldValue;
}

const widths: Record<Exclude<ZclFieldType, "date" | "octetString" | "rest">, number> = {
  uint8: 1,
  uint16: 2,
  uint24: 3,
  uint32: 4,
  uint48: 6,
  int8: 1,
  int16: 2,
  int24: 3,
  int32: 4,
  enum8: 1,
  enum16: 2,
  bitmap8: 1,
  bitmap16: 2,
  bitmap32: 4,
  utcTime: 4,
};

function readScalar(r: Reader, type: ZclFieldType): number | Uint8Array {
  switch (type) {
    case "uint8":
    case "enum8":
    case "bitmap8":
      return r.u8();
    case "uint16":
    case "enum16":
    case "bitmap16":
      return r.u16le();
    case "uint24":
      return r.u24le();
    case "uint32":
    case "bitmap32":
    case "utcTime":
      return r.u32le();
    case "uint48":
      return r.u48le();
    case "int8":
      return r.i8();
    case "int16":
      return r.i16le();
    case "int24":
      return r.i24le();
    case "int32":
      return r.i32le();
    case "date":
      return r.copy(4);
    case "octetString": {
      const n = r.u8();
      r.checkLength(n, "octet string length");
      return r.copy(n);
    }
    case "rest":
      return r.copyRest();
  }
}

function writeScalar(w: Writer, type: ZclFieldType, v: ZclFieldValue, name: string): void {
  if (type === "date" || type === "octetString" || type === "rest") {
    if (!(v instanceof Uint8Array)) throw new TypeError(`field ${name} must be bytes`);
    if (type === "date" && v.length !== 4) throw new TypeError(`field ${name} must be 4 bytes`);
    if (type === "octetString") {
      if (v.length > 0xfe) throw new TypeError(`field ${name} is longer than 254 bytes`);
      w.u8(v.length);
    }
    w.bytes(v);
    return;
  }
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`field ${name} must be an integer`);
  const [lo, hi] = ranges[type];
  if (v < lo || v > hi) throw new RangeError(`field ${name} = ${v} is outside ${type}`);
  switch (type) {
    case "uint8":
    case "enum8":
    case "bitmap8":
      w.u8(v);
      return;
    case "uint16":
    case "enum16":
    case "bitmap16":
      w.u16le(v);
      return;
    case "uint24":
      w.u24le(v);
      return;
    case "uint32":
    case "bitmap32":
    case "utcTime":
      w.u32le(v);
      return;
    case "uint48":
      w.u48le(v);
      return;
    case "int8":
      w.i8(v);
      return;
    case "int16":
      w.i16le(v);
      return;
    case "int24":
      w.i24le(v);
      return;
    case "int32":
      w.i32le(v);
      return;
  }
}

function isFields(v: ZclFieldValue | undefined): v is ZclFields {
  return typeof v === "object" && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/** Reads `specs` from `r`; the caller checks that the payload ended. */
export function readFields(r: Reader, specs: readonly ZclFieldSpec[]): ZclFields {
  const out: Record<string, ZclFieldValue> = {};
  let k = 0;
  try {
    for (; k < specs.length; k++) readField(r, specs[k]!, out);
  } catch (error) {
    // the path names the field only when something failed (no closure per field)
    throw atSegment(error, specs[k]!.name);
  }
  return out;
}

/** Reads one field into `out` (a repeat or switch may use the fields read before it). */
function readField(r: Reader, spec: ZclFieldSpec, out: Record<string, ZclFieldValue>): void {
  if ("type" in spec) {
    if (spec.optional && r.done) return;
    out[spec.name] = readScalar(r, spec.type);
    return;
  }
  if ("switch" in spec) {
    const selector = out[spec.switch];
    const layout = typeof selector === "number" ? spec.cases[selector] : undefined;
    out[spec.name] = layout === undefined ? r.copyRest() : readFields(r, layout);
    return;
  }
  const items: ZclFields[] = [];
  if (spec.count) {
    const raw = out[spec.count.field];
    if (typeof raw !== "number") throw r.unexpected(`count field ${spec.count.field} missing`);
    const n = raw & (spec.count.mask ?? 0xffffffff);
    // Each entry takes at least one byte: refuse a count the input cannot hold before looping.
    r.checkLength(n, "repeat count");
    let i = 0;
    try {
      for (; i < n; i++) items.push(readFields(r, spec.repeat));
    } catch (error) {
      throw atSegment(error, `[${i}]`);
    }
  } else {
    try {
      while (!r.done) items.push(readFields(r, spec.repeat));
    } catch (error) {
      throw atSegment(error, `[${items.length}]`);
    }
  }
  out[spec.name] = items;
}

/** Writes `fields` by `specs`; throws a TypeError when a value does not fit its field. */
export function writeFields(w: Writer, specs: readonly ZclFieldSpec[], fields: ZclFields): void {
  for (const spec of specs) {
    const v = fields[spec.name];
    if ("type" in spec) {
      if (v === undefined) {
        if (spec.optional) continue;
        throw new TypeError(`field ${spec.name} is missing`);
      }
      writeScalar(w, spec.type, v, spec.name);
      continue;
    }
    if ("switch" in spec) {
      const selector = fields[spec.switch];
      const layout = typeof selector === "number" ? spec.cases[selector] : undefined;
      if (layout === undefined) {
        if (!(v instanceof Uint8Array)) throw new TypeError(`field ${spec.name} must be bytes`);
        w.bytes(v);
      } else {
        if (!isFields(v)) throw new TypeError(`field ${spec.name} must be fields`);
        writeFields(w, layout, v);
      }
      continue;
    }
    if (!Array.isArray(v)) throw new TypeError(`field ${spec.name} must be a list`);
    for (const item of v as readonly ZclFields[]) writeFields(w, spec.repeat, item);
  }
}

/** True when `fields` has every required field of `specs` with a value of the right shape and range. */
export function fieldsAreValid(specs: readonly ZclFieldSpec[], fields: ZclFields): boolean {
  for (const spec of specs) {
    const v = fields[spec.name];
    if ("type" in spec) {
      if (v === undefined) {
        if (spec.optional) continue;
        return false;
      }
      if (spec.type === "date") {
        if (!(v instanceof Uint8Array) || v.length !== 4) return false;
      } else if (spec.type === "octetString") {
        if (!(v instanceof Uint8Array) || v.length > 0xfe) return false;
      } else if (spec.type === "rest") {
        // Present but empty would decode as absent.
        if (!(v instanceof Uint8Array) || (spec.optional && v.length === 0)) return false;
      } else {
        if (typeof v !== "number" || !Number.isInteger(v)) return false;
        const bits = widths[spec.type] * 8;
        const signed = spec.type.startsWith("int");
        const lo = signed ? -(2 ** (bits - 1)) : 0;
        const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
        if (v < lo || v > hi) return false;
      }
      continue;
    }
    if ("switch" in spec) {
      const selector = fields[spec.switch];
      const layout = typeof selector === "number" ? spec.cases[selector] : undefined;
      if (layout === undefined ? !(v instanceof Uint8Array) : !isFields(v) || !fieldsAreValid(layout, v))
        return false;
      continue;
    }
    if (!Array.isArray(v)) return false;
    for (const item of v as readonly ZclFields[]) if (!fieldsAreValid(spec.repeat, item)) return false;
    if (spec.count) {
      const c = fields[spec.count.field];
      if (typeof c !== "number" || (c & (spec.count.mask ?? 0xffffffff)) !== v.length) return false;
    }
  }
  return true;
}

/** Thrown-as-DecodeError helper for a payload that did not end where its layout did. */
export function trailing(r: Reader, what: string): DecodeError {
  return new DecodeError(`${r.remaining} bytes left after the ${what}`, {
    code: "trailing",
    offset: r.absoluteOffset,
    available: r.remaining,
  });
}

const ranges: Record<Exclude<ZclFieldType, "date" | "octetString" | "rest">, [number, number]> = {
  uint8: [0, 0xff],
  uint16: [0, 0xffff],
  uint24: [0, 0xffffff],
  uint32: [0, 0xffffffff],
  uint48: [0, 0xffff_ffff_ffff],
  int8: [-0x80, 0x7f],
  int16: [-0x8000, 0x7fff],
  int24: [-0x800000, 0x7fffff],
  int32: [-0x80000000, 0x7fffffff],
  enum8: [0, 0xff],
  enum16: [0, 0xffff],
  bitmap8: [0, 0xff],
  bitmap16: [0, 0xffff],
  bitmap32: [0, 0xffffffff],
  utcTime: [0, 0xffffffff],
};

/** A uniformly drawn integer in [lo, hi] from a source of integers in [0, n) with n up to 2^32. */
function drawInRange(rnd: (n: number) => number, lo: number, hi: number): number {
  const span = hi - lo + 1;
  if (span <= 0x1_0000_0000) return lo + rnd(span);
  // Wider than 32 bits (uint48): draw the high and low parts.
  const high = rnd(Math.floor(span / 0x1_0000_0000));
  return lo + high * 0x1_0000_0000 + rnd(0x1_0000_0000);
}

/**
 * Random valid fields for `specs` (the quartet's `random`): counts agree with their lists, and an
 * optional field, once left out, leaves out the optional fields after it.
 */
export function randomFields(specs: readonly ZclFieldSpec[], rnd: (n: number) => number): ZclFields {
  const out: Record<string, ZclFieldValue> = {};
  let omitted = false;
  for (const spec of specs) {
    if ("type" in spec) {
      if (spec.optional && (omitted || rnd(2) === 0)) {
        omitted = true;
        continue;
      }
      if (spec.type === "date") out[spec.name] = Uint8Array.from({ length: 4 }, () => rnd(256));
      else if (spec.type === "octetString" || spec.type === "rest") {
        // An optional field that is present has at least one byte: empty would read as absent.
        const min = spec.optional && spec.type === "rest" ? 1 : 0;
        out[spec.name] = Uint8Array.from({ length: min + rnd(24) }, () => rnd(256));
      } else {
        const [lo, hi] = ranges[spec.type];
        out[spec.name] = drawInRange(rnd, lo, hi);
      }
      continue;
    }
    if ("switch" in spec) {
      const keys = Object.keys(spec.cases).map(Number);
      // Mostly a known layout; sometimes another selector value, whose rest stays bytes.
      const pick = rnd(keys.length + 1);
      if (pick < keys.length) {
        out[spec.switch] = keys[pick]!;
        out[spec.name] = randomFields(spec.cases[keys[pick]!]!, rnd);
      } else {
        const unknown = [0xfe, 0xff].find((k) => !keys.includes(k)) ?? 0xff;
        out[spec.switch] = unknown;
        out[spec.name] = Uint8Array.from({ length: rnd(24) }, () => rnd(256));
      }
      continue;
    }
    const n = rnd(4);
    out[spec.name] = Array.from({ length: n }, () => randomFields(spec.repeat, rnd));
    if (spec.count) {
      const mask = spec.count.mask ?? 0xffffffff;
      const current = out[spec.count.field];
      const base = typeof current === "number" ? current : 0;
      // Keep the bits outside the mask (e.g. the tier in the high nibble), put the count in.
      out[spec.count.field] = mask === 0xffffffff ? n : (base & ~mask & 0xff) | n;
    }
  }
  return out;
}
