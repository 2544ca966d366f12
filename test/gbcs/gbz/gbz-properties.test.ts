/**
 * Property tests: ZCL attribute values of every data type, ZCL records, cluster-specific commands
 * of every layout, and whole random GBZ payloads round-trip through encode and decode; and what
 * decodes re-encodes to the same bytes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Reader, toHex } from "../../../src/gbcs/cursor.js";
import {
  decodeGbzPayload,
  decodeZclValue,
  encodeGbzPayload,
  encodeZclValue,
  fieldsAreValid,
  type GbzComponent,
  type GbzPayload,
  isValidZclValue,
  randomFields,
  randomZclValue,
  SafeWriter,
  type ZclFrame,
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

const zclPayload = (rnd: (n: number) => number): { frame: ZclFrame; clusterId: number } => {
  const choice = rnd(6);
  const header = (
    frameType: "global" | "clusterSpecific",
    direction: "clientToServer" | "serverToClient",
    commandId: number,
  ) => ({
    frameControl: {
      frameType,
      manufacturerSpecific: false,
      direction,
      disableDefaultResponse: rnd(2) === 1,
      reserved: 0,
    },
    transactionSequenceNumber: rnd(256),
    commandId,
  });
  const value = () => randomZclValue(zclDataTypeCodes[rnd(zclDataTypeCodes.length)]!, rnd);
  const count = rnd(5);
  let payload: ZclPayload;
  let h: ZclFrame["header"];
  let clusterId = [0x0702, 0x0700, 0x0705, 0x0707][rnd(4)]!;
  switch (choice) {
    case 0:
      h = header("global", "clientToServer", 0x00);
      payload = { kind: "readAttributes", attributeIds: Array.from({ length: count }, () => rnd(0x10000)) };
      break;
    case 1:
      h = header("global", "serverToClient", 0x01);
      payload = {
        kind: "readAttributesResponse",
        records: Array.from({ length: count }, () =>
          rnd(4) === 0
            ? { attributeId: rnd(0x10000), status: 0x86 }
            : { attributeId: rnd(0x10000), status: 0, value: value() },
        ),
      };
      break;
    case 2:
      h = header("global", "clientToServer", 0x02);
      payload = {
        kind: "writeAttributes",
        records: Array.from({ length: count }, () => ({ attributeId: rnd(0x10000), value: value() })),
      };
      break;
    case 3:
      h = header("global", "serverToClient", 0x04);
      payload = {
        kind: "writeAttributesResponse",
        records:
          count === 0
            ? [{ status: 0 }]
            : Array.from({ length: count }, () => ({ status: 0x87, attributeId: rnd(0x10000) })),
      };
      break;
    case 4:
      h = header("global", "serverToClient", 0x0b);
      payload = { kind: "defaultResponse", commandId: rnd(256), status: rnd(256) };
      break;
    default: {
      const spec = zclCommands[rnd(zclCommands.length)]!;
      clusterId = spec.cluster;
      h = header("clusterSpecific", spec.direction, spec.id);
      payload = { kind: "command", name: spec.name, fields: randomFields(spec.fields, rnd) };
    }
  }
  return { frame: { header: h, payload }, clusterId };
};

function randomComponent(rnd: (n: number) => number, last: boolean): GbzComponent {
  const { frame, clusterId } = zclPayload(rnd);
  if (rnd(4) === 0) {
    return {
      clusterId,
      lastMessage: last,
      reservedControlBits: 0,
      body: {
        encrypted: true,
        additionalHeaderControl: 0,
        additionalHeaderFrameCounter: rnd(256),
        header: frame.header,
        ciphered: {
          securityControl: 0x31,
          invocationCounter: 0,
          ciphertext: Uint8Array.from({ length: rnd(40) }, () => rnd(256)),
          aeMac: Uint8Array.from({ length: 12 }, () => rnd(256)),
        },
      },
    };
  }
  const from = rnd(3) === 0 ? { fromDateTime: rnd(0x1_0000_0000) } : {};
  return { clusterId, lastMessage: last, reservedControlBits: 0, ...from, body: { encrypted: false, frame } };
}

function randomGbz(rnd: (n: number) => number): GbzPayload {
  const n = rnd(5);
  const components = Array.from({ length: n }, (_, i) => randomComponent(rnd, i === n - 1));
  return rnd(3) === 0
    ? {
        family: "gbz",
        kind: "alert",
        profileId: 0x0109,
        alert: { alertCode: 0x8000 + rnd(0x1000), timestamp: rnd(0x1_0000_0000) },
        components,
      }
    : { family: "gbz", kind: "components", profileId: 0x0109, components };
}

describe("GBZ property tests", () => {
  it("every ZCL data type: random values are valid and round-trip", () => {
    fc.assert(
      fc.property(seed, fc.constantFrom(...zclDataTypeCodes), (s, code) => {
        const v = randomZclValue(code, seeded(s));
        assert.ok(isValidZclValue(v), `valid ${code}`);
        const w = new SafeWriter(16);
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

  it("random GBZ payloads round-trip: decode(encode(p)) = p and encode(decode(b)) = b", () => {
    fc.assert(
      fc.property(seed, (s) => {
        const p = randomGbz(seeded(s));
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
