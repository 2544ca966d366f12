/**
 * The one cursor reader and writer for GBCS wire formats. Widths and byte order are in the method
 * names, because GBCS mixes big-endian DLMS and ASN.1 with little-endian ZCL: say which every time.
 * Values above 48 bits are bigint. Every read is checked before it happens and fails with a
 * DecodeError; a read never returns a short slice.
 *
 * Buffer ownership: `bytes(n)` returns a view into the input (no copy). Callers that keep it beyond
 * the life of the input must copy it.
 */
import { DecodeError } from "./errors.js";

export class Reader {
  private readonly input: Uint8Array;
  /** Index in `input` of this reader's first byte. */
  private readonly start: number;
  /** Index in `input` just past this reader's last byte. */
  private readonly end_: number;
  /** Absolute offset of `input[0]` in the outermost message (`base - start`). */
  private readonly origin: number;
  /** Index in `input` of the next byte. */
  private position: number;
  /** Made on first use: most readers only read bytes. */
  private view_: DataView | undefined;

  /**
   * @param input the bytes to read
   * @param base offset of `input[0]` in the outermost message, so that errors report absolute offsets
   */
  constructor(input: Uint8Array, base = 0) {
    this.input = input;
    this.start = 0;
    this.end_ = input.length;
    this.origin = base;
    this.position = 0;
    this.view_ = undefined;
  }

  /** A reader over `input[start, end)` (sub-readers share the input: no view is made). */
  private static window(
    input: Uint8Array,
    start: number,
    end: number,
    origin: number,
    view: DataView | undefined,
  ): Reader {
    const r: Reader = Object.create(Reader.prototype);
    // same field order as the constructor, so that every reader has one shape
    const w = r as unknown as {
      input: Uint8Array;
      start: number;
      end_: number;
      origin: number;
      position: number;
      view_: DataView | undefined;
    };
    w.input = input;
    w.start = start;
    w.end_ = end;
    w.origin = origin;
    w.position = start;
    w.view_ = view;
    return r;
  }

  private get view(): DataView {
    if (this.view_ === undefined) {
      const input = this.input;
      this.view_ = new DataView(input.buffer, input.byteOffset, input.byteLength);
    }
    return this.view_;
  }

  /** Offset of the next byte, relative to this reader's input. */
  get offset(): number {
    return this.position - this.start;
  }

  /** Offset of the next byte in the outermost message. */
  get absoluteOffset(): number {
    return this.origin + this.position;
  }

  get remaining(): number {
    return this.end_ - this.position;
  }

  get done(): boolean {
    return this.position >= this.end_;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (n < 0 || this.position + n > this.end_) throw this.truncated(n);
  }

  private truncated(n: number): DecodeError {
    return new DecodeError(`needs ${n} bytes, ${this.remaining} left`, {
      code: "truncated",
      offset: this.absoluteOffset,
      needed: n,
      available: this.remaining,
    });
  }

  /** Throws a `length` error unless a declared length `n` fits in what is left (checked before allocation). */
  checkLength(n: number, what = "length"): void {
    if (n > this.end_ - this.position) {
      throw new DecodeError(`${what} ${n} exceeds the ${this.remaining} bytes left`, {
        code: "length",
        offset: this.absoluteOffset,
        needed: n,
        available: this.remaining,
      });
    }
  }

  peekU8(): number {
    if (this.position >= this.end_) throw this.truncated(1);
    return this.input[this.position]!;
  }

  u8(): number {
    if (this.position >= this.end_) throw this.truncated(1);
    return this.input[this.position++]!;
  }

  i8(): number {
    return (this.u8() << 24) >> 24;
  }

  u16be(): number {
    this.need(2);
    const p = this.position;
    this.position = p + 2;
    return (this.input[p]! << 8) | this.input[p + 1]!;
  }

  u16le(): number {
    this.need(2);
    const p = this.position;
    this.position = p + 2;
    return this.input[p]! | (this.input[p + 1]! << 8);
  }

  i16be(): number {
    return (this.u16be() << 16) >> 16;
  }

  i16le(): number {
    return (this.u16le() << 16) >> 16;
  }

  u24be(): number {
    this.need(3);
    const p = this.position;
    this.position = p + 3;
    return (this.input[p]! << 16) | (this.input[p + 1]! << 8) | this.input[p + 2]!;
  }

  u24le(): number {
    this.need(3);
    const p = this.position;
    this.position = p + 3;
    return this.input[p]! | (this.input[p + 1]! << 8) | (this.input[p + 2]! << 16);
  }

  i24le(): number {
    const v = this.u24le();
    return v & 0x800000 ? v - 0x1000000 : v;
  }

