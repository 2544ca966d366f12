/**
 * Hostile input for the GBZ and ASN.1 codecs: every truncation of every RTDS non-DLMS payload,
 * random byte corruption, and lengths or counts larger than the input give a DecodeError and
 * nothing else (or, where a prefix happens to be a complete payload, a value that re-encodes to it).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeAsn1Payload, encodeAsn1Payload } from "../../../src/gbcs/asn1/index.js";
import { fromHex, toHex } from "../../../src/gbcs/cursor.js";
import { DecodeError } from "../../../src/gbcs/errors.js";
import { decodeGbzPayload, encodeGbzPayload } from "../../../src/gbcs/gbz/index.js";
import type { PayloadContext } from "../../../src/gbcs/payload-context.js";
import { contextOf, isDlmsContent, isGbzContent, rtdsMessages } from "../gbz/rtds-support.js";

function roundTrip(content: Uint8Array, ctx: PayloadContext): Uint8Array {
  return isGbzContent(content)
    ? encodeGbzPayload(decodeGbzPayload(content, ctx))
    : encodeAsn1Payload(decodeAsn1Payload(content, ctx));
}

/** Decodes; returns the DecodeError, or undefined when it decoded (and then checks the round trip). */
function attempt(content: Uint8Array, ctx: PayloadContext): DecodeError | undefined {
  try {
    const back = roundTrip(content, ctx);
    assert.equal(toHex(back), toHex(content), "a payload that decodes re-encodes to the same bytes");
    return undefined;
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
}

const samples = rtdsMessages().filter((m) => !isDlmsContent(m.frame.content));

describe("hostile GBZ and ASN.1 input", () => {
  it("every truncation gives a DecodeError or a shorter valid payload", () => {
    let errors = 0;
    for (const m of samples) {
      const content = m.frame.content;
      const ctx = contextOf(m.frame);
      // Long payloads (certificates) are cut at every 13th byte; short ones at every byte.
      const step = content.length > 300 ? 13 : 1;
      for (let n = 0; n < content.length; n += step) {
        if (attempt(content.subarray(0, n), ctx) !== undefined) errors++;
      }
    }
    assert.ok(errors > 10_000, `${errors} truncations refused`);
  });

  it("random corruption gives a DecodeError or a payload that re-encodes to the same bytes", () => {
    const short = samples.filter((m) => m.frame.content.length < 400);
    fc.assert(
      fc.property(
        fc.nat(short.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
        (index, edits) => {
          const m = short[index]!;
          const bytes = m.frame.content.slice();
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          attempt(bytes, contextOf(m.frame));
        },
      ),
      { numRuns: 3000, seed: 20261128 },
    );
  });

  const gbzCommand = { messageCode: 0x0074, cra: 1 as const };
  const gbzResponse = { messageCode: 0x0074, cra: 2 as const };
  const cases: [string, string, Pick<PayloadContext, "messageCode" | "cra">, string][] = [
    ["GBZ component length past the end", "010901010702FFFF000000020301", gbzCommand, "length"],
    ["GBZ component length one past the end", "010901010702000800000002030103", gbzCommand, "length"],
    ["255 GBZ components in 5 bytes", "0109FF010702000500", gbzCommand, "length"],
    [
      "ciphered information length past the component",
      "01090103070200080000180001FFFF3100",
      gbzResponse,
      "length",
    ],
    [
      "ciphered information shorter than its AE MAC",
      "010901030702000C0000180001000531000000000000",
      gbzResponse,
      "length",
    ],
    ["ZCL octet string longer than the payload", "0109010107080009000002010041FE4142", gbzCommand, "length"],
    ["wrong Profile ID", "0104010107020005000000", gbzCommand, "unexpected"],
    ["reserved ZCL frame type", "010901010702000503000000", gbzCommand, "unexpected"],
    ["unknown ZCL data type", "0109010107020008180001020300FF", gbzResponse, "unexpected"],
  ];
  for (const [name, hex, ctx, code] of cases) {
    it(`refuses ${name}`, () => {
      const error = attempt(fromHex(hex), contextOf({ ...fakeFrame, ...ctx }));
      assert.ok(error instanceof DecodeError, "a DecodeError");
      if (code !== "unexpected") assert.equal(error.code, code);
    });
  }

  const asn1: [string, string, number][] = [
    ["an ASN.1 length of 2^32-1", "3084FFFFFFFF180F", 0x007f],
    [
      "an ASN.1 length one past the end",
      "3023180F32303134313233313233333030305A180F32303135303130313030333030305A",
      0x007f,
    ],
    ["indefinite ASN.1 length", "3080180F32303134313233313233333030305A0000", 0x007f],
    ["a non-minimal INTEGER", "020200010000", 0x000d],
    [
      "a GeneralizedTime that is not a date",
      "3022180F32303134313333313233333030305A180F32303135303130313030333030305A",
      0x007f,
    ],
  ];
  for (const [name, hex, messageCode] of asn1) {
    it(`refuses ${name}`, () => {
      const ctx = contextOf({ ...fakeFrame, messageCode, cra: messageCode === 0x000d ? 2 : 1 });
      assert.ok(attempt(fromHex(hex), ctx) instanceof DecodeError);
    });
  }
});

const fakeFrame = {
  messageCode: 0,
  cra: 1 as const,
  originator: "90B3D51F30010000",
  recipient: "00DB1234567890A3",
  counter: 1n,
  dateTime: null,
  content: new Uint8Array(0),
};
