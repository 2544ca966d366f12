/**
 * Alerts a simulated device raises on its own (GBCS §16, CRA flag 3): a GBCS message to a remote
 * party that no command asked for, sent through the device's Communications Hub as an unsolicited
 * WAN frame. The layout is that of the RTDS Generic Critical / Non-Critical Alert vectors
 * (GCA-DLMS, GNCA-DLMS): grouping header with the device as originator and the remote party as
 * recipient, no date-time in the header, message code 0x1000 (critical) or 0x1001 (non-critical),
 * and a DLMS data-notification { alert code, COSEM date-time of the event }.
 *
 * Protection as GBCS asks of the device: a critical alert is signed with the device's DS key and
 * has no MAC Header (as in the GCA vector); a non-critical one is MACed for the recipient (ECDH of
 * the device's KA key with the recipient's). A device without a DS key MACs its critical alerts
 * too, as it does its critical responses, so that the recipient can still authenticate them.
 */
import { macKey, protectFrame } from "../gbcs/crypto/mac.js";
import { signFrame } from "../gbcs/crypto/signature.js";
import { encodeDlmsAlert, gbcsInvokeIdAndPriority } from "../gbcs/dlms/index.js";
import { encodeFrame, type GbcsFrame, toCosemDateTime } from "../gbcs/frame.js";
import type { DeviceKeyring } from "./keyring.js";

/** GBCS message code of a Generic Critical Alert (no use-case-specific code for its alert code). */
export const GENERIC_CRITICAL_ALERT = 0x1000;
/** GBCS message code of a Generic Non Critical Alert. */
export const GENERIC_NON_CRITICAL_ALERT = 0x1001;
/** GBCS alert code 0x8F32 "Supply Armed" (a critical, 0x8F.. code: not configurable). */
export const SUPPLY_ARMED_ALERT = 0x8f32;

/**
 * A device's originator counter for its alerts: strictly increasing. It starts from the device's
 * clock in milliseconds, so a simulator restarted later still counts above what it sent before.
 */
export class AlertCounter {
  private last: bigint;
  constructor(now: () => number) {
    this.last = BigInt(Math.max(0, Math.floor(now())));
  }
  next(): bigint {
    this.last += 1n;
    return this.last;
  }
}

/**
 * The bytes of a DLMS alert from the keyring's device to `recipient`, or undefined when the device
 * holds no key to protect it with (no DS key for a critical alert and no KA certificate of the
 * recipient): a real device cannot send such an alert either.
 */
export function buildDlmsAlert(
  keys: DeviceKeyring,
  alert: {
    readonly recipient: string;
    readonly counter: bigint;
    readonly alertCode: number;
    /** When the event happened (ms since the epoch). */
    readonly at: number;
    readonly critical: boolean;
  },
): Uint8Array | undefined {
  const frame: GbcsFrame = {
    cra: 3,
    counter: alert.counter,
    originator: keys.eui,
    recipient: alert.recipient.toUpperCase(),
    dateTime: null,
    messageCode: alert.critical ? GENERIC_CRITICAL_ALERT : GENERIC_NON_CRITICAL_ALERT,
    content: encodeDlmsAlert({
      longInvokeIdAndPriority: gbcsInvokeIdAndPriority(alert.counter),
      alertCode: alert.alertCode,
      dateTime: toCosemDateTime(new Date(alert.at)),
    }),
    signature: new Uint8Array(0),
  };
  const ds = alert.critical ? keys.signingPrivateKey(keys.eui) : undefined;
  if (ds !== undefined) return encodeFrame(signFrame(frame, ds));
  const z = keys.sharedSecret(keys.eui, frame.recipient);
  if (z === undefined) return undefined;
  return encodeFrame(protectFrame(frame, macKey(frame, z)));
}
