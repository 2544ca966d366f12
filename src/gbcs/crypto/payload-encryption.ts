/**
 * Encryption of sensitive payload data (GBCS §4.3.3.5, e.g. a device's reply that carries
 * consumption or prepayment data for another party). The key is the KDF with CRA flag 4, between
 * the originator (the device) and the party the data is for: the Supplementary Remote Party when
 * other-information names one, else the recipient; the counter is the Supplementary Originator
 * Counter when present, else the originator counter. AES-128-GCM with the GBCS IV, additional data
 * the single security control byte 0x31, and a 12-byte tag after the ciphertext.
 */
import type { GbcsFrame } from "../frame.js";
import { GCM_TAG_LENGTH, gbcsIv, gcmDecrypt, gcmEncrypt } from "./gcm.js";
import { ENCRYPTION_CRA, type KdfInfo } from "./kdf.js";

/** Default additional data of encrypted payload data: security control 0x31 (encrypted and authenticated). */
export const PAYLOAD_AAD = Uint8Array.of(0x31);

/** The KDF fields for the key that encrypts payload data in `frame`. */
export function payloadKdfInfo(
  frame: Pick<GbcsFrame, "counter" | "originator" | "recipient" | "supplementary">,
): KdfInfo {
  return {
    cra: ENCRYPTION_CRA,
    counter: frame.supplementary?.originatorCounter ?? frame.counter,
    originator: frame.originator,
    recipient: frame.supplementary?.remotePartyId ?? frame.recipient,
  };
}

/** The two parties whose ECDH secret keys the payload encryption of `frame`. */
export function payloadParties(
  frame: Pick<GbcsFrame, "originator" | "recipient" | "supplementary">,
): [string, string] {
  return [frame.originator, frame.supplementary?.remotePartyId ?? frame.recipient];
}

/** Decrypts ciphertext||tag (12-byte tag); undefined when the tag does not match. */
export function decryptPayloadData(
  key: Uint8Array,
  originator: string,
  ciphertextAndTag: Uint8Array,
  aad: Uint8Array = PAYLOAD_AAD,
): Uint8Array | undefined {
  if (ciphertextAndTag.length < GCM_TAG_LENGTH) return undefined;
  const split = ciphertextAndTag.length - GCM_TAG_LENGTH;
  return gcmDecrypt(
    key,
    gbcsIv(originator),
    ciphertextAndTag.subarray(0, split),
    ciphertextAndTag.subarray(split),
    aad,
  );
}

/** Encrypts plaintext to ciphertext||tag (12-byte tag). */
export function encryptPayloadData(
  key: Uint8Array,
  originator: string,
  plaintext: Uint8Array,
  aad: Uint8Array = PAYLOAD_AAD,
): Uint8Array {
  const { ciphertext, tag } = gcmEncrypt(key, gbcsIv(originator), plaintext, aad);
  const out = new Uint8Array(ciphertext.length + tag.length);
  out.set(ciphertext, 0);
  out.set(tag, ciphertext.length);
  return out;
}
