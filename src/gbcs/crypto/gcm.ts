/**
 * AES-128-GCM as GBCS uses it (GBCS §4.3.3.4): the 12-byte IV is the originator system title
 * followed by the invocation counter of the security header, which GBCS fixes at zero:
 *
 *   IV = originator (8) || 00 00 00 00
 *
 * Tags are 12 bytes unless said otherwise. GMAC is GCM over additional data only.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { writeEui } from "./kdf.js";

/** Default GBCS tag length. */
export const GCM_TAG_LENGTH = 12;

/** The GBCS GCM IV for messages from `originator` (16 hex). */
export function gbcsIv(originator: string): Uint8Array {
  const iv = new Uint8Array(12);
  writeEui(iv, 0, originator);
  return iv;
}

export interface GcmResult {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** Encrypts `plaintext` with additional data `aad` (several parts are authenticated in order). */
export function gcmEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array | readonly Uint8Array[],
  tagLength = GCM_TAG_LENGTH,
): GcmResult {
  const cipher = createCipheriv("aes-128-gcm", key, iv, { authTagLength: 16 });
  if (aad instanceof Uint8Array) cipher.setAAD(aad);
  else for (const part of aad) cipher.setAAD(part);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const ciphertext = tail.length === 0 ? body : Buffer.concat([body, tail]);
  const tag = cipher.getAuthTag().subarray(0, tagLength);
  return { ciphertext: new Uint8Array(ciphertext), tag: new Uint8Array(tag) };
}

/**
 * Decrypts and checks the tag (of any length from 4 to 16). Returns undefined when the tag does not
 * match: the caller says why, once, at its boundary.
 */
export function gcmDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array | readonly Uint8Array[],
): Uint8Array | undefined {
  if (tag.length < 4 || tag.length > 16) return undefined;
  try {
    const decipher = createDecipheriv("aes-128-gcm", key, iv, { authTagLength: tag.length });
    if (aad instanceof Uint8Array) decipher.setAAD(aad);
    else for (const part of aad) decipher.setAAD(part);
    decipher.setAuthTag(tag);
    const body = decipher.update(ciphertext);
    const tail = decipher.final();
    return new Uint8Array(tail.length === 0 ? body : Buffer.concat([body, tail]));
  } catch {
    return undefined;
  }
}

/** GMAC: the GCM tag over `aad` only. */
export function gmac(
  key: Uint8Array,
  iv: Uint8Array,
  aad: Uint8Array | readonly Uint8Array[],
  tagLength = GCM_TAG_LENGTH,
): Uint8Array {
  const cipher = createCipheriv("aes-128-gcm", key, iv, { authTagLength: 16 });
  if (aad instanceof Uint8Array) cipher.setAAD(aad);
  else for (const part of aad) cipher.setAAD(part);
  cipher.final();
  return new Uint8Array(cipher.getAuthTag().subarray(0, tagLength));
}

/** Constant-time comparison of two tags of the same length. */
export function tagsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
