/**
 * What a payload codec knows about the message around the payload. The frame decoder builds it
 * from the Grouping Header; `decodeMessage` adds `decrypt` when it has keys.
 */
import type { Cra } from "./frame.js";

/** Why encrypted payload data could not be read. */
export type DecryptFailure = "key unavailable" | "authentication failed";

/** The outcome of a `decrypt` call: the plaintext, or why there is none (data, not an exception). */
export type DecryptResult =
  | { readonly ok: true; readonly plaintext: Uint8Array }
  | { readonly ok: false; readonly reason: DecryptFailure };

export interface PayloadContext {
  /** GBCS message code from other-information. */
  readonly messageCode: number;
  /** 1 command, 2 response, 3 alert. */
  readonly cra: Cra;
  /** The GBCS use case of the message code (e.g. 'ECS17b'), when the code is known. */
  readonly useCase: string | undefined;
  /** Originator system title, 16 uppercase hex. */
  readonly originator: string;
  /** Recipient system title, 16 uppercase hex. */
  readonly recipient: string;
  /** Originator counter (transaction id). */
  readonly counter: bigint;
  /**
   * Decrypts payload data that the device encrypted (GBCS §4.3.3.5): pass the ciphertext followed
   * by its 12-byte GCM tag, exactly as it sits in the payload. The key (KDF with CRA flag 4, the
   * supplementary remote party and counter when the header has them), IV (originator system title
   * || 00000000) and additional data (default: the security control byte 0x31) are the frame's
   * business. Absent when the message is decoded without keys: keep the ciphertext as data then.
   * Never throws; a codec keeps the ciphertext bytes in its payload either way, so that encoding
   * gives back the received bytes.
   */
  readonly decrypt?: (ciphertextAndTag: Uint8Array, aad?: Uint8Array) => DecryptResult;
}
