/**
 * GBCS alerts from DLMS devices (the ESME): a data-notification whose body is
 * structure { alert_code long-unsigned, date_time octet-string (COSEM date-time, 12 bytes),
 * ...further elements that depend on the alert code } (GBCS §16.2, "DLMS COSEM Alerts").
 * Further elements stay as data: their layout is the alert's business (e.g. 0x8F66 carries the
 * future-dated message header as an octet-string, 0x8F0A billing data as protected attributes).
 */
import { DecodeError } from "../errors.js";
import { encodeApdu, type LongInvokeIdAndPriority } from "./apdu.js";
import { type CosemDateTime, type DlmsData, decodeCosemDateTime } from "./data.js";
import type { DlmsPayload } from "./index.js";

export interface DlmsAlert {
  /** GBCS alert code, e.g. 0x8F66 (future-dated command executed). */
  readonly alertCode: number;
  readonly dateTime: CosemDateTime;
  /** The elements after the date-time, as sent. */
  readonly further: readonly DlmsData[];
}

/** The alert in a DLMS alert payload; a DecodeError when the payload is not shaped as one. */
export function readDlmsAlert(payload: DlmsPayload): DlmsAlert {
  const apdu = payload.apdu;
  const body = apdu.apdu === "data-notification" ? apdu.notificationBody : undefined;
  const [code, dateTime, ...further] = body?.type === "structure" ? body.elements : [];
  if (code?.type !== "long-unsigned" || dateTime?.type !== "octet-string" || dateTime.value.length !== 12) {
    throw new DecodeError("not a DLMS alert: structure { long-unsigned, octet-string(12), ... } expected", {
      code: "unexpected",
      offset: 0,
      path: "alert",
    });
  }
  return { alertCode: code.value, dateTime: decodeCosemDateTime(dateTime.value), further };
}

/**
 * The content of a DLMS alert as a device sends it: a data-notification with no date-time of its
 * own, whose body is structure { alert code, the 12-byte COSEM date-time of the event, ...further }
 * (the layout of the RTDS Generic Critical and Non-Critical Alert vectors).
 */
export function encodeDlmsAlert(alert: {
  readonly longInvokeIdAndPriority: LongInvokeIdAndPriority;
  readonly alertCode: number;
  /** The raw 12-byte COSEM date-time of the event. */
  readonly dateTime: Uint8Array;
  readonly further?: readonly DlmsData[];
}): Uint8Array {
  if (alert.dateTime.length !== 12) throw new RangeError("a COSEM date-time is 12 bytes");
  return encodeApdu({
    apdu: "data-notification",
    longInvokeIdAndPriority: alert.longInvokeIdAndPriority,
    dateTime: null,
    notificationBody: {
      type: "structure",
      elements: [
        { type: "long-unsigned", value: alert.alertCode },
        { type: "octet-string", value: alert.dateTime },
        ...(alert.further ?? []),
      ],
    },
  });
}
