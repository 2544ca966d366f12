/**
 * RTDS 4.5.0 GBCS conformance: one test per reference message (1275). Each decodes without error,
 * is of the kind its file name says, re-encodes byte for byte (frame, payload and the JSON form of
 * `meterway gbcs`), has every signature verify with the originator's key, every MAC verify or say
 * `key unavailable` when the RTDS key store lacks the private keys, and every encrypted block
 * decrypt. The totals are checked at the end, and the opaque payloads counted and reported.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { encodeFrame } from "../../src/gbcs/frame.js";
import { encodeJsonMessage, messageToJson } from "../../src/gbcs/json.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { DECODED_FAMILIES, encodePayload } from "../../src/gbcs/payload.js";
import type { DecryptResult } from "../../src/gbcs/payload-context.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const root = reference("rtds-4.5.0-gbcs");
const files = readdirSync(root)
  .sort()
  .flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith(".HEX"))
      .sort()
      .map((f) => ({ dir, file: f })),
  );
const keys = KeyStore.fromDirectory(reference("rtds-keystore"));

const totals = {
  messages: 0,
  signatures: 0,
  signaturesValid: 0,
  macs: 0,
  macsValid: 0,
  macsKeyUnavailable: 0,
  decryptions: 0,
  decryptionsOk: 0,
  opaque: new Map<string, number>(),
};

function fileKind(name: string): string | undefined {
  for (const k of ["PRECOMMAND", "COMMAND", "RESPONSE", "ALERT"]) {
    if (name.includes(`_${k}_`) || name.includes(`_${k}.`)) return k.toLowerCase();
  }
  return undefined;
}

describe("RTDS 4.5.0 GBCS messages", () => {
  it("has the 1275 reference messages", () => assert.equal(files.length, 1275));

  for (const { dir, file } of files) {
    it(`${dir}/${file}`, () => {
      const hex = readFileSync(join(root, dir, file), "utf8")
        .trim()
        .toUpperCase();
      const bytes = fromHex(hex);
      const decrypts: DecryptResult[] = [];
      const m = decodeMessage(bytes, { keys, onDecrypt: (r) => decrypts.push(r) });
      totals.messages++;

      assert.equal(m.kind, fileKind(file), "kind");
      assert.equal(toHex(encodeFrame(m.frame)), hex, "frame re-encodes");
      assert.equal(toHex(encodePayload(m.payload)), toHex(m.frame.content), "payload re-encodes");
      const json = JSON.parse(JSON.stringify(messageToJson(m)));
      assert.equal(toHex(encodeJsonMessage(json)), hex, "JSON form re-encodes");

      if (m.signature.present) {
        totals.signatures++;
        assert.equal(m.signature.valid, true, `signature: ${m.signature.reason}`);
        totals.signaturesValid++;
      }
      if (m.mac.present) {
        totals.macs++;
        if (m.mac.valid === null) {
          assert.equal(m.mac.reason, "key unavailable");
          totals.macsKeyUnavailable++;
        } else {
          assert.equal(m.mac.valid, true, `MAC: ${m.mac.reason}`);
          totals.macsValid++;
        }
      }
      for (const d of decrypts) {
        totals.decryptions++;
        assert.equal(d.ok, true, `decryption: ${d.ok ? "" : d.reason}`);
        totals.decryptionsOk++;
      }
      if (m.payload.family === "opaque") {
        const reason = m.payload.reason;
        totals.opaque.set(reason, (totals.opaque.get(reason) ?? 0) + 1);
        assert.ok(
          !DECODED_FAMILIES.some((f) => reason === `no ${f} codec`),
          "opaque for a family with a codec",
        );
      }
    });
  }

  it("totals: 472 signatures and at least 811 MACs verify; the other MACs lack keys", (t) => {
    const opaque = [...totals.opaque].map(([r, n]) => `${n} ${r}`).join(", ") || "none";
    t.diagnostic(
      `messages ${totals.messages}; signatures ${totals.signaturesValid}/${totals.signatures}; ` +
        `MACs ${totals.macsValid} verified, ${totals.macsKeyUnavailable} key unavailable, of ${totals.macs}; ` +
        `decryptions ${totals.decryptionsOk}/${totals.decryptions}; opaque payloads: ${opaque}`,
    );
    assert.equal(totals.messages, 1275, "every message decoded");
    assert.equal(totals.signaturesValid, 472);
    assert.ok(totals.macsValid >= 811, `${totals.macsValid} MACs verified`);
    assert.equal(totals.macsValid + totals.macsKeyUnavailable, totals.macs);
    assert.ok(totals.decryptionsOk > 0, "some responses carry encrypted data and decrypt");
    // RTDS holds no genuinely opaque format (such as a firmware image): every payload is decoded
    assert.equal(
      [...totals.opaque.values()].reduce((a, b) => a + b, 0),
      0,
      `opaque payloads: ${opaque}`,
    );
  });
});
