/**
 * How a device protects its response to an ASN.1 command, as the RTDS 4.5.0 responses of those use
 * cases are: signed with the device's DS key (no MAC) or MACed for the requester, and dated with the
 * device's clock or not. The rule the RTDS responses follow: a signed command gets a signed
 * response, a MACed one a MACed response; the credentials updates (CS02b, CS02g) are always answered
 * signed, even when the ACB's own update came MACed only (8.5 CS02bACBByACB); the credentials
 * updates and the firmware activation (CS06) carry the device's date-time, the rest do not.
 */

/** CS02b (0x0100-0x0109) and CS02g (0x0125, 0x0126): Update Security Credentials. */
const UPDATE_SECURITY_CREDENTIALS: ReadonlySet<number> = new Set([
  0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106, 0x0107, 0x0108, 0x0109, 0x0125, 0x0126,
]);
/** CS06 Activate Firmware. */
const ACTIVATE_FIRMWARE = 0x0012;

export interface ResponseProtection {
  /** Signed with the device's DS key (MACed instead when the device has none). */
  readonly signed: boolean;
  /** The grouping header carries the device's date-time. */
  readonly dated: boolean;
}

export function responseProtection(messageCode: number, commandSigned: boolean): ResponseProtection {
  const update = UPDATE_SECURITY_CREDENTIALS.has(messageCode);
  return {
    signed: commandSigned || update,
    dated: update || messageCode === ACTIVATE_FIRMWARE,
  };
}

/**
 * Join and unjoin message codes that both a critical SRV (8.7.1, 8.8.1: the supplier signs) and a
 * non-critical one (8.7.2, 8.8.2, to a PPMID or HCALCS) use. RTDS's non-critical vectors come
 * signed by the ACB; this DCC sends them MACed by the ACB only, which the device accepts for these
 * codes (the ACB's MAC already says the DCC's access control passed the request).
 */
const JOINS_WITH_NON_CRITICAL_VARIANTS: ReadonlySet<number> = new Set([0x000f, 0x00ab, 0x00af]);

/** Whether a command of this message code must carry its originator's signature. */
export function signatureRequired(messageCode: number, critical: boolean, maced: boolean): boolean {
  return critical && !(maced && JOINS_WITH_NON_CRITICAL_VARIANTS.has(messageCode));
}
