/**
 * Property tests for the GBCS ASN.1 types: a random value of every payload type encodes to DER
 * that decodes to the same value and re-encodes to the same bytes; DER nesting is bounded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type Asn1Payload,
  type Asn1PayloadType,
  asn1PayloadTypes,
  decodeAsn1As,
  encodeAsn1Payload,
} from "../../../src/gbcs/asn1/index.js";
import { fromHex, toHex } from "../../../src/gbcs/cursor.js";
import { DecodeError } from "../../../src/gbcs/errors.js";

/** xorshift32 as the codecs' source of integers in [0, n). */
function seeded(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return (n) => Math.floor(((next() * 0x1_0000_0000 + next()) / 2 ** 64) * n);
}

const types = Object.keys(asn1PayloadTypes) as Asn1PayloadType[];

describe("GBCS ASN.1 property tests", () => {
  it("every payload type: random values round-trip through DER", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7fffffff }), fc.constantFrom(...types), (seed, type) => {
        const value = asn1PayloadTypes[type].random(seeded(seed));
        const p = { family: "asn1", type, value } as Asn1Payload;
        const der = encodeAsn1Payload(p);
        const back = decodeAsn1As(type, der);
        assert.deepEqual(back, p);
        assert.equal(toHex(encodeAsn1Payload(back)), toHex(der));
      }),
      { numRuns: 1500 },
    );
  });

  it("an untyped DER tree nested 40 deep is refused with a DecodeError", () => {
    let nested = "0500";
    for (let i = 0; i < 40; i++) {
      const n = nested.length / 2;
      nested = `30${n < 0x80 ? n.toString(16).padStart(2, "0") : `82${n.toString(16).padStart(4, "0")}`}${nested}`;
    }
    assert.throws(() => decodeAsn1As("Der", fromHex(nested)), DecodeError);
  });
});
