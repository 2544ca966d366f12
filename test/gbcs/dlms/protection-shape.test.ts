/**
 * isGetProtectedAttributesResponse checks the shape without throwing; it must accept exactly what
 * getProtectedAttributesResponseFromData accepts: a valid result, every one-node change of it
 * (a node of another type, an element removed or added, a short ciphered block), and random trees.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DlmsData } from "../../../src/gbcs/dlms/data.js";
import {
  gbcsProtectionParameters,
  getProtectedAttributesResponseFromData,
  getProtectedAttributesResponseToData,
  isGetProtectedAttributesResponse,
} from "../../../src/gbcs/dlms/protection.js";
import { dlmsData } from "./arbitraries.js";

function decodes(d: DlmsData): boolean {
  try {
    getProtectedAttributesResponseFromData(d);
    return true;
  } catch {
    return false;
  }
}

const params = gbcsProtectionParameters(5n, new Uint8Array(8).fill(1), new Uint8Array(8).fill(2));
const valid = getProtectedAttributesResponseToData({
  getProtectionParameters: [params, params],
  protectedAttributes: {
    securityControl: 0x31,
    invocationCounter: 0,
    ciphertext: Uint8Array.of(1, 2, 3),
    tag: new Uint8Array(12),
  },
});

const replacements: DlmsData[] = [
  { type: "null-data" },
  { type: "enum", value: 2 },
  { type: "unsigned", value: 2 },
  { type: "octet-string", value: new Uint8Array(17) },
  { type: "octet-string", value: new Uint8Array(16) },
  { type: "array", elements: [] },
  { type: "structure", elements: [] },
  { type: "structure", elements: [{ type: "null-data" }, { type: "null-data" }] },
];

/** Every tree that differs from `d` in one node: replaced, or (in a container) removed or added. */
function* variants(d: DlmsData): Generator<DlmsData> {
  for (const r of replacements) yield r;
  if (d.type !== "array" && d.type !== "structure") return;
  const { elements } = d;
  yield { ...d, elements: [...elements, { type: "null-data" }] };
  for (let i = 0; i < elements.length; i++) {
    yield { ...d, elements: elements.filter((_, j) => j !== i) };
    for (const v of variants(elements[i]!))
      yield { ...d, elements: elements.map((e, j) => (j === i ? v : e)) };
  }
}

describe("isGetProtectedAttributesResponse", () => {
  it("accepts a valid result", () => {
    assert.equal(isGetProtectedAttributesResponse(valid), true);
    assert.equal(decodes(valid), true);
  });

  it("agrees with the decoder on every one-node change of a valid result", () => {
    let accepted = 0;
    let count = 0;
    for (const v of variants(valid)) {
      count++;
      const ok = decodes(v);
      if (ok) accepted++;
      assert.equal(
        isGetProtectedAttributesResponse(v),
        ok,
        JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}` : x)),
      );
    }
    assert.ok(count > 200 && accepted > 0 && accepted < count);
  });

  it("agrees with the decoder on random data trees", () => {
    fc.assert(
      fc.property(dlmsData, (d) => isGetProtectedAttributesResponse(d) === decodes(d)),
      { numRuns: 500 },
    );
  });
});
