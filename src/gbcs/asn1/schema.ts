/**
 * ASN.1 types as codecs, combined like the GBCS ASN.1 module declares them (SEQUENCE, SEQUENCE OF,
 * CHOICE, OPTIONAL, IMPLICIT tags), with the TypeScript type of each value inferred from its
 * codec. Decoding is strict DER except for the length form, which is recorded (see der.ts);
 * encoding writes DER with the recorded length forms, so encode(decode(x)) is x.
 *
 * Certificates and certification requests are carried whole, as the DER bytes received: GBCS does
 * not look inside them here, and @peculiar/x509 reads them where needed.
 */
import type { Reader } from "../cursor.js";
import { Writer } from "../cursor.js";
import { atSegment, DecodeError } from "../errors.js";
import {
  ASN1_CONSTRUCTED,
  Asn1Tag,
  expectTlv,
  minimalLengthOctets,
  peekTag,
  readTlv,
  writeTlv,
} from "./der.js";

/** Length octet counts that differ from the shortest form, by value path ("" is the outermost). */
export type DerLengthForms = Map<string, number>;

export interface Asn1Codec<T> {
  /** The identifier octets an encoding of this type can start with (to resolve OPTIONAL and CHOICE). */
  readonly tags: readonly number[];
  decode(r: Reader, path: string, forms: DerLengthForms): T;
  encode(w: Writer, value: T, path: string, forms: ReadonlyMap<string, number>): void;
  /** The same type under another identifier octet (IMPLICIT tagging). */
  withTag(tag: number): Asn1Codec<T>;
  /** A random valid value (the quartet's `random`), drawn from `rnd` (integers in [0, n)). */
  random(rnd: RandomInt): T;
}

/** A source of uniformly drawn integers in [0, n): a seeded generator in tests and the simulator. */
export type RandomInt = (n: number) => number;

function randomBytes(rnd: RandomInt, max: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length: rnd(max + 1) }, () => rnd(256));
}

function recordForm(forms: DerLengthForms, path: string, lengthOctets: number, length: number): void {
  if (lengthOctets !== minimalLengthOctets(length)) forms.set(path, lengthOctets);
}

function primitive<T>(
  tag: number,
  what: string,
  decodeValue: (v: Reader) => T,
  encodeValue: (value: T) => Uint8Array,
  random: (rnd: RandomInt) => T,
): Asn1Codec<T> {
  return {
    tags: [tag],
    random,
    decode(r, path, forms) {
      const tlv = expectTlv(r, tag, what);
      recordForm(forms, path, tlv.lengthOctets, tlv.value.remaining);
      const value = decodeValue(tlv.value);
      tlv.value.end(what);
      return value;
    },
    encode(w, value, path, forms) {
      writeTlv(w, tag, encodeValue(value), forms.get(path));
    },
    withTag(t) {
      return primitive(t, what, decodeValue, encodeValue, random);
    },
  };
}

/** The content octets of a DER INTEGER, checked to be in the shortest form. */
function integerOctets(v: Reader): Uint8Array {
  if (v.done) throw v.unexpected("empty INTEGER");
  const b = v.rest();
  if (b.length > 1 && ((b[0] === 0x00 && (b[1]! & 0x80) === 0) || (b[0] === 0xff && (b[1]! & 0x80) !== 0))) {
    throw v.unexpected("INTEGER not in its shortest form (not DER)", 0);
  }
  return b;
}

function readIntegerContent(v: Reader): bigint {
  const b = integerOctets(v);
  let n = 0n;
  for (const byte of b) n = (n << 8n) | BigInt(byte);
  if (b[0]! & 0x80) n -= 1n << BigInt(b.length * 8);
  return n;
}

function integerContent(n: bigint): Uint8Array {
  const out: number[] = [];
  let v = n;
  for (;;) {
    out.unshift(Number(BigInt.asUintN(8, v)));
    const sign = out[0]! & 0x80;
    v >>= 8n;
    if ((v === 0n && !sign) || (v === -1n && sign)) break;
  }
  return Uint8Array.from(out);
}

/** INTEGER as a bigint (sequence numbers and counters are 64-bit). */
export function integer(): Asn1Codec<bigint> {
  return primitive(Asn1Tag.integer, "INTEGER", readIntegerContent, integerContent, (rnd) => {
    // Mostly counters (0 .. 2^64-1), sometimes negative.
    let n = 0n;
    for (let i = 0, len = 1 + rnd(8); i < len; i++) n = (n << 8n) | BigInt(rnd(256));
    return rnd(8) === 0 ? -n : n;
  });
}