  u32be(): number {
    return this.i32be() >>> 0;
  }

  u32le(): number {
    return this.i32le() >>> 0;
  }

  i32be(): number {
    this.need(4);
    const p = this.position;
    const i = this.input;
    this.position = p + 4;
    return (i[p]! << 24) | (i[p + 1]! << 16) | (i[p + 2]! << 8) | i[p + 3]!;
  }

  i32le(): number {
    this.need(4);
    const p = this.position;
    const i = this.input;
    this.position = p + 4;
    return i[p]! | (i[p + 1]! << 8) | (i[p + 2]! << 16) | (i[p + 3]! << 24);
  }

  /** Unsigned 48-bit little-endian (ZCL uint48), still exact as a number. */
  u48le(): number {
    this.need(6);
    const lo = this.u32le();
    const hi = this.u16le();
    return hi * 0x1_0000_0000 + lo;
  }

  u48be(): number {
    this.need(6);
    const hi = this.u16be();
    const lo = this.u32be();
    return hi * 0x1_0000_0000 + lo;
  }

  u64be(): bigint {
    this.need(8);
    const hi = this.u32be();
    return join64(hi, this.u32be());
  }

  u64le(): bigint {
    this.need(8);
    const lo = this.u32le();
    return join64(this.u32le(), lo);
  }

  i64be(): bigint {
    this.need(8);
    const hi = this.i32be();
    return join64(hi, this.u32be());
  }

  i64le(): bigint {
    this.need(8);
    const lo = this.u32le();
    return join64(this.i32le(), lo);
  }

  f32be(): number {
    this.need(4);
    const v = this.view.getFloat32(this.position, false);
    this.position += 4;
    return v;
  }

  f64be(): number {
    this.need(8);
    const v = this.view.getFloat64(this.position, false);
    this.position += 8;
    return v;
  }

  /** A view of the next `n` bytes (no copy; see buffer ownership above). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const p = this.position;
    this.position = p + n;
    return this.input.subarray(p, p + n);
  }

  /** A view of the bytes read since `offset` (an earlier value of `offset`), up to the next byte. */
  bytesSince(offset: number): Uint8Array {
    const from = this.start + offset;
    if (offset < 0 || from > this.position) throw new RangeError(`offset ${offset} is not behind the cursor`);
    return this.input.subarray(from, this.position);
  }

  /**
   * A copy of the next `n` bytes, for values that outlive the input (one allocation, where
   * `bytes(n).slice()` makes two; a Buffer input gives what Buffer.slice gives, as before).
   */
  copy(n: number): Uint8Array {
    this.need(n);
    const p = this.position;
    this.position = p + n;
    return this.input.slice(p, p + n);
  }

  /** A copy of everything that is left (see `copy`). */
  copyRest(): Uint8Array {
    return this.copy(this.remaining);
  }

  /** Everything that is left, as a view. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  skip(n: number): void {
    this.need(n);
    this.position += n;
  }

  /**
   * A DER/BER definite length (X.690 §8.1.3): one byte below 0x80, or 0x81..0x84 followed by that
   * many big-endian bytes. Indefinite (0x80) and longer forms are refused. The value is not checked
   * against what is left: use `checkLength` or `sub` for that.
   */
  derLength(): number {
    const first = this.u8();
    if (first < 0x80) return first;
    const count = first & 0x7f;
    if (count === 0 || count > 4) {
      throw new DecodeError(`unsupported DER length form 0x${first.toString(16).padStart(2, "0")}`, {
        code: "unexpected",
        offset: this.absoluteOffset - 1,
      });
    }
    let n = 0;
    for (let i = 0; i < count; i++) n = n * 256 + this.u8();
    return n;
  }

  /** A reader over the next `n` bytes, after checking they are there; this reader moves past them. */
  sub(n: number, what = "length"): Reader {
    this.checkLength(n, what);
    const p = this.position;
    this.position = p + n;
    return Reader.window(this.input, p, p + n, this.origin, this.view_);
  }

  /** Throws a `trailing` error if bytes are left. */
  end(what = "structure"): void {
    if (this.position < this.end_) {
      throw new DecodeError(`${this.remaining} bytes left after the ${what}`, {
        code: "trailing",
        offset: this.absoluteOffset,
        available: this.remaining,
      });
    }
  }

  /** A DecodeError of code `unexpected` at the current offset (or `at`, relative to this input). */
  unexpected(reason: string, at = this.position - this.start): DecodeError {
    return new DecodeError(reason, { code: "unexpected", offset: this.origin + this.start + at });
  }
}

/**
 * The 64-bit integer `hi * 2^32 + lo` (`hi` signed or unsigned, `lo` unsigned): one conversion when
 * it is exact as a number (below 2^53 in magnitude), as counters are.
 */
