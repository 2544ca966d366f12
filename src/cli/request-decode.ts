/**
 * The Service User's side of a 4.1.1 response: what a supplier does with the GBCSPayload of an I0.
 * It checks the device's MAC (key derived from the supplier's KA private key and the device's KA
 * public key), decrypts the sensitive register payload (KDF with CRA flag 4) and reads the ECS17b
 * import register collection. Used by `meterway request` and by the end-to-end tests.
 */
import { deriveKeyFromSecret } from "../gbcs/crypto/kdf.js";
import type { GbcsKeys } from "../gbcs/crypto/keys.js";
import { macKey, verifyMac } from "../gbcs/crypto/mac.js";
import { decryptPayloadData, payloadKdfInfo } from "../gbcs/crypto/payload-encryption.js";
import { decodeDlmsPayload } from "../gbcs/dlms/index.js";
import { type Ecs17bResponse, readEcs17bResponse } from "../gbcs/dlms/use-cases/ecs17b.js";
import { decodeFrame, type GbcsFrame } from "../gbcs/frame.js";
import type { DecryptResult } from "../gbcs/payload-context.js";

export interface ReadRegistersResult {
  readonly frame: GbcsFrame;
  /** Whether the response's MAC verified with the supplier's key (false: the key is not held, or bad). */
  readonly macValid: boolean;
  readonly response: Ecs17bResponse;
}

/** Decodes an ECS17b response as its recipient, with the recipient's keys. Throws DecodeError. */
export function readImportRegisters(gbcs: Uint8Array, keys: GbcsKeys): ReadRegistersResult {
  const frame = decodeFrame(gbcs);
  const z = keys.sharedSecret(frame.recipient, frame.originator);
  const macValid = z !== undefined && verifyMac(frame, macKey(frame, z));
  const dataKey = z === undefined ? undefined : deriveKeyFromSecret(z, payloadKdfInfo(frame));
  const decrypt = (ciphertextAndTag: Uint8Array, aad?: Uint8Array): DecryptResult => {
    if (dataKey === undefined) return { ok: false, reason: "key unavailable" };
    const plaintext = decryptPayloadData(dataKey, frame.originator, ciphertextAndTag, aad);
    return plaintext === undefined ? { ok: false, reason: "authentication failed" } : { ok: true, plaintext };
  };
  const payload = decodeDlmsPayload(frame.content, { decrypt });
  return { frame, macValid, response: readEcs17bResponse(payload) };
}
