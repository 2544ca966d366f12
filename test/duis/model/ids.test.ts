import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DuisError } from "../../../src/duis/errors.js";
import {
  euiFromBytes,
  euiToBytes,
  formatRequestId,
  parseEui,
  parseRequestId,
  sameRequestId,
} from "../../../src/duis/model/ids.js";

function throwsKey(fn: () => unknown, key: string): void {
  assert.throws(fn, (e: unknown) => e instanceof DuisError && e.key === key);
}

describe("DUIS ids", () => {
  it("reads a RequestID into originator, target and a bigint counter", () => {
    const id = parseRequestId("90-B3-D5-1F-30-01-00-00:00-db-12-34-56-78-90-a0:1000");
    assert.equal(id.originator, "90-B3-D5-1F-30-01-00-00");
    assert.equal(id.target, "00-DB-12-34-56-78-90-A0", "EUIs are upper-cased");
    assert.equal(id.counter, 1000n);
    assert.equal(formatRequestId(id), "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000");
  });

  it("takes counters up to 2^64-1 and refuses one past it", () => {
    const max = parseRequestId("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:18446744073709551615");
    assert.equal(max.counter, 2n ** 64n - 1n);
    throwsKey(
      () => parseRequestId("90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:18446744073709551616"),
      "schemaInvalid",
    );
    assert.throws(() => formatRequestId({ ...max, counter: 2n ** 64n }), RangeError);
  });

  it("refuses malformed RequestIDs with schemaInvalid", () => {
    for (const bad of [
      "90-B3-D5-1F-30-01-00-00:00-07-81-D7-00-00-36-CE::1000",
      "90-B3-D5-1F-30-01-00-00:00-07-81-D7-00-00-36-CE",
      "90-B3-D5-1F-30-01-00:00-07-81-D7-00-00-36-CE:1",
      "90-B3-D5-1F-30-01-00-00:00-07-81-D7-00-00-36-CE:01",
      "90-B3-D5-1F-30-01-00-00:00-07-81-D7-00-00-36-CE:-1",
      "90-B3-D5-1F-30-01-00-0G:00-07-81-D7-00-00-36-CE:1",
    ]) {
      throwsKey(() => parseRequestId(bad), "schemaInvalid");
    }
  });

  it("converts EUIs to and from the 8 GBCS bytes", () => {
    const eui = parseEui("90-b3-d5-1f-30-00-00-02");
    assert.deepEqual([...euiToBytes(eui)], [0x90, 0xb3, 0xd5, 0x1f, 0x30, 0x00, 0x00, 0x02]);
    assert.equal(euiFromBytes(euiToBytes(eui)), eui);
    assert.throws(() => euiFromBytes(new Uint8Array(7)), RangeError);
    assert.ok(sameRequestId(parseRequestId(`${eui}:${eui}:5`), parseRequestId(`${eui}:${eui}:5`)));
    assert.ok(!sameRequestId(parseRequestId(`${eui}:${eui}:5`), parseRequestId(`${eui}:${eui}:6`)));
  });
});

describe("DUIS ids: properties", () => {
  const eui = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => euiFromBytes(b));
  it("formats and reads back any RequestID", () => {
    fc.assert(
      fc.property(eui, eui, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (originator, target, counter) => {
        const id = { originator, target, counter };
        assert.deepEqual(parseRequestId(formatRequestId(id)), id);
      }),
    );
  });
});
