/**
 * Property tests: ZCL attribute values of every data type, ZCL records, cluster-specific commands
 * of every layout, and whole random GBZ payloads round-trip through encode and decode; and what
 * decodes re-encodes to the same bytes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Reader, toHex, Writer } from "../../../src/gbcs/cursor.js";
import {
  decodeGbzPayload,
  decodeZclValue,
  encodeGbzPayload,
  encodeZclValue,
  fieldsAreValid,
  type GbzPayload,
  isValidGbzPayload,
  isValidZclValue,
  randomFields,
  randomGbzPayload,
  randomZclValue,
  type ZclPayload,
  zclCommands,
  zclDataTypeCodes,
} from "../../../src/gbcs/gbz/index.js";

/** A deterministic source of integers in [0, n) for the codecs' `random`, seeded by fast-check. */
function seeded(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    // xorshift32, two draws for ranges above 2^16 so that wide ranges are covered.
    const next = () => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s;
    };
    return Math.floor(((next() * 0x1_0000_0000 + next()) / 2 ** 64) * n);
  };
}

const seed = fc.integer({ min: 1, max: 0x7fffffff });

describe("GBZ property tests", () => {
  it("every ZCL data type: random values are valid and round-trip", () => {
    fc.assert(
      fc.property(seed, fc.constantFrom(...zclDataTypeCodes), (s, code) => {
        const v = randomZclValue(code, seeded(s));
        assert.ok(isValidZclValue(v), `valid ${code}`);
        const w = new Writer(16);
        encodeZclValue(w, v);
        const bytes = w.finish();
        const r = new Reader(bytes);
        assert.deepEqual(decodeZclValue(r, code), v);
        assert.ok(r.done);
      }),
      { numRuns: 2000 },
    );
  });

  it("isValidZclValue refuses values out of their type's range", () => {
    assert.equal(isValidZclValue({ type: 0x20, value: 256 }), false);
    assert.equal(isValidZclValue({ type: 0x28, value: -129 }), false);
    assert.equal(isValidZclValue({ type: 0x25, value: 2 ** 48 }), false);
    assert.equal(isValidZclValue({ type: 0x27, value: 1 }), false);
    assert.equal(isValidZclValue({ type: 0x41, value: new Uint8Array(255) }), false);
    assert.equal(isValidZclValue({ type: 0x25, value: 2 ** 48 - 1 }), true);
  });

  it("every cluster-specific command layout: random fields are valid", () => {
    fc.assert(
      fc.property(seed, fc.constantFrom(...zclCommands), (s, spec) => {
        const fields = randomFields(spec.fields, seeded(s));
        assert.ok(fieldsAreValid(spec.fields, fields), spec.name);
      }),
      { numRuns: 1000 },
    );
  });

  it("isValidGbzPayload refuses values that would not round-trip", () => {
    const p = randomGbzPayload(seeded(7));
    assert.ok(isValidGbzPayload(p));
    assert.equal(isValidGbzPayload({ ...p, profileId: 0x0104 }), false);
    const header = {
      frameControl: {
        frameType: "global" as const,
        manufacturerSpecific: false,
        direction: "serverToClient" as const,
        disableDefaultResponse: true,
        reserved: 0,
      },
      transactionSequenceNumber: 0,
      commandId: 0x01,
    };
    const component = (payload: ZclPayload): GbzPayload => ({
      family: "gbz",
      kind: "components",
      profileId: 0x0109,
      components: [
        {
          clusterId: 0x0702,
          lastMessage: true,
          reservedControlBits: 0,
          body: { encrypted: false, frame: { header, payload } },
        },
      ],
    });
    assert.ok(
      isValidGbzPayload(
        component({ kind: "readAttributesResponse", records: [{ attributeId: 0, status: 0x86 }] }),
      ),
    );
    // A success record without a value, a value too wide for its type, the wrong command id.
    assert.equal(
      isValidGbzPayload(
        component({ kind: "readAttributesResponse", records: [{ attributeId: 0, status: 0 }] }),
      ),
      false,
    );
    assert.equal(
      isValidGbzPayload(
        component({
          kind: "readAttributesResponse",
          records: [{ attributeId: 0, status: 0, value: { type: 0x20, value: 300 } }],
        }),
      ),
      false,
    );
    assert.equal(isValidGbzPayload(component({ kind: "readAttributes", attributeIds: [1] })), false);
  });

  it("random GBZ payloads round-trip: decode(encode(p)) = p and encode(decode(b)) = b", () => {
    fc.assert(
      fc.property(seed, (s) => {
        const p = randomGbzPayload(seeded(s));
        assert.ok(isValidGbzPayload(p));
        const bytes = encodeGbzPayload(p);
        const decoded = decodeGbzPayload(bytes, {
          messageCode: 0x0074,
          cra: p.kind === "alert" ? 3 : 2,
          useCase: undefined,
          originator: "00DB1234567890A3",
          recipient: "90B3D51F30010000",
          counter: 1n,
        });
        assert.deepEqual(decoded, p);
        assert.equal(toHex(encodeGbzPayload(decoded)), toHex(bytes));
      }),
      { numRuns: 1500 },
    );
  });
});
