/**
 * Sensitive payloads of the reference set (get_protected_attributes results: ECS17b, ECS19,
 * ECS66): the ciphered block is split, decrypts with the recipient's keys through the frame's
 * decrypter, its plaintext decodes, and the payload still re-encodes to the received bytes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { payloadParties } from "../../../src/gbcs/crypto/index.js";
import { Reader } from "../../../src/gbcs/cursor.js";
import { decodeData, encodeData } from "../../../src/gbcs/dlms/data.js";
import { decodeDlmsPayload, encodeDlmsPayload } from "../../../src/gbcs/dlms/index.js";
import {
  cipheredBlockFromBytes,
  cipheredBlockToBytes,
  GBCS_SECURITY_CONTROL,
  protectedTransactionId,
} from "../../../src/gbcs/dlms/protection.js";
import { hex, keyedContext, rtdsDlmsMessages } from "./rtds.js";

const sensitive = rtdsDlmsMessages().filter(
  (m) => m.frame.content[0] === 0xda && decodeDlmsPayload(m.frame.content).protectedAttributes.length > 0,
);

describe("DLMS protected attributes", () => {
  it("are found in the success responses of the sensitive ESME use cases", () => {
    const useCases = [...new Set(sensitive.map((m) => m.name.split("/")[0]!.split("_")[1]))];
    assert.deepEqual(useCases, [
      "ECS17b",
      "ECS17d",
      "ECS17e",
      "ECS21b",
      "ECS66",
      "ECS19",
      "ECS20b",
      "ECS20c",
      "ECS21a",
      "ECS22b",
    ]);
    assert.equal(sensitive.length, 17);
  });

  for (const { name, frame } of sensitive) {
    it(`${name}: decrypts, decodes, and re-encodes exactly`, () => {
      // Encrypted for the supplementary remote party when the header names one (ECS21b URP), else the recipient.
      const payload = decodeDlmsPayload(frame.content, keyedContext(frame, payloadParties(frame)[1]));
      const [view] = payload.protectedAttributes;
      assert.ok(view);
      const params = view.response.getProtectionParameters[0]!.protectionOptions;
      // The protection options repeat the header: 0x04 || counter, device → remote party.
      assert.equal(hex(params.transactionId), hex(protectedTransactionId(frame.counter)));
      assert.equal(hex(params.originatorSystemTitle), frame.originator);
      assert.equal(hex(params.recipientSystemTitle), frame.recipient);
      assert.equal(view.response.protectedAttributes.securityControl, GBCS_SECURITY_CONTROL);
      assert.ok(view.decrypted?.ok, JSON.stringify(view.decrypted));
      if (!view.decrypted.ok) return;
      assert.equal(hex(encodeData(view.decrypted.data)), hex(view.decrypted.plaintext));
      assert.equal(hex(encodeDlmsPayload(payload)), hex(frame.content));
    });
  }

  it("a ciphered block splits into header, ciphertext and tag and joins back", () => {
    const bytes = Uint8Array.from({ length: 30 }, (_, i) => i);
    bytes[0] = 0x31;
    const block = cipheredBlockFromBytes(bytes);
    assert.equal(block.invocationCounter, 0x01020304);
    assert.equal(block.ciphertext.length, 13);
    assert.equal(block.tag.length, 12);
    assert.equal(hex(cipheredBlockToBytes(block)), hex(bytes));
  });

  it("a ciphered block shorter than its header and tag is not taken for one", () => {
    const { frame } = sensitive[0]!;
    const payload = decodeDlmsPayload(frame.content);
    const d = payload.apdu.apdu === "access-response" ? payload.apdu.accessResponseListOfData[0] : undefined;
    assert.ok(d?.type === "structure");
    const short = {
      ...d,
      elements: [d.elements[0]!, { type: "octet-string" as const, value: new Uint8Array(16) }],
    };
    const r = new Reader(encodeData(short));
    assert.deepEqual(decodeData(r), short);
  });
});
