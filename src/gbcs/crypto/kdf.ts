/**
 * GBCS key derivation (GBCS §4.3.3.3–4): an ECDH P-256 shared secret Z between two parties'
 * key-agreement keys, then the NIST SP 800-56A single-step KDF with SHA-256:
 *
 *   key = SHA-256( 00 00 00 01 || Z || OtherInfo )[0..16)
 *   OtherInfo = AlgorithmID 60 85 74 06 08 03 00
 *            || originator system title (8)
 *            || 09 || CRA flag || originator counter (8)     (the transaction-id, as in the header)
 *            || recipient system title (8)
 *
 * The CRA flag is 1/2/3 for the MAC of a command/response/alert, and 4 for keys that encrypt
 * payload data (`ENCRYPTION_CRA`). A new key per message: the counter makes each one unique.
 */
import { createHash, diffieHellman, type KeyObject } from "node:crypto";
import type { Cra } from "../frame.js";

/** CRA flag value in OtherInfo for keys that encrypt payload data rather than MAC a message. */
export const ENCRYPTION_CRA = 4;
/** The CRA flags the KDF accepts: those of the header, and 4 for payload encryption. */
export type KdfCra = Cra | typeof ENCRYPTION_CRA;

/** AlgorithmID of GBCS OtherInfo (an encoded OID prefix naming the AES-GCM-128 suite). */
const ALGORITHM_ID = Uint8Array.of(0x60, 0x85, 0x74, 0x06, 0x08, 0x03, 0x00);
const KDF_COUNTER = Uint8Array.of(0, 0, 0, 1);

/** What a message key is derived for: the header fields that make it unique. */
export interface KdfInfo {
  /** 1 command, 2 response, 3 alert, 4 payload encryption. */
  readonly cra: KdfCra;
  readonly counter: bigint;
  /** Originator system title, 16 hex. */
  readonly originator: string;
  /** Recipient system title, 16 hex. */
  readonly recipient: string;
}

/** ECDH P-256 shared secret Z (32 bytes) between a private and a public key-agreement key. */
export function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

/** The 33-byte GBCS OtherInfo for `info`. */
export function kdfOtherInfo(info: KdfInfo): Uint8Array {
  const out = new Uint8Array(33);
  out.set(ALGORITHM_ID, 0);
  out.set(euiBytes(info.originator), 7);
  out[15] = 9;
  out[16] = info.cra;
  new DataView(out.buffer).setBigUint64(17, info.counter, false);
  out.set(euiBytes(info.recipient), 25);
  return out;
}

/** The 16-byte AES-128 key from a shared secret Z and the message fields (the KDF alone). */
export function deriveKeyFromSecret(z: Uint8Array, info: KdfInfo): Uint8Array {
  const digest = createHash("sha256").update(KDF_COUNTER).update(z).update(kdfOtherInfo(info)).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, 16);
}

/**
 * The 16-byte AES-128 key for a message (ECDH then KDF). Either side computes the same key: the
 * sender with its private key and the receiver's public key, or the other way round.
 */
export function deriveKey(args: KdfInfo & { privateKey: KeyObject; publicKey: KeyObject }): Uint8Array {
  return deriveKeyFromSecret(sharedSecret(args.privateKey, args.publicKey), args);
}

/** 8 bytes of a 16-hex-digit EUI; throws RangeError otherwise. */
export function euiBytes(eui: string): Uint8Array {
  const b = Buffer.from(eui, "hex");
  if (b.length !== 8 || eui.length !== 16) throw new RangeError(`an EUI is 16 hex digits, got '${eui}'`);
  return new Uint8Array(b.buffer, b.byteOffset, 8);
}
