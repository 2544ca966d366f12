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
import * as nodeCrypto from "node:crypto";
import { createHash, diffieHellman, type KeyObject } from "node:crypto";
import type { Cra } from "../frame.js";

/** CRA flag value in OtherInfo for keys that encrypt payload data rather than MAC a message. */
export const ENCRYPTION_CRA = 4;
/** The CRA flags the KDF accepts: those of the header, and 4 for payload encryption. */
export type KdfCra = Cra | typeof ENCRYPTION_CRA;

/**
 * SHA-256 of `data`: node's one-shot `crypto.hash` where it exists (Node 20.12 and later), which
 * skips the Hash object of `createHash` (a KDF runs once per message checked), else a Hash object.
 */
const sha256: (data: Uint8Array) => Buffer =
  typeof nodeCrypto.hash === "function"
    ? (data) => nodeCrypto.hash("sha256", data, "buffer")
    : (data) => createHash("sha256").update(data).digest();

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

/** Writes the 33-byte GBCS OtherInfo for `info` into `out` at `at`. */
function writeOtherInfo(out: Uint8Array, at: number, info: KdfInfo): void {
  out.set(ALGORITHM_ID, at);
  writeEui(out, at + 7, info.originator);
  out[at + 15] = 9;
  out[at + 16] = info.cra;
  new DataView(out.buffer, out.byteOffset).setBigUint64(at + 17, info.counter, false);
  writeEui(out, at + 25, info.recipient);
}

/** The 33-byte GBCS OtherInfo for `info`. */
export function kdfOtherInfo(info: KdfInfo): Uint8Array {
  const out = new Uint8Array(33);
  writeOtherInfo(out, 0, info);
  return out;
}

/**
 * The KDF over an OtherInfo whose variable parts are given as bytes: `originator` (8),
 * `transactionId` (09, CRA flag, counter: 10 bytes) and `recipient` (8) — views of a received
 * Grouping Header, which holds them in this form. Same result as `deriveKeyFromSecret`.
 */
export function deriveKeyFromHeaderBytes(
  z: Uint8Array,
  originator: Uint8Array,
  transactionId: Uint8Array,
  recipient: Uint8Array,
): Uint8Array {
  const input = new Uint8Array(4 + z.length + 33);
  input[3] = 1;
  input.set(z, 4);
  const at = 4 + z.length;
  input.set(ALGORITHM_ID, at);
  input.set(originator, at + 7);
  input.set(transactionId, at + 15);
  input.set(recipient, at + 25);
  const digest = sha256(input);
  return new Uint8Array(digest.buffer, digest.byteOffset, 16);
}

/** The 16-byte AES-128 key from a shared secret Z and the message fields (the KDF alone). */
export function deriveKeyFromSecret(z: Uint8Array, info: KdfInfo): Uint8Array {
  // one buffer and one hash call: this runs once per message checked
  const input = new Uint8Array(4 + z.length + 33);
  input.set(KDF_COUNTER, 0);
  input.set(z, 4);
  writeOtherInfo(input, 4 + z.length, info);
  const digest = sha256(input);
  return new Uint8Array(digest.buffer, digest.byteOffset, 16);
}

/**
 * The 16-byte AES-128 key for a message (ECDH then KDF). Either side computes the same key: the
 * sender with its private key and the receiver's public key, or the other way round.
 */
export function deriveKey(args: KdfInfo & { privateKey: KeyObject; publicKey: KeyObject }): Uint8Array {
  return deriveKeyFromSecret(sharedSecret(args.privateKey, args.publicKey), args);
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Writes the 8 bytes of a 16-hex-digit EUI at `at`; throws RangeError for anything else. */
export function writeEui(out: Uint8Array, at: number, eui: string): void {
  if (eui.length !== 16) throw new RangeError(`an EUI is 16 hex digits, got '${eui}'`);
  for (let i = 0; i < 8; i++) {
    const hi = hexDigit(eui.charCodeAt(2 * i));
    const lo = hexDigit(eui.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new RangeError(`an EUI is 16 hex digits, got '${eui}'`);
    out[at + i] = (hi << 4) | lo;
  }
}

/** 8 bytes of a 16-hex-digit EUI; throws RangeError otherwise. */
export function euiBytes(eui: string): Uint8Array {
  const out = new Uint8Array(8);
  writeEui(out, 0, eui);
  return out;
}
