/** Property tests: random valid frames round-trip; MACs and signatures hold exactly over them. */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  computeMac,
  protectFrame,
  signFrame,
  verifyMac,
  verifySignature,
} from "../../src/gbcs/crypto/index.js";
import { toHex } from "../../src/gbcs/cursor.js";
import { decodeFrame, encodeFrame, type GbcsFrame, type SupplementaryInfo } from "../../src/gbcs/frame.js";
import { fromJsonTree, toJsonTree } from "../../src/gbcs/json.js";

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const eui = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => toHex(b));
const supplementary: fc.Arbitrary<SupplementaryInfo | undefined> = fc.oneof(
  fc.constant(undefined),
  eui.map((remotePartyId) => ({ remotePartyId })),
  fc.record({ remotePartyId: eui, remotePartyCounter: u64 }),
  fc.record({
    remotePartyId: eui,
    remotePartyCounter: u64,
    originatorCounter: u64,
  }),
  fc.record({
    remotePartyId: eui,
    remotePartyCounter: u64,
    remotePartyCertificate: fc.uint8Array({ minLength: 9, maxLength: 300 }),
  }),
);

/** Frames the wire format can carry; `mac` only with a signature field, as GBCS requires. */
const arbitraryFrame: fc.Arbitrary<GbcsFrame> = fc
  .record({
    cra: fc.constantFrom(1 as const, 2 as const, 3 as const),
    counter: u64,
    originator: eui,
    recipient: eui,
    dateTime: fc.option(fc.uint8Array({ minLength: 12, maxLength: 12 }), { nil: null }),
    messageCode: fc.integer({ min: 0, max: 0xffff }),
    supplementary,
    content: fc.uint8Array({ maxLength: 700 }),
    signature: fc.oneof(
      fc.constant(undefined),
      fc.constant(new Uint8Array(0)),
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
    ),
    mac: fc.option(fc.uint8Array({ minLength: 12, maxLength: 12 }), { nil: undefined }),
  })
  .map((f) => {
    const out: Record<string, unknown> = { ...f };
    if (f.supplementary === undefined) delete out.supplementary;
    if (f.signature === undefined) delete out.signature;
    if (f.mac === undefined || f.signature === undefined) delete out.mac;
    return out as unknown as GbcsFrame;
  });

function fields(f: GbcsFrame): unknown {
  const { received: _r, ...rest } = f;
  return JSON.parse(JSON.stringify(toJsonTree(rest)));
}

describe("GBCS frame properties", () => {
  it("decode(encode(frame)) is the frame, and encodes to the same bytes", () => {
    fc.assert(
      fc.property(arbitraryFrame, (frame) => {
        const bytes = encodeFrame(frame);
        const back = decodeFrame(bytes);
        assert.deepEqual(fields(back), fields(frame));
        assert.equal(toHex(encodeFrame(back)), toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("a protected frame's MAC verifies after decoding, and fails for any changed content byte", () => {
    fc.assert(
      fc.property(
        arbitraryFrame,
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.nat(),
        (frame, key, at) => {
          const bytes = encodeFrame(protectFrame(frame, key));
          const decoded = decodeFrame(bytes);
          assert.equal(verifyMac(decoded, key), true);
          assert.equal(toHex(computeMac(decoded, key)), toHex(decoded.mac!));
          if (decoded.content.length > 0) {
            const copy = new Uint8Array(bytes);
            const rx = decoded.received!;
            const i = rx.contentEnd - decoded.content.length + (at % decoded.content.length);
            copy[i] = copy[i]! ^ 0x01;
            assert.equal(verifyMac(decodeFrame(copy), key), false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a signed frame verifies with its key only, over the decoded bytes", () => {
    const a = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const b = generateKeyPairSync("ec", { namedCurve: "P-256" });
    fc.assert(
      fc.property(arbitraryFrame, (frame) => {
        const signed = decodeFrame(encodeFrame(signFrame(frame, a.privateKey)));
        assert.equal(verifySignature(signed, a.publicKey), true);
        assert.equal(verifySignature(signed, b.publicKey), false);
      }),
      { numRuns: 40 },
    );
  });

  it("the JSON form of any value tree comes back exactly", () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt(),
      fc.uint8Array({ maxLength: 20 }),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("node"), { maxKeys: 4, noNullPrototype: true }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        const types = {};
        const json = JSON.parse(JSON.stringify(toJsonTree(value, types)));
        assert.deepEqual(fromJsonTree(json, types), value);
      }),
      { numRuns: 300 },
    );
  });
});
