/**
 * GBZ payloads (GBCS §7.2): the gas meter's and Gas Proxy Function's ZigBee-based format.
 * `decodeGbzPayload` reads the content of a General Signing grouping header; `encodeGbzPayload`
 * writes it back byte for byte.
 */
import type { PayloadContext } from "../payload-context.js";
import { decodeGbz, encodeGbz, type GbzPayload } from "./gbz-payload.js";

export function decodeGbzPayload(content: Uint8Array, ctx: PayloadContext): GbzPayload {
  return decodeGbz(content, ctx);
}

export function encodeGbzPayload(p: GbzPayload): Uint8Array {
  return encodeGbz(p);
}

export * from "./gbz-context.js";
export * from "./gbz-payload.js";
export * from "./gbz-quartet.js";
export * from "./use-cases/gcs13a.js";
export * from "./zcl-attributes.js";
export * from "./zcl-commands.js";
export * from "./zcl-data-types.js";
export * from "./zcl-fields.js";
export * from "./zcl-frame.js";
