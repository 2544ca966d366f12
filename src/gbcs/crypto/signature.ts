/**
 * GBCS message signatures (GBCS §6.2.4, §7.2.7): ECDSA P-256/SHA-256 over the Grouping Header
 * without its General Signing tag, and the payload — i.e. from the byte after DF to the end of the
 * content. The signature field follows as a length byte (0x40) and raw r||s.
 * Critical commands are signed by the originating supplier; some responses and alerts by the device.
 */
import type { KeyObject } from "node:crypto";
import { frameLayout, type GbcsFrame, layoutFrame, withoutReceived } from "../frame.js";
import { ecdsaSign, ecdsaVerify } from "./ecdsa.js";

/** The bytes a frame's signature covers (a view of the received bytes for a decoded frame). */
export function signedData(frame: GbcsFrame): Uint8Array {
  const l = frameLayout(frame);
  return l.bytes.subarray(l.bodyStart + 1, l.contentEnd);
}

/**
 * A copy of `frame` signed with the originator's DS private key. Its MAC, if any, is dropped:
 * signing changes what the MAC covers, so protect the frame again afterwards (`protectFrame`).
 */
export function signFrame(frame: GbcsFrame, dsPrivateKey: KeyObject): GbcsFrame {
  const { mac: _mac, ...unsigned } = withoutReceived(frame);
  const l = layoutFrame({ ...unsigned, signature: new Uint8Array(0) });
  const signature = ecdsaSign(l.bytes.subarray(l.bodyStart + 1, l.contentEnd), dsPrivateKey);
  return { ...unsigned, signature };
}

/** Whether the frame carries a non-empty signature. */
export function isSigned(frame: GbcsFrame): boolean {
  return frame.signature !== undefined && frame.signature.length > 0;
}

/** Verifies the frame's signature with the signer's DS public key; false when unsigned or invalid. */
export function verifySignature(frame: GbcsFrame, dsPublicKey: KeyObject): boolean {
  if (frame.signature === undefined || frame.signature.length === 0) return false;
  return ecdsaVerify(signedData(frame), frame.signature, dsPublicKey);
}
