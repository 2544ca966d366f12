/**
 * The DLMS COSEM (xDLMS) payload of a GBCS message: the content of a General Signing grouping
 * header whose message code belongs to a DLMS COSEM device — the ESME, and the CHF in CCSxx, CS01a
 * and DBCHxx — an access-request (command), access-response (response) or data-notification
 * (alert).
 *
 * `encodeDlmsPayload(decodeDlmsPayload(x))` equals `x` byte for byte: the APDU tree is the source of
 * truth. Sensitive data (get_protected_attributes results) is also offered split into its
 * ciphered block and, when the context can decrypt, its decoded plaintext.
 */
import { Reader } from "../cursor.js";
import { atSegment, DecodeError } from "../errors.js";
import type { PayloadContext } from "../payload-context.js";
import { decodeApdu, encodeApdu, type XDlmsApdu } from "./apdu.js";
import { type DlmsData, decodeData } from "./data.js";
import {
  type GetProtectedAttributesResponse,
  getProtectedAttributesResponseFromData,
  isGetProtectedAttributesResponse,
} from "./protection.js";

export { type DlmsAlert, encodeDlmsAlert, readDlmsAlert } from "./alert.js";
export {
  type AccessOutcome,
  type AccessRequest,
  type AccessRequestSpecification,
  type AccessResponse,
  type AccessResponseSpecification,
  ActionResult,
  accessResultName,
  type CosemAttributeDescriptor,
  type CosemMethodDescriptor,
  DataAccessResult,
  type DataNotification,
  decodeApdu,
  encodeApdu,
  gbcsInvokeIdAndPriority,
  type LongInvokeIdAndPriority,
  pairAccessResponse,
  type SelectiveAccessDescriptor,
  type XDlmsApdu,
} from "./apdu.js";
export {
  type CosemDate,
  type CosemDateTime,
  type CosemTime,
  type DataType,
  type DlmsData,
  decodeCosemDateTime,
  decodeData,
  encodeCosemDateTime,
  encodeData,
  type TypeDescription,
} from "./data.js";
export { isObisCode, type ObisCode, obisFromBytes, obisToBytes } from "./obis.js";
export type { CipheredBlock, GetProtectedAttributesResponse, ProtectionParameters } from "./protection.js";

/** The plaintext of a ciphered block, decoded, or why it could not be. */
export type ProtectedPlaintext =
  | { readonly ok: true; readonly plaintext: Uint8Array; readonly data: DlmsData }
  | { readonly ok: false; readonly reason: string };

/** One get_protected_attributes result (protection parameters and ciphered block) in the payload. */
export interface ProtectedAttributesView {
  /**
   * Where it is: an index in accessResponseListOfData (a get_protected_attributes result), or in a
   * data-notification's body structure (the index of the protection parameters, followed by the
   * ciphered octet-string, as in the ECS68 alert).
   */
  readonly location: "accessResponseListOfData" | "notificationBody";
  readonly index: number;
  readonly response: GetProtectedAttributesResponse;
  /** Present when a decrypter was given. */
  readonly decrypted?: ProtectedPlaintext;
}

export interface DlmsPayload {
  readonly family: "dlms";
  readonly apdu: XDlmsApdu;
  /** Sensitive data found in an access-response or a data-notification (else empty); views of `apdu`. */
  readonly protectedAttributes: readonly ProtectedAttributesView[];
}

/** What the DLMS codec uses of the payload context: the frame's decrypter, when there are keys. */
export type DlmsDecodeContext = Pick<PayloadContext, "decrypt">;

/** True when the first byte of a grouping header's content is an xDLMS APDU tag. */
export function isDlmsContent(content: Uint8Array): boolean {
  const tag = content[0];
  return tag === 0xd9 || tag === 0xda || tag === 0x0f;
}

/**
 * Decodes the DLMS content of a grouping header (the `PayloadContext` of the message may be passed
 * as it is). With a decrypter, sensitive results also carry their decoded plaintext, or why not.
 */
export function decodeDlmsPayload(content: Uint8Array, ctx: DlmsDecodeContext = {}): DlmsPayload {
  let apdu: XDlmsApdu;
  try {
    apdu = decodeApdu(new Reader(content));
  } catch (error) {
    throw atSegment(error, "dlms");
  }
  const protectedAttributes: ProtectedAttributesView[] = [];
  if (apdu.apdu === "access-response") {
    const list = apdu.accessResponseListOfData;
    for (let index = 0; index < list.length; index++)
      found(protectedAttributes, ctx, "accessResponseListOfData", index, list[index]!);
  } else if (apdu.apdu === "data-notification" && apdu.notificationBody.type === "structure") {
    const elements = apdu.notificationBody.elements;
    for (let i = 0; i + 1 < elements.length; i++) {
      if (elements[i]!.type !== "array" || elements[i + 1]!.type !== "octet-string") continue;
      found(protectedAttributes, ctx, "notificationBody", i, {
        type: "structure",
        elements: [elements[i]!, elements[i + 1]!],
      });
    }
  }
  return { family: "dlms", apdu, protectedAttributes };
}

/** Adds `d` to `out` when it is a get_protected_attributes result (decrypted when `ctx` can). */
function found(
  out: ProtectedAttributesView[],
  ctx: DlmsDecodeContext,
  location: ProtectedAttributesView["location"],
  index: number,
  d: DlmsData,
): void {
  if (!isGetProtectedAttributesResponse(d)) return;
  const response = getProtectedAttributesResponseFromData(d);
  const decrypted = ctx.decrypt ? decryptView(response, ctx.decrypt) : undefined;
  out.push(decrypted ? { location, index, response, decrypted } : { location, index, response });
}

/** Decryption through the frame's hook, which assumes the GBCS IV (invocation counter 0). */
function decryptView(
  response: GetProtectedAttributesResponse,
  decrypt: NonNullable<PayloadContext["decrypt"]>,
): ProtectedPlaintext {
  const block = response.protectedAttributes;
  if (block.invocationCounter !== 0) {
    return { ok: false, reason: `invocation counter ${block.invocationCounter} is not the GBCS 0` };
  }
  const sealed = new Uint8Array(block.ciphertext.length + block.tag.length);
  sealed.set(block.ciphertext, 0);
  sealed.set(block.tag, block.ciphertext.length);
  const result = decrypt(sealed, Uint8Array.of(block.securityControl));
  return result.ok ? decodePlaintext(result.plaintext) : { ok: false, reason: result.reason };
}

function decodePlaintext(plaintext: Uint8Array): ProtectedPlaintext {
  try {
    const r = new Reader(plaintext);
    const data = decodeData(r);
    r.end("protected attributes");
    return { ok: true, plaintext, data };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, reason: `plaintext: ${error.message}` };
    throw error;
  }
}

export function encodeDlmsPayload(payload: DlmsPayload): Uint8Array {
  return encodeApdu(payload.apdu);
}
