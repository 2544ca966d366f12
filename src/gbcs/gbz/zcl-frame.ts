/**
 * ZCL frames as GBZ components carry them (ZCL §2.4): a header (frame control, optional
 * manufacturer code, transaction sequence number, command id) and a payload. Global commands
 * (read/write/report attributes, default response) are decoded into typed attribute records;
 * cluster-specific commands by their layout in zcl-commands.ts; anything GBCS does not define is
 * kept as bytes. Everything ZCL is little-endian.
 */
import { Reader, Writer } from "../cursor.js";
import { atSegment, DecodeError, inPath } from "../errors.js";
import { findZclCommand, type ZclDirection, ZclGlobalCommand } from "./zcl-commands.js";
import { decodeZclValue, encodeZclValue, isValidZclValue, type ZclValue } from "./zcl-data-types.js";
import { readFields, trailing, writeFields, type ZclFields } from "./zcl-fields.js";

/** Frame control bits (ZCL §2.4.1.1). */
export const ZclFrameControlBits = {
  /** Bits 0-1: 0b00 command acts across the profile (global), 0b01 command is specific to a cluster. */
  frameTypeMask: 0x03,
  /** Bit 2: a manufacturer code follows the frame control field. */
  manufacturerSpecific: 0x04,
  /** Bit 3: 0 client to server, 1 server to client. */
  direction: 0x08,
  /** Bit 4: the receiver shall not send a Default Response. */
  disableDefaultResponse: 0x10,
  /** Bits 5-7: reserved, zero in GBCS; kept so that any frame re-encodes as received. */
  reservedMask: 0xe0,
} as const;

export interface ZclFrameControl {
  readonly frameType: "global" | "clusterSpecific";
  readonly manufacturerSpecific: boolean;
  readonly direction: ZclDirection;
  readonly disableDefaultResponse: boolean;
  /** Bits 5-7 as a number 0-7 (0 in every GBCS message). */
  readonly reserved: number;
}

export interface ZclHeader {
  readonly frameControl: ZclFrameControl;
  /** Present when frameControl.manufacturerSpecific. */
  readonly manufacturerCode?: number;
  /** GBCS: starts at 0 and increments for each ZCL command in one GBZ payload. */
  readonly transactionSequenceNumber: number;
  readonly commandId: number;
}

/** One record of a Read Attributes Response: the value is absent when status is not success. */
export interface ZclReadAttributeRecord {
  readonly attributeId: number;
  readonly status: number;
  readonly value?: ZclValue;
}

export interface ZclAttributeRecord {
  readonly attributeId: number;
  readonly value: ZclValue;
}

/** One record of a Write Attributes Response; a lone success status has no attribute id. */
export interface ZclWriteAttributeStatus {
  readonly status: number;
  readonly attributeId?: number;
}

export type ZclPayload =
  | { readonly kind: "readAttributes"; readonly attributeIds: readonly number[] }
  | { readonly kind: "readAttributesResponse"; readonly records: readonly ZclReadAttributeRecord[] }
  | {
      readonly kind:
        | "writeAttributes"
        | "writeAttributesUndivided"
        | "writeAttributesNoResponse"
        | "reportAttributes";
      readonly records: readonly ZclAttributeRecord[];
    }
  | { readonly kind: "writeAttributesResponse"; readonly records: readonly ZclWriteAttributeStatus[] }
  | { readonly kind: "defaultResponse"; readonly commandId: number; readonly status: number }
  /** A cluster-specific command with a known layout; `name` is the ZSE command name. */
  | { readonly kind: "command"; readonly name: string; readonly fields: ZclFields }
  /** A command GBCS does not define: its payload bytes as received. */
  | { readonly kind: "opaque"; readonly bytes: Uint8Array };

export interface ZclFrame {
  readonly header: ZclHeader;
  readonly payload: ZclPayload;
}