/** INTEGER that GBCS keeps small (codes, roles, modes): a number; larger values are refused. */
export function smallInteger(tag: number = Asn1Tag.integer, what = "INTEGER"): Asn1Codec<number> {
  return primitive(
    tag,
    what,
    (v) => {
      const at = v.absoluteOffset;
      const b = integerOctets(v);
      let n: number | bigint;
      if (b.length <= 4) {
        // two's complement in at most 32 bits: exact as a number, and within range
        let u = 0;
        for (let i = 0; i < b.length; i++) u = u * 256 + b[i]!;
        n = b[0]! & 0x80 ? u - 2 ** (8 * b.length) : u;
      } else {
        let big = 0n;
        for (const byte of b) big = (big << 8n) | BigInt(byte);
        if (b[0]! & 0x80) big -= 1n << BigInt(b.length * 8);
        n = big;
      }
      if (n > 0x7fffffff || n < -0x80000000) {
        throw new DecodeError(`${what} ${n} out of range`, { code: "unexpected", offset: at });
      }
      return Number(n);
    },
    (n) => integerContent(BigInt(n)),
    (rnd) => (rnd(4) === 0 ? rnd(0x1_0000_0000) - 0x8000_0000 : rnd(256)),
  );
}

/** ENUMERATED as a number. */
export function enumerated(): Asn1Codec<number> {
  return smallInteger(Asn1Tag.enumerated, "ENUMERATED");
}

export function octetString(): Asn1Codec<Uint8Array> {
  return primitive(
    Asn1Tag.octetString,
    "OCTET STRING",
    (v) => v.copyRest(),
    (b) => b,
    (rnd) => randomBytes(rnd, 24),
  );
}

export function nullValue(): Asn1Codec<null> {
  return primitive(
    Asn1Tag.null,
    "NULL",
    () => null,
    () => new Uint8Array(0),
    () => null,
  );
}

/** A BIT STRING: its bytes and the number of unused bits in the last one (X.690 §8.6). */
export interface BitString {
  readonly unusedBits: number;
  readonly bytes: Uint8Array;
}

export function bitString(): Asn1Codec<BitString> {
  return primitive(
    Asn1Tag.bitString,
    "BIT STRING",
    (v) => {
      const unusedBits = v.u8();
      if (unusedBits > 7 || (unusedBits > 0 && v.done)) throw v.unexpected(`${unusedBits} unused bits`, 0);
      return { unusedBits, bytes: v.copyRest() };
    },
    (b) => {
      const out = new Uint8Array(b.bytes.length + 1);
      out[0] = b.unusedBits;
      out.set(b.bytes, 1);
      return out;
    },
    (rnd) => {
      const bytes = randomBytes(rnd, 4);
      return { unusedBits: bytes.length === 0 ? 0 : rnd(8), bytes };
    },
  );
}

const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

function formatGeneralizedTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** GeneralizedTime in the DER form GBCS uses, YYYYMMDDHHMMSSZ (UTC, whole seconds), as a Date. */
export function generalizedTime(): Asn1Codec<Date> {
  return primitive(
    Asn1Tag.generalizedTime,
    "GeneralizedTime",
    (v) => {
      const text = String.fromCharCode(...v.rest());
      const m = GENERALIZED_TIME.exec(text);
      const date = m
        ? new Date(
            Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
          )
        : undefined;
      if (date === undefined || Number.isNaN(date.getTime()) || formatGeneralizedTime(date) !== text) {
        throw v.unexpected(`GeneralizedTime '${text}' is not YYYYMMDDHHMMSSZ`, 0);
      }
      return date;
    },
    (d) => Uint8Array.from(formatGeneralizedTime(d), (c) => c.charCodeAt(0)),
    // Whole seconds from 2000 to about 2100.
    (rnd) => new Date(Date.UTC(2000, 0, 1) + rnd(3_155_760_000) * 1000),
  );
}

/**
 * A whole TLV kept as its DER bytes (identifier, length and content), e.g. an X.509 Certificate or
 * a PKCS#10 CertificationRequest: the bytes are what the signature covers, so they stay as received.
 */
export function derBytes(tag: number = Asn1Tag.sequence): Asn1Codec<Uint8Array> {
  return {
    tags: [tag],
    decode(r) {
      // the TLV as received: writeTlv with the length octets read gives back exactly these bytes
      const start = r.offset;
      expectTlv(r, tag, "encoded value");
      return r.bytesSince(start).slice();
    },
    encode(w, value) {
      w.bytes(value);
    },
    withTag(t) {
      return derBytes(t);
    },
    random(rnd) {
      // Any content of this tag: the codec does not look inside (a certificate is not checked here).
      const w = new Writer(32);
      writeTlv(w, tag, randomBytes(rnd, 300));
      return w.finish();
    },
  };
}

interface FieldSpec<T, O extends boolean> {
  readonly codec: Asn1Codec<T>;
  readonly optional: O;
}

export function field<T>(codec: Asn1Codec<T>): FieldSpec<T, false> {
  return { codec, optional: false };
}

