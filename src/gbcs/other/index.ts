/**
 * Payload formats that are neither DLMS COSEM, GBZ nor ASN.1, as a union of named formats. Every
 * RTDS 4.5.0 payload is one of those three; the formats here travel beside GBCS messages: the
 * ZigBee OTA Upgrade File that carries firmware to HAN devices (whose manufacturer image CS06
 * activates by hash, and whose receipt the Firmware Distribution Receipt Alert confirms).
 * `decodeOtherPayload` picks the format by message code; `decodeOtherAs` by name.
 */
import { DecodeError } from "../errors.js";
import type { PayloadContext } from "../payload-context.js";
import { decodeOtaUpgradeImage, encodeOtaUpgradeImage, type OtaUpgradeImage } from "./ota-upgrade-image.js";

export interface OtaUpgradeImagePayload {
  readonly family: "other";
  readonly format: "zigbeeOtaUpgradeImage";
  readonly image: OtaUpgradeImage;
}

export type OtherPayload = OtaUpgradeImagePayload;
export type OtherFormat = OtherPayload["format"];

/** GBCS message codes whose content is an "other" format, by CRA flag. None in GBCS as the RTDS set has it. */
export const otherMessageCodes: ReadonlyMap<number, Partial<Record<1 | 2 | 3, OtherFormat>>> = new Map();

export function otherFormatFor(ctx: Pick<PayloadContext, "messageCode" | "cra">): OtherFormat | undefined {
  return otherMessageCodes.get(ctx.messageCode)?.[ctx.cra];
}

export function decodeOtherAs(format: OtherFormat, content: Uint8Array): OtherPayload {
  switch (format) {
    case "zigbeeOtaUpgradeImage":
      return { family: "other", format, image: decodeOtaUpgradeImage(content) };
  }
}

export function decodeOtherPayload(
  content: Uint8Array,
  ctx: Pick<PayloadContext, "messageCode" | "cra">,
): OtherPayload {
  const format = otherFormatFor(ctx);
  if (format === undefined) {
    throw new DecodeError(
      `message code 0x${ctx.messageCode.toString(16).padStart(4, "0")} has no payload format of the other family`,
      { code: "unexpected", offset: 0 },
    );
  }
  return decodeOtherAs(format, content);
}

export function encodeOtherPayload(p: OtherPayload): Uint8Array {
  switch (p.format) {
    case "zigbeeOtaUpgradeImage":
      return encodeOtaUpgradeImage(p.image);
  }
}

export * from "./ota-upgrade-image.js";