export function decodeFrameControl(byte: number, offset: number): ZclFrameControl {
  const type = byte & ZclFrameControlBits.frameTypeMask;
  if (type > 1) {
    throw new DecodeError(`reserved ZCL frame type ${type}`, { code: "unexpected", offset });
  }
  return {
    frameType: type === 0 ? "global" : "clusterSpecific",
    manufacturerSpecific: (byte & ZclFrameControlBits.manufacturerSpecific) !== 0,
    direction: byte & ZclFrameControlBits.direction ? "serverToClient" : "clientToServer",
    disableDefaultResponse: (byte & ZclFrameControlBits.disableDefaultResponse) !== 0,
    reserved: (byte & ZclFrameControlBits.reservedMask) >> 5,
  };
}

export function encodeFrameControl(fc: ZclFrameControl): number {
  return (
    (fc.frameType === "clusterSpecific" ? 1 : 0) |
    (fc.manufacturerSpecific ? ZclFrameControlBits.manufacturerSpecific : 0) |
    (fc.direction === "serverToClient" ? ZclFrameControlBits.direction : 0) |
    (fc.disableDefaultResponse ? ZclFrameControlBits.disableDefaultResponse : 0) |
    ((fc.reserved & 0x07) << 5)
  );
}

export function decodeZclHeader(r: Reader): ZclHeader {
  const at = r.absoluteOffset;
  const frameControl = decodeFrameControl(r.u8(), at);
  const manufacturerCode = frameControl.manufacturerSpecific ? r.u16le() : undefined;
  const transactionSequenceNumber = r.u8();
  const commandId = r.u8();
  return manufacturerCode === undefined
    ? { frameControl, transactionSequenceNumber, commandId }
    : { frameControl, manufacturerCode, transactionSequenceNumber, commandId };
}

export function encodeZclHeader(w: Writer, h: ZclHeader): void {
  w.u8(encodeFrameControl(h.frameControl));
  if (h.frameControl.manufacturerSpecific) w.u16le(h.manufacturerCode ?? 0);
  w.u8(h.transactionSequenceNumber);
  w.u8(h.commandId);
}

/** Decodes a ZCL payload (all of `r`) for `header` in cluster `clusterId`. */
export function decodeZclPayload(r: Reader, clusterId: number, header: ZclHeader): ZclPayload {
  const fc = header.frameControl;
  if (fc.manufacturerSpecific) return { kind: "opaque", bytes: r.copyRest() };
  if (fc.frameType === "global") {
    switch (header.commandId) {
      case ZclGlobalCommand.readAttributes: {
        const attributeIds: number[] = [];
        while (!r.done) attributeIds.push(r.u16le());
        return { kind: "readAttributes", attributeIds };
      }
      case ZclGlobalCommand.readAttributesResponse: {
        const records: ZclReadAttributeRecord[] = [];
        try {
          while (!r.done) {
            const attributeId = r.u16le();
            const status = r.u8();
            if (status !== 0) records.push({ attributeId, status });
            else {
              const type = r.u8();
              records.push({ attributeId, status, value: decodeZclValue(r, type) });
            }
          }
        } catch (error) {
          throw atSegment(error, `record[${records.length}]`);
        }
        return { kind: "readAttributesResponse", records };
      }
      case ZclGlobalCommand.writeAttributes:
      case ZclGlobalCommand.writeAttributesUndivided:
      case ZclGlobalCommand.writeAttributesNoResponse:
      case ZclGlobalCommand.reportAttributes: {
        const kind =
          header.commandId === ZclGlobalCommand.writeAttributes
            ? "writeAttributes"
            : header.commandId === ZclGlobalCommand.writeAttributesUndivided
              ? "writeAttributesUndivided"
              : header.commandId === ZclGlobalCommand.writeAttributesNoResponse
                ? "writeAttributesNoResponse"
                : "reportAttributes";
        const records: ZclAttributeRecord[] = [];
        try {
          while (!r.done) {
            const attributeId = r.u16le();
            const type = r.u8();
            records.push({ attributeId, value: decodeZclValue(r, type) });
          }
        } catch (error) {
          throw atSegment(error, `record[${records.length}]`);
        }
        return { kind, records };
      }
      case ZclGlobalCommand.writeAttributesResponse: {
        const records: ZclWriteAttributeStatus[] = [];
        // ZCL §2.5.5.1: when every write succeeded, the response is one success status alone.
        if (r.remaining === 1) {
          const status = r.u8();
          if (status !== 0)
            throw r.unexpected("write attributes status record without attribute id", r.offset - 1);
          records.push({ status });
        } else {
          while (!r.done) records.push({ status: r.u8(), attributeId: r.u16le() });
        }
        return { kind: "writeAttributesResponse", records };
      }
      case ZclGlobalCommand.defaultResponse: {
        const commandId = r.u8();
        const status = r.u8();
        if (!r.done) throw trailing(r, "default response");
        return { kind: "defaultResponse", commandId, status };
      }
      default:
        return { kind: "opaque", bytes: r.copyRest() };
    }
  }
  const spec = findZclCommand(clusterId, fc.direction, header.commandId);
  if (spec === undefined) return { kind: "opaque", bytes: r.copyRest() };
  let fields: ZclFields;
  try {
    fields = readFields(r, spec.fields);
  } catch (error) {
    throw atSegment(error, spec.name);
  }
  if (!r.done) throw trailing(r, spec.name);
  return { kind: "command", name: spec.name, fields };
}