/** OPTIONAL (or DEFAULT, which DER omits when the value is the default): absent is undefined. */
export function optional<T>(codec: Asn1Codec<T>): FieldSpec<T, true> {
  return { codec, optional: true };
}

/** [n] IMPLICIT: the codec under a context-specific tag, constructed when the type is. */
export function implicit<T>(n: number, codec: Asn1Codec<T>): Asn1Codec<T> {
  const constructed = (codec.tags[0] ?? 0) & ASN1_CONSTRUCTED;
  return codec.withTag(0x80 | constructed | n);
}

type FieldValue<F> = F extends FieldSpec<infer T, boolean> ? T : never;
type RequiredKeys<F> = { [K in keyof F]: F[K] extends FieldSpec<unknown, false> ? K : never }[keyof F];
type OptionalKeys<F> = { [K in keyof F]: F[K] extends FieldSpec<unknown, true> ? K : never }[keyof F];

export type SequenceValue<F> = { readonly [K in RequiredKeys<F>]: FieldValue<F[K]> } & {
  readonly [K in OptionalKeys<F>]?: FieldValue<F[K]>;
};

function childPath(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

function constructed<T>(
  tag: number,
  what: string,
  decodeContent: (v: Reader, path: string, forms: DerLengthForms) => T,
  encodeContent: (w: Writer, value: T, path: string, forms: ReadonlyMap<string, number>) => void,
  random: (rnd: RandomInt) => T,
): Asn1Codec<T> {
  return {
    tags: [tag],
    random,
    decode(r, path, forms) {
      const tlv = expectTlv(r, tag, what);
      recordForm(forms, path, tlv.lengthOctets, tlv.value.remaining);
      const value = decodeContent(tlv.value, path, forms);
      tlv.value.end(what);
      return value;
    },
    encode(w, value, path, forms) {
      const inner = new Writer(64);
      encodeContent(inner, value, path, forms);
      writeTlv(w, tag, inner.finish(), forms.get(path));
    },
    withTag(t) {
      return constructed(t, what, decodeContent, encodeContent, random);
    },
  };
}

/** SEQUENCE { ... } with named fields in order. */
export function sequence<F extends Record<string, FieldSpec<unknown, boolean>>>(
  fields: F,
): Asn1Codec<SequenceValue<F>> {
  const entries = Object.entries(fields);
  // decoding walks the fields in order; an OPTIONAL one is present when the next tag is one of its own
  const decoders = entries.map(([name, spec]) => ({
    name,
    codec: spec.codec,
    optional: spec.optional,
    tags: new Set(spec.codec.tags),
  }));
  return constructed(
    Asn1Tag.sequence,
    "SEQUENCE",
    (v, path, forms) => {
      const out: Record<string, unknown> = {};
      let k = 0;
      try {
        for (; k < decoders.length; k++) {
          const d = decoders[k]!;
          if (d.optional) {
            const tag = peekTag(v);
            if (tag === undefined || !d.tags.has(tag)) continue;
          }
          out[d.name] = d.codec.decode(v, childPath(path, d.name), forms);
        }
      } catch (error) {
        // the path names the field only when something failed (no closure per field)
        throw atSegment(error, decoders[k]!.name);
      }
      return out as SequenceValue<F>;
    },
    (w, value, path, forms) => {
      const record = value as Record<string, unknown>;
      for (const [name, spec] of entries) {
        const v = record[name];
        if (v === undefined) {
          if (spec.optional) continue;
          throw new TypeError(`SEQUENCE field ${name} is missing`);
        }
        spec.codec.encode(w, v, childPath(path, name), forms);
      }
    },
    (rnd) => {
      const out: Record<string, unknown> = {};
      for (const [name, spec] of entries) {
        if (spec.optional && rnd(2) === 0) continue;
        out[name] = spec.codec.random(rnd);
      }
      return out as SequenceValue<F>;
    },
  );
}

/** SEQUENCE OF item. */
export function sequenceOf<T>(item: Asn1Codec<T>): Asn1Codec<readonly T[]> {
  return constructed(
    Asn1Tag.sequence,
    "SEQUENCE OF",
    (v, path, forms) => {
      const out: T[] = [];
      try {
        while (!v.done) out.push(item.decode(v, `${path}[${out.length}]`, forms));
      } catch (error) {
        throw atSegment(error, `[${out.length}]`);
      }
      return out;
    },
    (w, value, path, forms) => {
      value.forEach((x, i) => {
        item.encode(w, x, `${path}[${i}]`, forms);
      });
    },
    (rnd) => Array.from({ length: rnd(4) }, () => item.random(rnd)),
  );
}

export type ChoiceValue<A> = {
  [K in keyof A]: { readonly choice: K; readonly value: A[K] extends Asn1Codec<infer T> ? T : never };
}[keyof A];

/** CHOICE { ... }: the alternative is told by its identifier octet. */
export function choice<A extends Record<string, Asn1Codec<unknown>>>(
  alternatives: A,
): Asn1Codec<ChoiceValue<A>> {
  const entries = Object.entries(alternatives);
  // the first alternative that has a tag, by tag
  const byTag = new Map<number, [string, Asn1Codec<unknown>]>();
  for (const entry of entries) for (const t of entry[1].tags) if (!byTag.has(t)) byTag.set(t, entry);
  return {
    tags: entries.flatMap(([, c]) => c.tags),
    decode(r, path, forms) {
      const tag = peekTag(r);
      const hit = tag === undefined ? undefined : byTag.get(tag);
      if (hit === undefined) {
        // Read the TLV so that the error says truncated or unexpected, whichever is true.
        const at = r.offset;
        readTlv(r);
        throw r.unexpected(`no CHOICE alternative has tag 0x${(tag ?? 0).toString(16).padStart(2, "0")}`, at);
      }
      const [name, codec] = hit;
      let value: unknown;
      try {
        value = codec.decode(r, path, forms);
      } catch (error) {
        throw atSegment(error, name);
      }
      return { choice: name, value } as ChoiceValue<A>;
    },
    encode(w, value, path, forms) {
      const codec = alternatives[value.choice as keyof A];
      if (codec === undefined) throw new TypeError(`unknown CHOICE alternative ${String(value.choice)}`);
      codec.encode(w, value.value, path, forms);
    },
    withTag() {
      throw new TypeError("a CHOICE cannot be IMPLICIT tagged");
    },
    random(rnd) {
      const [name, codec] = entries[rnd(entries.length)]!;
      return { choice: name, value: codec.random(rnd) } as ChoiceValue<A>;
    },
  };
}

export type Asn1Value<C> = C extends Asn1Codec<infer T> ? T : never;

/** How deep an untyped DER tree may nest (GBCS structures are a few levels deep). */
const MAX_UNTYPED_DEPTH = 32;

/** The number of '[' in a value path: how deep in SEQUENCE OF and untyped values it is. */
function nesting(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x5b) n++;
  return n;
}

