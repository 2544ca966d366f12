/**
 * The Reader's fast paths read what a DataView reads: integers from bytes, 64-bit values from two
 * halves, sub-readers as windows over one input (offsets still absolute), copies that do not alias
 * the input; atSegment names the element that failed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, Reader } from "../../src/gbcs/cursor.js";
import { atSegment, DecodeError } from "../../src/gbcs/errors.js";

describe("Reader fast paths", () => {
  it("read every width as a DataView does", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (b) => {
        const v = new DataView(b.buffer, b.byteOffset, 8);
        const at = () => new Reader(b);
        assert.equal(at().u64be(), v.getBigUint64(0, false));
        assert.equal(at().u64le(), v.getBigUint64(0, true));
        assert.equal(at().i64be(), v.getBigInt64(0, false));
        assert.equal(at().i64le(), v.getBigInt64(0, true));
        assert.equal(at().i32be(), v.getInt32(0, false));
        assert.equal(at().u32be(), v.getUint32(0, false));
        assert.equal(at().i32le(), v.getInt32(0, true));
        assert.equal(at().u32le(), v.getUint32(0, true));
        assert.equal(at().i16be(), v.getInt16(0, false));
        assert.equal(at().i16le(), v.getInt16(0, true));
        assert.equal(at().i8(), v.getInt8(0));
        assert.equal(at().u48be(), v.getUint16(0, false) * 2 ** 32 + v.getUint32(2, false));
        assert.equal(at().u48le(), v.getUint32(0, true) + v.getUint16(4, true) * 2 ** 32);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads 64-bit values at the edges of the exact-number range", () => {
    for (const hex of [
      "001FFFFFFFFFFFFF",
      "0020000000000000",
      "FFE0000000000000",
      "FFDFFFFFFFFFFFFF",
      "8000000000000000",
      "FFFFFFFFFFFFFFFF",
    ]) {
      const b = fromHex(hex);
      const v = new DataView(b.buffer, b.byteOffset, 8);
      assert.equal(new Reader(b).u64be(), v.getBigUint64(0, false), hex);
      assert.equal(new Reader(b).i64be(), v.getBigInt64(0, false), hex);
      assert.equal(new Reader(b).i64le(), v.getBigInt64(0, true), hex);
    }
  });

  it("gives sub-readers absolute offsets and their own end", () => {
    const r = new Reader(fromHex("00 01 02 03 04 05"), 100);
    r.u8();
    const s = r.sub(3);
    assert.equal(s.offset, 0);
    assert.equal(s.absoluteOffset, 101);
    assert.equal(s.remaining, 3);
    assert.equal(s.u16be(), 0x0102);
    assert.equal(s.unexpected("x").offset, 103);
    assert.throws(
      () => s.u16be(),
      (e: unknown) =>
        e instanceof DecodeError && e.code === "truncated" && e.offset === 103 && e.available === 1,
    );
    assert.equal(r.u8(), 4);
  });

  it("copies bytes that do not alias the input, and views what was read", () => {
    const input = fromHex("0A0B0C0D");
    const r = new Reader(input);
    r.u8();
    const copy = r.copy(2);
    const start = r.offset;
    r.u8();
    const seen = r.bytesSince(start);
    input[1] = 0xff;
    assert.deepEqual([...copy], [0x0b, 0x0c]);
    assert.deepEqual([...seen], [0x0d]);
    assert.throws(
      () => r.copy(1),
      (e: unknown) => e instanceof DecodeError && e.code === "truncated",
    );
    assert.throws(() => r.bytesSince(5), RangeError);
  });
});

describe("atSegment", () => {
  it("puts a segment in front of a DecodeError's path and leaves other errors alone", () => {
    const e = new DecodeError("bad", { code: "unexpected", offset: 3, path: "x" });
    const named = atSegment(e, "list[2]");
    assert.ok(named instanceof DecodeError);
    assert.equal(named.path, "list[2].x");
    assert.equal(named.offset, 3);
    const other = new TypeError("t");
    assert.equal(atSegment(other, "list[2]"), other);
  });
});
