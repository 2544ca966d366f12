import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, Reader, toHex, Writer } from "../../src/gbcs/cursor.js";
import { DecodeError } from "../../src/gbcs/errors.js";

describe("cursor", () => {
  it("reads big- and little-endian widths as named", () => {
    const r = new Reader(fromHex("0102 0102 010203 01020304 0102030405060708"));
    assert.equal(r.u16be(), 0x0102);
    assert.equal(r.u16le(), 0x0201);
    assert.equal(r.u24be(), 0x010203);
    assert.equal(r.u32le(), 0x04030201);
    assert.equal(r.u64be(), 0x0102030405060708n);
    assert.ok(r.done);
  });

  it("refuses a read past the end with the offset, needed and available bytes", () => {
    const r = new Reader(fromHex("AABBCC"), 10);
    r.u8();
    assert.throws(
      () => r.u32be(),
      (e: unknown) =>
        e instanceof DecodeError &&
        e.code === "truncated" &&
        e.offset === 11 &&
        e.needed === 4 &&
        e.available === 2,
    );
  });

  it("refuses a declared length larger than the input before allocating", () => {
    const r = new Reader(fromHex("84FFFFFFFF00"));
    const n = r.derLength();
    assert.equal(n, 0xffffffff);
    assert.throws(
      () => r.sub(n),
      (e: unknown) => e instanceof DecodeError && e.code === "length",
    );
  });

  it("adds the decode path on the way up without mutating the error", () => {
    const inner = new DecodeError("bad tag", { code: "unexpected", offset: 3, path: "register[2]" });
    const outer = inner.withPath("payload");
    assert.equal(outer.message, "payload.register[2]: bad tag");
    assert.equal(inner.message, "register[2]: bad tag");
  });

  it("round-trips DER lengths at every form boundary", () => {
    for (const n of [0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffff, 0x1000000]) {
      const bytes = new Writer().derLength(n).finish();
      assert.equal(new Reader(bytes).derLength(), n, `length ${n} as ${toHex(bytes)}`);
    }
  });

  it("round-trips random integers of every width (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        (a, b, c) => {
          const w = new Writer(1)
            .u32be(a)
            .u32le(a)
            .u64be(b)
            .u64le(b)
            .u48le(c)
            .u48be(c)
            .u24le(a & 0xffffff);
          const r = new Reader(w.finish());
          assert.equal(r.u32be(), a);
          assert.equal(r.u32le(), a);
          assert.equal(r.u64be(), b);
          assert.equal(r.u64le(), b);
          assert.equal(r.u48le(), c);
          assert.equal(r.u48be(), c);
          assert.equal(r.u24le(), a & 0xffffff);
          r.end();
        },
      ),
    );
  });
});

describe("Writer growth", () => {
  it("keeps a single byte written exactly when the buffer grows", () => {
    const w = new Writer(2);
    w.u8(1).u8(2).u8(3).u8(4).u8(5);
    assert.equal(toHex(w.finish()), "0102030405");
  });
});