/** Writes a value's type byte and the value; refuses a value its type cannot hold. */
function writeValue(w: Writer, attributeId: number, value: ZclValue): void {
  if (!isValidZclValue(value)) {
    throw new RangeError(
      `attribute 0x${attributeId.toString(16)}: value does not fit ZCL type 0x${value.type.toString(16)}`,
    );
  }
  w.u8(value.type);
  encodeZclValue(w, value);
}

export function encodeZclPayload(w: Writer, clusterId: number, header: ZclHeader, p: ZclPayload): void {
  switch (p.kind) {
    case "readAttributes":
      for (const id of p.attributeIds) w.u16le(id);
      return;
    case "readAttributesResponse":
      for (const rec of p.records) {
        w.u16le(rec.attributeId).u8(rec.status);
        if (rec.status === 0) {
          if (rec.value === undefined)
            throw new TypeError("a successful read attribute record needs a value");
          writeValue(w, rec.attributeId, rec.value);
        }
      }
      return;
    case "writeAttributes":
    case "writeAttributesUndivided":
    case "writeAttributesNoResponse":
    case "reportAttributes":
      for (const rec of p.records) {
        w.u16le(rec.attributeId);
        writeValue(w, rec.attributeId, rec.value);
      }
      return;
    case "writeAttributesResponse":
      for (const rec of p.records) {
        w.u8(rec.status);
        if (rec.attributeId !== undefined) w.u16le(rec.attributeId);
      }
      return;
    case "defaultResponse":
      w.u8(p.commandId).u8(p.status);
      return;
    case "command": {
      const spec = findZclCommand(clusterId, header.frameControl.direction, header.commandId);
      if (spec === undefined || spec.name !== p.name) {
        throw new TypeError(
          `command ${p.name} does not match cluster 0x${clusterId.toString(16)} id ${header.commandId}`,
        );
      }
      writeFields(w, spec.fields, p.fields);
      return;
    }
    case "opaque":
      w.bytes(p.bytes);
      return;
  }
}

/** Decodes a whole ZCL frame from `bytes` (header then payload up to the end). */
export function decodeZclFrame(bytes: Uint8Array, clusterId: number, base = 0): ZclFrame {
  const r = new Reader(bytes, base);
  const header = inPath("header", () => decodeZclHeader(r));
  const payload = inPath("payload", () => decodeZclPayload(r, clusterId, header));
  return { header, payload };
}

export function encodeZclFrame(frame: ZclFrame, clusterId: number): Uint8Array {
  const w = new Writer(64);
  encodeZclHeader(w, frame.header);
  encodeZclPayload(w, clusterId, frame.header, frame.payload);
  return w.finish();
}
