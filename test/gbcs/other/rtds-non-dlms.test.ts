/**
 * Every RTDS 4.5.0 message whose payload is not DLMS decodes with the GBZ or ASN.1 codec, and
 * re-encodes to the same bytes. Prints how many decode per family and per message code.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asn1PayloadTypeFor, decodeAsn1Payload, encodeAsn1Payload } from "../../../src/gbcs/asn1/index.js";
import { toHex } from "../../../src/gbcs/cursor.js";
import { decodeGbzPayload, encodeGbzPayload, isValidGbzPayload } from "../../../src/gbcs/gbz/index.js";
import { contextOf, isDlmsContent, isGbzContent, rtdsMessages } from "../gbz/rtds-support.js";

describe("RTDS non-DLMS payloads", () => {
  it("decode and re-encode byte for byte, GBZ and ASN.1", () => {
    const counts: Record<string, number> = { gbz: 0, asn1: 0 };
    const codes = new Map<string, number>();
    const failures: string[] = [];
    let total = 0;
    for (const m of rtdsMessages()) {
      const content = m.frame.content;
      if (isDlmsContent(content)) continue;
      total++;
      const family = isGbzContent(content) ? "gbz" : "asn1";
      try {
        const ctx = contextOf(m.frame);
        let back: Uint8Array;
        if (family === "gbz") {
          const p = decodeGbzPayload(content, ctx);
          if (!isValidGbzPayload(p)) failures.push(`${m.file}: decoded value not valid`);
          back = encodeGbzPayload(p);
        } else {
          back = encodeAsn1Payload(decodeAsn1Payload(content, ctx));
        }
        if (toHex(back) !== toHex(content)) {
          failures.push(`${m.file}: re-encoded\n  ${toHex(back)}\n  ${toHex(content)}`);
          continue;
        }
        counts[family]!++;
        const key = `${family} 0x${m.frame.messageCode.toString(16).padStart(4, "0")} cra${m.frame.cra}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
      } catch (error) {
        failures.push(`${m.file}: ${(error as Error).message}`);
      }
    }
    console.log(
      `non-DLMS payloads: ${total}; decoded and re-encoded: gbz ${counts.gbz}, asn1 ${counts.asn1}`,
    );
    console.log(`message codes x CRA: ${codes.size}`);
    assert.deepEqual(failures, []);
    assert.equal(counts.gbz! + counts.asn1!, total);
    // The RTDS set has 354 GBZ and 178 ASN.1 payloads; a drop means messages were skipped.
    assert.equal(counts.gbz, 354);
    assert.equal(counts.asn1, 178);
  });

  it("the ASN.1 message-code table knows every ASN.1 payload's type", () => {
    for (const m of rtdsMessages()) {
      const c = m.frame.content;
      if (isDlmsContent(c) || isGbzContent(c)) continue;
      assert.notEqual(asn1PayloadTypeFor(m.frame.messageCode, m.frame.cra), undefined, m.file);
    }
  });
});
