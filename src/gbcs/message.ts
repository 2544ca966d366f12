/**
 * A GBCS message decoded whole: the frame, what kind of message it is, its use case, its payload,
 * and the outcome of the signature and MAC checks. The checks need keys (a `GbcsKeys`, e.g. the
 * smki KeyStore); without keys they report `valid: null`. A failed check is data, with a reason;
 * only malformed bytes throw (a DecodeError).
 */
import type { X509Certificate } from "node:crypto";
import { deriveKeyFromSecret } from "./crypto/kdf.js";
import type { GbcsKeys } from "./crypto/keys.js";
import { macKey, macParties, verifyMac } from "./crypto/mac.js";
import { decryptPayloadData, payloadKdfInfo, payloadParties } from "./crypto/payload-encryption.js";
import { verifySignature } from "./crypto/signature.js";
import { decodeFrame, type GbcsFrame } from "./frame.js";
import { type MessageCodeInfo, messageCodeInfo } from "./message-codes.js";
import { decodePayload, type GbcsPayload } from "./payload.js";
import type { DecryptResult, PayloadContext } from "./payload-context.js";

/**
 * - command: a command as sent to a device (MAC-protected, or signed by its originator);
 * - precommand: an unsigned command without MAC Header and without signature field, as the DCC
 *   returns it to a user for signing (DUIS command variant 4);
 * - response, alert: from the CRA flag.
 */
export type MessageKind = "command" | "precommand" | "response" | "alert";

/** Why a check did not verify (said once, here, at the boundary). */
export type CheckReason =
  | "absent"
  | "not checked"
  | "key unavailable"
  | "does not verify"
  | "certificate expired"
  | "certificate not yet valid";

/** Outcome of a signature or MAC check. */
export interface CheckResult {
  /** Whether the message carries it (a non-empty signature; a MAC Header). */
  readonly present: boolean;
  /** true verified, false failed, null not checked (absent, no keys, or a key unavailable). */
  readonly valid: boolean | null;
  /** Why, when not verified; null when verified. */
  readonly reason: CheckReason | null;
}

export interface DecodedMessage {
  readonly frame: GbcsFrame;
  readonly kind: MessageKind;
  readonly useCase: string | undefined;
  /** The message-code table row, when the code is known. */
  readonly info: MessageCodeInfo | undefined;
  readonly payload: GbcsPayload;
  readonly signature: CheckResult;
  readonly mac: CheckResult;
}

/** Keys for the checks; `signingCertificate` lets `now` check the signer's certificate validity. */
export type MessageKeys = GbcsKeys & { signingCertificate?(eui: string): X509Certificate | undefined };

export interface DecodeMessageOptions {
  /** Check signatures and MACs and decrypt sensitive payload data with these keys. */
  readonly keys?: MessageKeys;
  /** With keys that give certificates: the instant at which the signer's certificate must be valid. */
  readonly now?: Date;
  /** Told the outcome of every decryption a codec asks for (for audit, metrics and tests). */
  readonly onDecrypt?: (result: DecryptResult) => void;
}

/** The kind of a decoded frame (see MessageKind). */
export function messageKind(frame: GbcsFrame): MessageKind {
  if (frame.cra === 2) return "response";
  if (frame.cra === 3) return "alert";
  return frame.mac === undefined && frame.signature === undefined ? "precommand" : "command";
}

const ABSENT: CheckResult = { present: false, valid: null, reason: "absent" };
const NOT_CHECKED: CheckResult = { present: true, valid: null, reason: "not checked" };
const UNAVAILABLE: CheckResult = { present: true, valid: null, reason: "key unavailable" };
const VALID: CheckResult = { present: true, valid: true, reason: null };
const INVALID: CheckResult = { present: true, valid: false, reason: "does not verify" };

