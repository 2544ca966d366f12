/**
 * Payload dispatch: the content of a GBCS frame, decoded by the codec of its family (DLMS COSEM,
 * GBZ, ASN.1, other), chosen from the message code (message-codes.ts) and, where the code allows
 * several formats, from the content's first bytes. A payload of a family whose codec does not
 * exist, or of an unknown format, is kept as `{family: 'opaque'}` with the reason: opaque payloads
 * are counted by the conformance test and expected only for genuinely opaque formats.
 */
import { type Asn1Payload, decodeAsn1Payload, encodeAsn1Payload } from "./asn1/index.js";
import { type DlmsPayload, decodeDlmsPayload, encodeDlmsPayload } from "./dlms/index.js";
import { DecodeError } from "./errors.js";
import { decodeGbzPayload, encodeGbzPayload, type GbzPayload } from "./gbz/index.js";
import { type PayloadFamily, payloadFamily } from "./message-codes.js";
import { decodeOtherPayload, encodeOtherPayload, type OtherPayload, otherFormatFor } from "./other/index.js";
import type { PayloadContext } from "./payload-context.js";

export type { Asn1Payload } from "./asn1/index.js";
export type { DlmsPayload } from "./dlms/index.js";
export type { GbzPayload } from "./gbz/index.js";
export type { OtherPayload } from "./other/index.js";

/** Content kept as bytes: no codec for its family yet, or a format nobody decodes. */
export interface OpaquePayload {
  readonly family: "opaque";
  readonly bytes: Uint8Array;
  /** Why it is opaque, e.g. 'no asn1 codec' or 'unknown format'. */
  readonly reason: string;
}

/** A decoded payload, discriminated by `family`. */
export type GbcsPayload = DlmsPayload | GbzPayload | Asn1Payload | OtherPayload | OpaquePayload;

/** Families with a codec wired in here. */
export const DECODED_FAMILIES: readonly PayloadFamily[] = ["dlms", "gbz", "asn1", "other"];

/**
 * Decodes `content` with the codec of its family. Throws only DecodeError (with `payload.` in front
 * of the codec's path).
 */
export function decodePayload(content: Uint8Array, ctx: PayloadContext): GbcsPayload {
  // the other family names its own message codes (none in GBCS as RTDS has it); then the table
  const other = otherFormatFor(ctx) !== undefined;
  const family = other ? "other" : payloadFamily(ctx.messageCode, content);
  try {
    switch (family) {
      case "dlms":
        return decodeDlmsPayload(content, ctx);
      case "gbz":
        return decodeGbzPayload(content, ctx);
      case "asn1":
        return decodeAsn1Payload(content, ctx);
      case "other":
        if (!other) return { family: "opaque", bytes: content, reason: "no other format" };
        return decodeOtherPayload(content, ctx);
      case undefined:
        return { family: "opaque", bytes: content, reason: "unknown format" };
    }
  } catch (error) {
    if (error instanceof DecodeError) throw error.withPath("payload");
    throw error;
  }
}

/** Encodes a payload back to content bytes (byte-identical to what was decoded). */
export function encodePayload(payload: GbcsPayload): Uint8Array {
  switch (payload.family) {
    case "dlms":
      return encodeDlmsPayload(payload);
    case "gbz":
      return encodeGbzPayload(payload);
    case "asn1":
      return encodeAsn1Payload(payload);
    case "other":
      return encodeOtherPayload(payload);
    case "opaque":
      return payload.bytes;
  }
}
