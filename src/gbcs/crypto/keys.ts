/**
 * Key material for the GBCS crypto functions, as node KeyObjects. The gbcs module does not know
 * where keys come from: it asks a `GbcsKeys` port (implemented by src/smki/keystore.ts, or by
 * anything else that holds keys: a simulated device, a test).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

/** The Access Control Broker: the DCC party that MACs every command (GBCS §6.2.3). */
export const ACB_EUI = "90B3D51F30000002";

/** Which key-agreement key pair of a party: the usual one, or the prepayment one used for UTRNs. */
export type KaUsage = "ka" | "pp-ka";

/**
 * What the message checks need from a key store. EUIs are 16 hex digits, either case.
 * Implementations cache: these are called once or twice per message.
 */
export interface GbcsKeys {
  /** The digital-signing (DS) public key of `eui`, or undefined when not known. */
  signingPublicKey(eui: string): KeyObject | undefined;
  /** The digital-signing private key of `eui`, or undefined when not held. */
  signingPrivateKey(eui: string): KeyObject | undefined;
  /**
   * The ECDH shared secret Z between the key-agreement keys of `a` and `b` (GBCS §4.3.3.3), using
   * whichever of the two private keys is held (ECDH is symmetric); `usage` chooses the prepayment
   * key pair of `a`. Undefined when no private key of either, or the other's public key, is known.
   */
  sharedSecret(a: string, b: string, usage?: KaUsage): Uint8Array | undefined;
}

/** A P-256 public KeyObject from the 64-byte X||Y form (no 0x04 prefix) or the 65-byte uncompressed point. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  const xy = raw.length === 65 && raw[0] === 4 ? raw.subarray(1) : raw;
  if (xy.length !== 64) throw new RangeError("a raw P-256 public key is 64 bytes (X||Y)");
  const b = Buffer.from(xy.buffer, xy.byteOffset, xy.byteLength);
  return createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: b.subarray(0, 32).toString("base64url"),
      y: b.subarray(32).toString("base64url"),
    },
    format: "jwk",
  });
}

/**
 * A P-256 private KeyObject from the raw 32-byte scalar. The public point is not needed: node
 * builds the key from a SEC1 ECPrivateKey without it.
 */
export function privateKeyFromRaw(d: Uint8Array): KeyObject {
  if (d.length !== 32) throw new RangeError("a raw P-256 private key is 32 bytes");
  // RFC 5915 ECPrivateKey { version 1, privateKey OCTET STRING, [0] prime256v1 }
  const der = Buffer.concat([
    Buffer.from("30310201010420", "hex"),
    d,
    Buffer.from("a00a06082a8648ce3d030107", "hex"),
  ]);
  return createPrivateKey({ key: der, format: "der", type: "sec1" });
}
