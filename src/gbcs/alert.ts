/**
 * The alert code a GBCS alert carries (GBCS §16.2), wherever its payload family puts it: in a DLMS
 * data-notification's structure (ESME and CHF alerts), in the GBZ alert header (GSME, GPF), or in
 * the `alertCode` field of the ASN.1 alert types (firmware, security credentials, device logs).
 */
import { readDlmsAlert } from "./dlms/alert.js";
import { DecodeError } from "./errors.js";
import type { GbcsPayload } from "./payload.js";

/** The alert code of a decoded alert payload; undefined when the payload carries none. */
export function alertCodeOf(payload: GbcsPayload): number | undefined {
  switch (payload.family) {
    case "dlms":
      try {
        return readDlmsAlert(payload).alertCode;
      } catch (error) {
        if (error instanceof DecodeError) return undefined;
        throw error;
      }
    case "gbz":
      return "alert" in payload ? payload.alert.alertCode : undefined;
    case "asn1":
      return fieldAlertCode(payload.value);
    default:
      return undefined;
  }
}

function fieldAlertCode(value: unknown): number | undefined {
  if (typeof value !== "object" || value === null || !("alertCode" in value)) return undefined;
  const code = value.alertCode;
  if (typeof code === "number") return code;
  if (typeof code === "bigint" && code <= 0xffffn) return Number(code);
  return undefined;
}