/** Checks the originator's signature (the supplier on a critical command, the device otherwise). */
export function checkSignature(frame: GbcsFrame, keys: MessageKeys | undefined, now?: Date): CheckResult {
  if (frame.signature === undefined || frame.signature.length === 0) return ABSENT;
  if (keys === undefined) return NOT_CHECKED;
  const key = keys.signingPublicKey(frame.originator);
  if (key === undefined) return UNAVAILABLE;
  if (!verifySignature(frame, key)) return INVALID;
  if (now !== undefined && keys.signingCertificate !== undefined) {
    const cert = keys.signingCertificate(frame.originator);
    if (cert !== undefined) {
      const t = now.getTime();
      if (t > Date.parse(cert.validTo)) return { present: true, valid: false, reason: "certificate expired" };
      if (t < Date.parse(cert.validFrom))
        return { present: true, valid: false, reason: "certificate not yet valid" };
    }
  }
  return VALID;
}

/** Checks the MAC (see crypto/mac.ts for which key pair). */
export function checkMac(
  frame: GbcsFrame,
  keys: GbcsKeys | undefined,
  deviceOriginated = false,
): CheckResult {
  if (frame.mac === undefined) return ABSENT;
  if (keys === undefined) return NOT_CHECKED;
  const [a, b] = macParties(frame, deviceOriginated);
  const z = keys.sharedSecret(a, b);
  if (z === undefined) return UNAVAILABLE;
  return verifyMac(frame, macKey(frame, z)) ? VALID : INVALID;
}

/** What a payload decrypter keeps: the message key, derived on first use (null when unavailable). */
interface DecrypterState {
  readonly frame: GbcsFrame;
  readonly keys: GbcsKeys;
  key: Uint8Array | null | undefined;
}

function decryptWith(state: DecrypterState, ciphertextAndTag: Uint8Array, aad?: Uint8Array): DecryptResult {
  if (state.key === undefined) {
    const [a, b] = payloadParties(state.frame);
    const z = state.keys.sharedSecret(a, b);
    state.key = z === undefined ? null : deriveKeyFromSecret(z, payloadKdfInfo(state.frame));
  }
  if (state.key === null) return { ok: false, reason: "key unavailable" };
  const plaintext = decryptPayloadData(state.key, state.frame.originator, ciphertextAndTag, aad);
  return plaintext === undefined ? { ok: false, reason: "authentication failed" } : { ok: true, plaintext };
}

/** The payload decrypter for `frame` with `keys` (see PayloadContext.decrypt). */
export function payloadDecrypter(
  frame: GbcsFrame,
  keys: GbcsKeys,
  onDecrypt?: (result: DecryptResult) => void,
): (ciphertextAndTag: Uint8Array, aad?: Uint8Array) => DecryptResult {
  // made for every message checked: state in an object, the functions unnamed and small
  const state: DecrypterState = { frame, keys, key: undefined };
  if (onDecrypt === undefined) return (ciphertextAndTag, aad) => decryptWith(state, ciphertextAndTag, aad);
  return (ciphertextAndTag, aad) => {
    const result = decryptWith(state, ciphertextAndTag, aad);
    onDecrypt(result);
    return result;
  };
}

/** The payload context of a frame. */
export function payloadContext(
  frame: GbcsFrame,
  useCase: string | undefined,
  keys?: GbcsKeys,
  onDecrypt?: (result: DecryptResult) => void,
): PayloadContext {
  // one literal per shape, no spread: this runs for every message
  if (keys === undefined) {
    return {
      messageCode: frame.messageCode,
      cra: frame.cra,
      useCase,
      originator: frame.originator,
      recipient: frame.recipient,
      counter: frame.counter,
    };
  }
  return {
    messageCode: frame.messageCode,
    cra: frame.cra,
    useCase,
    originator: frame.originator,
    recipient: frame.recipient,
    counter: frame.counter,
    decrypt: payloadDecrypter(frame, keys, onDecrypt),
  };
}

/** Decodes a message and, with keys, checks it. Throws only DecodeError. */
export function decodeMessage(bytes: Uint8Array, options: DecodeMessageOptions = {}): DecodedMessage {
  const frame = decodeFrame(bytes);
  const info = messageCodeInfo(frame.messageCode);
  const useCase = info?.useCase;
  const { keys } = options;
  const payload = decodePayload(frame.content, payloadContext(frame, useCase, keys, options.onDecrypt));
  return {
    frame,
    kind: messageKind(frame),
    useCase,
    info,
    payload,
    signature: checkSignature(frame, keys, options.now),
    mac: checkMac(frame, keys, info?.deviceOriginated === true),
  };
}
