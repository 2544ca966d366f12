/**
 * Hostile input: truncations, oversized lengths and counts, deep nesting and random mutations of
 * real payloads fail with a DecodeError and nothing else; whatever is accepted re-encodes to the
 * bytes it came from.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { fromHex, Reader } from "../../../src/gbcs/cursor.js";
import { decodeData, encodeData } from "../../../src/gbcs/dlms/data.js";
import { decodeDlmsPayload, encodeDlmsPayload } from "../../../src/gbcs/dlms/index.js";
import { DecodeError } from "../../../src/gbcs/errors.js";
import { hex, rtdsDlmsMessages } from "./rtds.js";

const messages = rtdsDlmsMessages();
/** Every 10th DLMS message of the reference set, plus the ECS17b ones. */
const sample = messages.filter((m, i) => i % 10 === 0 || m.name.includes("ECS17b"));

/** Decodes; returns the DecodeError, or re-checks exactness and returns undefined. */
function attempt(content: Uint8Array): DecodeError | undefined {
  try {
    const payload = decodeDlmsPayload(content);
    assert.equal(hex(encodeDlmsPayload(payload)), hex(content), "an accepted payload must re-encode exactly");
    return undefined;
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

function decodeDataHex(h: string) {
  const r = new Reader(fromHex(h));
  const d = decodeData(r);
  r.end();
  return d;
}

function rejects(h: string, code: string) {
  assert.throws(
    () => decodeDataHex(h),
    (e: unknown) => e instanceof DecodeError && e.code === code,
  );
}

describe("DLMS hostile input", () => {
  it(`every proper prefix of ${sample.length} RTDS payloads is a DecodeError`, () => {
    for (const { name, frame } of sample) {
      for (let n = 0; n < frame.content.length; n++) {
        const error = attempt(frame.content.subarray(0, n));
        assert.ok(error, `${name}: prefix of ${n} bytes accepted`);
      }
    }
  });

  it("a byte after a complete APDU is a trailing error", () => {
    const { frame } = sample[0]!;
    const longer = new Uint8Array([...frame.content, 0]);
    assert.equal(attempt(longer)?.code, "trailing");
  });

  it("random mutations of RTDS payloads decode exactly or fail with a DecodeError", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...sample),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (m, edits) => {
          const bytes = m.frame.content.slice();
          for (const [at, v] of edits) bytes[at % bytes.length] = v;
          attempt(bytes);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("random bytes after an APDU tag decode exactly or fail with a DecodeError", () => {
    fc.assert(
      fc.property(fc.constantFrom(0xd9, 0xda, 0x0f), fc.uint8Array({ maxLength: 60 }), (tag, rest) => {
        attempt(new Uint8Array([tag, ...rest]));
      }),
      { numRuns: 2000 },
    );
  });

  it("lengths and counts above what is left are refused before allocating", () => {
    rejects("0984FFFFFFFF", "length"); // octet-string of 4 GiB
    rejects("0A8180", "length"); // visible-string of 128 bytes, none there
    rejects("0183FFFFFF", "length"); // array of 16M elements
    rejects("0281FF00", "length"); // structure of 255 elements, 1 byte left
  });

  it("a declared length at the limit decodes, one past it is refused", () => {
    assert.deepEqual(decodeDataHex("0903010203"), { type: "octet-string", value: Uint8Array.of(1, 2, 3) });
    rejects("0904010203", "length");
    assert.deepEqual(decodeDataHex("010200FF"), {
      type: "array",
      elements: [{ type: "null-data" }, { type: "dont-care" }],
    });
    rejects("010300FF", "length");
  });

  it("lengths not in their shortest form are refused (they would not re-encode exactly)", () => {
    rejects("09810100", "unexpected");
    rejects("0982000100", "unexpected");
    rejects("0985000000000100", "unexpected");
  });

  it("nesting deeper than the limit is refused, not a stack overflow", () => {
    rejects(`${"0101".repeat(200)}00`, "length");
    rejects(`${"0201".repeat(100_000)}00`, "length");
  });

  it("unknown tags and zero-size compact-array elements are refused", () => {
    rejects("07", "unexpected");
    rejects("1300020000", "unexpected"); // compact-array of null-data
    rejects("130200", "unexpected"); // structure description of nothing
    rejects("1313", "unexpected"); // compact-array description inside a compact-array
  });

  it("a compact-array whose contents do not divide into elements is refused", () => {
    assert.deepEqual(decodeDataHex("1312080001000200030004"), {
      type: "compact-array",
      contentsDescription: { type: "long-unsigned" },
      elements: [1, 2, 3, 4].map((value) => ({ type: "long-unsigned", value })),
    });
    rejects("131203000100", "truncated");
  });

  it("an ill-formed utf8-string is refused; a NaN is kept only if it re-encodes bit for bit", () => {
    rejects("0C02C328", "unexpected");
    assert.deepEqual(decodeDataHex("177FC00000"), { type: "float32", value: Number.NaN });
    for (const h of ["177FC00001", "18FFF0000000000001"]) {
      try {
        assert.equal(hex(encodeData(decodeDataHex(h))), h);
      } catch (error) {
        assert.ok(error instanceof DecodeError && error.code === "unexpected");
      }
    }
  });

  it("the failure says where: offset and path", () => {
    const { frame } = messages.find((m) => m.name.includes("ECS17b_4.1.1_SINGLE_SUCCESS_RESPONSE"))!;
    const error = attempt(frame.content.subarray(0, 60));
    assert.ok(error);
    assert.equal(error.code, "truncated");
    assert.match(error.path, /^dlms\.accessResponseListOfData\[0\]\.structure\[0\]/);
    assert.ok(error.offset > 0 && error.offset <= 60);
  });
});