/** A DER value of no known type: its identifier octet and either its content or, constructed, its parts. */
export interface DerNode {
  readonly tag: number;
  readonly content: Uint8Array | readonly DerNode[];
}

/**
 * Any single DER value, read into a tree (constructed values into their parts). For payloads of
 * message codes that have no GBCS type here: still exact, though untyped.
 */
export function anyDer(): Asn1Codec<DerNode> {
  const randomNode = (rnd: RandomInt, depth: number): DerNode => {
    const tagNumber = rnd(31);
    const cls = rnd(4) << 6;
    if (depth < 3 && rnd(3) === 0) {
      return {
        tag: cls | ASN1_CONSTRUCTED | tagNumber,
        content: Array.from({ length: rnd(4) }, () => randomNode(rnd, depth + 1)),
      };
    }
    return { tag: cls | tagNumber, content: randomBytes(rnd, 20) };
  };
  const codec: Asn1Codec<DerNode> = {
    tags: Array.from({ length: 256 }, (_, i) => i).filter((t) => (t & 0x1f) !== 0x1f),
    random: (rnd) => randomNode(rnd, 0),
    decode(r, path, forms) {
      // The path holds one '[' per level: refuse deep nesting before it costs the stack.
      if (nesting(path) + 1 > MAX_UNTYPED_DEPTH) {
        throw new DecodeError(`DER nested deeper than ${MAX_UNTYPED_DEPTH} levels`, {
          code: "unexpected",
          offset: r.absoluteOffset,
        });
      }
      const tlv = readTlv(r);
      recordForm(forms, path, tlv.lengthOctets, tlv.value.remaining);
      if ((tlv.tag & ASN1_CONSTRUCTED) === 0) return { tag: tlv.tag, content: tlv.value.copyRest() };
      const parts: DerNode[] = [];
      try {
        while (!tlv.value.done) parts.push(codec.decode(tlv.value, `${path}[${parts.length}]`, forms));
      } catch (error) {
        throw atSegment(error, `[${parts.length}]`);
      }
      return { tag: tlv.tag, content: parts };
    },
    encode(w, value, path, forms) {
      if (value.content instanceof Uint8Array) {
        writeTlv(w, value.tag, value.content, forms.get(path));
        return;
      }
      const inner = new Writer(64);
      value.content.forEach((part, i) => {
        codec.encode(inner, part, `${path}[${i}]`, forms);
      });
      writeTlv(w, value.tag, inner.finish(), forms.get(path));
    },
    withTag() {
      throw new TypeError("an untyped DER value keeps its own tag");
    },
  };
  return codec;
}