function join64(hi: number, lo: number): bigint {
  if (hi < 0x20_0000 && hi >= -0x20_0000) return BigInt(hi * 0x1_0000_0000 + lo);
  return (BigInt(hi) << 32n) + BigInt(lo);
}

/** A growable byte writer with the same method names as Reader. */
export class Writer {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buffer.buffer);
  }

  get size(): number {
    return this.length;
  }

  private reserve(n: number): number {
    const at = this.length;
    const needed = at + n;
    if (needed > this.buffer.length) {
      let capacity = this.buffer.length * 2;
      while (capacity < needed) capacity *= 2;
      const next = new Uint8Array(capacity);
      next.set(this.buffer.subarray(0, at));
      this.buffer = next;
      this.view = new DataView(next.buffer);
    }
    this.length = needed;
    return at;
  }

  u8(v: number): this {
    // reserve() may replace this.buffer, so take the offset first.
    const at = this.reserve(1);
    this.buffer[at] = v & 0xff;
    return this;
  }

  i8(v: number): this {
    const at = this.reserve(1);
    this.view.setInt8(at, v);
    return this;
  }

  u16be(v: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, v, false);
    return this;
  }

  u16le(v: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, v, true);
    return this;
  }

  i16be(v: number): this {
    const at = this.reserve(2);
    this.view.setInt16(at, v, false);
    return this;
  }

  i16le(v: number): this {
    const at = this.reserve(2);
    this.view.setInt16(at, v, true);
    return this;
  }

  u24be(v: number): this {
    const at = this.reserve(3);
    this.buffer[at] = (v >>> 16) & 0xff;
    this.buffer[at + 1] = (v >>> 8) & 0xff;
    this.buffer[at + 2] = v & 0xff;
    return this;
  }

  u24le(v: number): this {
    const at = this.reserve(3);
    this.buffer[at] = v & 0xff;
    this.buffer[at + 1] = (v >>> 8) & 0xff;
    this.buffer[at + 2] = (v >>> 16) & 0xff;
    return this;
  }

  i24le(v: number): this {
    return this.u24le(v < 0 ? v + 0x1000000 : v);
  }

  u32be(v: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, v, false);
    return this;
  }

  u32le(v: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, v, true);
    return this;
  }

  i32be(v: number): this {
    const at = this.reserve(4);
    this.view.setInt32(at, v, false);
    return this;
  }

  i32le(v: number): this {
    const at = this.reserve(4);
    this.view.setInt32(at, v, true);
    return this;
  }

  u48le(v: number): this {
    const at = this.reserve(6);
    this.view.setUint32(at, v % 0x1_0000_0000, true);
    this.view.setUint16(at + 4, Math.floor(v / 0x1_0000_0000), true);
    return this;
  }

  u48be(v: number): this {
    const at = this.reserve(6);
    this.view.setUint16(at, Math.floor(v / 0x1_0000_0000), false);
    this.view.setUint32(at + 2, v % 0x1_0000_0000, false);
    return this;
  }

  u64be(v: bigint): this {
    const at = this.reserve(8);
    this.view.setBigUint64(at, v, false);
    return this;
  }

  u64le(v: bigint): this {
    const at = this.reserve(8);
    this.view.setBigUint64(at, v, true);
    return this;
  }

  i64be(v: bigint): this {
    const at = this.reserve(8);
    this.view.setBigInt64(at, v, false);
    return this;
  }

  i64le(v: bigint): this {
    const at = this.reserve(8);
    this.view.setBigInt64(at, v, true);
    return this;
  }

  f32be(v: number): this {
    const at = this.reserve(4);
    this.view.setFloat32(at, v, false);
    return this;
  }

  f64be(v: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, v, false);
    return this;
  }

  bytes(v: Uint8Array): this {
    const at = this.reserve(v.length);
    this.buffer.set(v, at);
    return this;
  }

  /** A DER definite length in its shortest form (X.690 §10.1). */
  derLength(n: number): this {
    if (n < 0x80) return this.u8(n);
    if (n < 0x100) return this.u8(0x81).u8(n);
    if (n < 0x10000) return this.u8(0x82).u16be(n);
    if (n < 0x1000000) return this.u8(0x83).u24be(n);
    return this.u8(0x84).u32be(n);
  }

  /** A copy of what has been written. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Uppercase hex of `bytes`, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex").toUpperCase();
}

/** Bytes of a hex string (whitespace ignored); throws a DecodeError on an odd length or a non-hex digit. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new DecodeError("not a hex string", { code: "unexpected", offset: 0 });
  }
  return new Uint8Array(Buffer.from(clean, "hex"));
}
