/**
 * ASN.1 (DER) payloads of GBCS: CHF and security use cases (CS02 credentials, CS03/CS04 join and
 * unjoin, CS06-CS09 firmware, CS07 and GPF device logs, GCS28 time) and their alerts.
 * `decodeAsn1Payload` reads the content of a General Signing grouping header into typed values;
 * `encodeAsn1Payload` writes it back byte for byte.
 */
import { Reader, Writer } from "../cursor.js";
import type { PayloadContext } from "../payload-context.js";
import { type Asn1Payload, type Asn1PayloadType, asn1PayloadTypeFor, asn1PayloadTypes } from "./payloads.js";
import type { Asn1Codec, DerLengthForms } from "./schema.js";

function codecOf(type: Asn1PayloadType): Asn1Codec<unknown> {
  return asn1PayloadTypes[type] as Asn1Codec<unknown>;
}

/** Decodes `content` as the ASN.1 type `type` (for callers that know it without a context). */
export function decodeAsn1As(type: Asn1PayloadType, content: Uint8Array): Asn1Payload {
  const r = new Reader(content);
  const forms: DerLengthForms = new Map();
  const value = codecOf(type).decode(r, "", forms);
  r.end(type);
  const payload = { family: "asn1", type, value } as Asn1Payload;
  return forms.size === 0 ? payload : { ...payload, derLengthForms: Object.fromEntries(forms) };
}

/**
 * Decodes the ASN.1 payload of a message, typed by its message code and CRA flag; a message code
 * with no GBCS ASN.1 type here gives an untyped `Der` tree (still byte-exact).
 */
export function decodeAsn1Payload(
  content: Uint8Array,
  ctx: Pick<PayloadContext, "messageCode" | "cra">,
): Asn1Payload {
  return decodeAsn1As(asn1PayloadTypeFor(ctx.messageCode, ctx.cra) ?? "Der", content);
}

export function encodeAsn1Payload(p: Asn1Payload): Uint8Array {
  const w = new Writer(256);
  const forms = new Map(Object.entries(p.derLengthForms ?? {}));
  codecOf(p.type).encode(w, p.value, "", forms);
  return w.finish();
}

export * from "./der.js";
export * from "./gbcs-types.js";
export * from "./payloads.js";
export * from "./schema.js";
