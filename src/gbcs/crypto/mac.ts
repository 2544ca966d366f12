/**
 * The GBCS message MAC (GBCS §6.2.3, §7.2.5): a 12-byte AES-128-GMAC with the per-message key of
 * the KDF (kdf.ts) and the GBCS IV (gcm.ts), over
 *
 *   AAD = 11 00 00 00 00 00 || body
 *
 * where 0x11 is the security control byte, the five zeros stand for the empty General Ciphering
 * fields (transaction-id, system titles, date-time, other-information), and the body runs from the
 * General Signing tag DF to the end of the signature field (checked over the received bytes).
 *
 * Which key pair: a command from a remote party is MACed by the ACB (90B3D51F30000002) for the
 * device, but its KDF uses the header's originator (the supplier) and recipient; a command that a
 * device originates (the PCS use cases, from a PPMID), a response and an alert are MACed between
 * the originator and the recipient. See `macParties`.
 */

import { frameLayout, type GbcsFrame, MAC_LENGTH, receivedLayout, withoutReceived } from "../frame.js";
import { gbcsIv, gmac, tagsEqual } from "./gcm.js";
import { deriveKeyFromHeaderBytes, deriveKeyFromSecret } from "./kdf.js";
import { ACB_EUI } from "./keys.js";

const AAD_PREFIX = Uint8Array.of(0x11, 0, 0, 0, 0, 0);

/**
 * The key-agreement key owners whose ECDH secret keys the MAC of `frame`. `deviceOriginated` (from
 * the message-code table) tells a command that a HAN device sends (PCS…, PECS…, HECS…) from a
 * remote party's one.
 */
export function macParties(
  frame: Pick<GbcsFrame, "cra" | "originator" | "recipient">,
  deviceOriginated = false,
): [string, string] {
  const fromRemoteParty = frame.cra === 1 && !deviceOriginated;
  return fromRemoteParty ? [ACB_EUI, frame.recipient] : [frame.originator, frame.recipient];
}

/** Offsets in the body (from the DF tag) of the transaction-id, originator and recipient. */
const TX_AT = 1;
const ORIGINATOR_AT = 12;
const RECIPIENT_AT = 21;

/** The received bytes of `frame` when they still describe it (decoded, not edited since). */
function receivedBody(frame: Partial<GbcsFrame>): Uint8Array | undefined {
  const rx = receivedLayout(frame);
  return rx === undefined ? undefined : rx.bytes.subarray(rx.bodyStart, rx.bodyEnd);
}

/** The MAC key of `frame` from the shared secret Z of its `macParties`. */
export function macKey(
  frame: Pick<GbcsFrame, "cra" | "counter" | "originator" | "recipient"> & Partial<GbcsFrame>,
  z: Uint8Array,
): Uint8Array {
  const body = receivedBody(frame);
  if (body === undefined) return deriveKeyFromSecret(z, frame);
  // the header holds OtherInfo's fields as bytes already: no hex or bigint conversions
  return deriveKeyFromHeaderBytes(
    z,
    body.subarray(ORIGINATOR_AT, ORIGINATOR_AT + 8),
    body.subarray(TX_AT, TX_AT + 10),
    body.subarray(RECIPIENT_AT, RECIPIENT_AT + 8),
  );
}

/** Computes the 12-byte MAC of `frame` (its `mac` field, if any, is ignored). */
export function computeMac(frame: GbcsFrame, key: Uint8Array): Uint8Array {
  const body = receivedBody(frame);
  if (body !== undefined) {
    const iv = new Uint8Array(12);
    iv.set(body.subarray(ORIGINATOR_AT, ORIGINATOR_AT + 8));
    return gmac(key, iv, [AAD_PREFIX, body], MAC_LENGTH);
  }
  const l = frameLayout(frame.mac === undefined ? { ...frame, mac: new Uint8Array(MAC_LENGTH) } : frame);
  return gmac(
    key,
    gbcsIv(frame.originator),
    [AAD_PREFIX, l.bytes.subarray(l.bodyStart, l.bodyEnd)],
    MAC_LENGTH,
  );
}

/** Whether the frame's MAC is the one `key` gives; false when it has none. */
export function verifyMac(frame: GbcsFrame, key: Uint8Array): boolean {
  if (frame.mac === undefined) return false;
  return tagsEqual(computeMac(frame, key), frame.mac);
}

/**
 * A copy of `frame` with the MAC Header and its MAC (GBCS "Command Cryptographic Protection II").
 * An absent signature field becomes an empty one, as a MAC-protected message always has it.
 */
export function protectFrame(frame: GbcsFrame, key: Uint8Array): GbcsFrame {
  const base = withoutReceived(frame);
  const unmaced: GbcsFrame = { ...base, signature: base.signature ?? new Uint8Array(0) };
  return { ...unmaced, mac: computeMac(unmaced, key) };
}
