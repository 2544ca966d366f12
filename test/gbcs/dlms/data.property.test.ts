import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Reader } from "../../../src/gbcs/cursor.js";
import { decodeApdu, encodeApdu } from "../../../src/gbcs/dlms/apdu.js";
import { type DlmsData, decodeData, encodeData } from "../../../src/gbcs/dlms/data.js";
import { apdu, compactArray, dlmsData, simpleData } from "./arbitraries.js";

function roundTrip(d: DlmsData): DlmsData {
  const r = new Reader(encodeData(d));
  const out = decodeData(r);
  r.end();
  return out;
}

/** Float -0 and +0 are distinct values that deepStrictEqual tells apart, so compare via Object.is. */
describe("DLMS data round-trips (property)", () => {
  for (const [type, arbitrary] of Object.entries(simpleData)) {
    it(`${type}: decode(encode(v)) equals v`, () => {
      fc.assert(
        fc.property(arbitrary, (d) => {
          assert.deepStrictEqual(roundTrip(d), d);
        }),
        { numRuns: 200 },
      );
    });
  }

  it("compact-array: elements survive through their type description", () => {
    fc.assert(
      fc.property(compactArray, (d) => {
        assert.deepStrictEqual(roundTrip(d), d);
      }),
      { numRuns: 200 },
    );
  });

  it("random data trees: decode(encode(v)) equals v, encode(decode(b)) equals b", () => {
    fc.assert(
      fc.property(dlmsData, (d) => {
        const b = encodeData(d);
        const back = roundTrip(d);
        assert.deepStrictEqual(back, d);
        assert.deepStrictEqual(encodeData(back), b);
      }),
      { numRuns: 300 },
    );
  });

  it("random APDUs round-trip", () => {
    fc.assert(
      fc.property(apdu, (a) => {
        assert.deepStrictEqual(decodeApdu(new Reader(encodeApdu(a))), a);
      }),
      { numRuns: 200 },
    );
  });
});
