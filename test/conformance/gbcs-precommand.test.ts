/**
 * The DCC's side of a critical command, checked against RTDS: each of the 178 pre-commands, given
 * the user's signature, protected with the ACB's MAC, encodes to the RTDS COMMAND byte for byte;
 * and a fresh signature with the RTDS supplier key verifies (critical commands, CV4 → CV5).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { macKey, macParties, protectFrame, signFrame, verifySignature } from "../../src/gbcs/crypto/index.js";
import { fromHex, toHex } from "../../src/gbcs/cursor.js";
import { decodeFrame, encodeFrame } from "../../src/gbcs/frame.js";
import { decodeMessage } from "../../src/gbcs/message.js";
import { KeyStore } from "../../src/smki/keystore.js";
import { reference } from "../support/reference.js";

const root = reference("rtds-4.5.0-gbcs");
const keys = KeyStore.fromDirectory(reference("rtds-keystore"));
const pairs = readdirSync(root)
  .sort()
  .flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.includes("_PRECOMMAND_"))
      .sort()
      .map((f) => ({ dir, pre: f, command: f.replace("_PRECOMMAND_", "_COMMAND_") })),
  );

describe("RTDS pre-commands to commands", () => {
  it("has the 178 pairs", () => {
    assert.equal(pairs.length, 178);
    for (const p of pairs) assert.ok(existsSync(join(root, p.dir, p.command)), p.command);
  });

  for (const { dir, pre, command } of pairs) {
    it(`${dir}/${pre}`, () => {
      const preBytes = fromHex(readFileSync(join(root, dir, pre), "utf8"));
      const commandHex = readFileSync(join(root, dir, command), "utf8")
        .trim()
        .toUpperCase();
      const sent = decodeFrame(fromHex(commandHex));
      const m = decodeMessage(preBytes);
      assert.equal(m.kind, "precommand");
      const z = keys.sharedSecret(...macParties(m.frame));
      assert.ok(z, "ACB and device keys");
      const withSignature = { ...m.frame, signature: sent.signature! };
      const built = protectFrame(withSignature, macKey(withSignature, z));
      assert.equal(toHex(encodeFrame(built)), commandHex);
      const supplierKey = keys.signingPrivateKey(m.frame.originator);
      if (supplierKey !== undefined) {
        const signed = signFrame(m.frame, supplierKey);
        assert.equal(
          verifySignature(decodeFrame(encodeFrame(signed)), keys.signingPublicKey(m.frame.originator)!),
          true,
        );
      }
    });
  }
});
