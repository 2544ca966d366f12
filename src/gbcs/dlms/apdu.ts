/**
 * The xDLMS APDUs that GBCS carries for DLMS COSEM devices (the ESME): access-request (0xD9),
 * access-response (0xDA) and data-notification (0x0F), from the DLMS Green Book (DLMS UA 1000-2
 * Ed. 8, §9.5 "xDLMS APDUs"), A-XDR encoded. GBCS always sends the "long" form: a 4-byte
 * long-invoke-id-and-priority and a date-time octet-string (empty in every RTDS message).
 */
import type { Reader } from "../cursor.js";
import { Writer } from "../cursor.js";
import { atSegment } from "../errors.js";
import { readAxdrCount, readAxdrLength, writeAxdrLength } from "./axdr.js";
import {
  type CosemDateTime,
  type DlmsData,
  decodeCosemDateTime,
  decodeData,
  encodeCosemDateTime,
  writeData,
} from "./data.js";
import { type ObisCode, obisFromBytes, obisToBytes } from "./obis.js";

/** xDLMS APDU tags. */
export const ApduTag = {
  "data-notification": 0x0f,
  "access-request": 0xd9,
  "access-response": 0xda,
} as const;

export type ApduType = keyof typeof ApduTag;

/**
 * Long-Invoke-Id-And-Priority (Green Book §9.5): bits 0-23 invoke id, bits 24-27 reserved,
 * bit 28 self-descriptive, bit 29 processing option (break on error), bit 30 service class
 * (confirmed), bit 31 priority (high). GBCS puts the low 24 bits of the transaction counter in the
 * invoke id and sets only break-on-error (0x20).
 */
export interface LongInvokeIdAndPriority {
  readonly invokeId: number;
  readonly highPriority: boolean;
  readonly confirmed: boolean;
  readonly breakOnError: boolean;
  readonly selfDescriptive: boolean;
  /** Bits 24-27, kept so that the field re-encodes exactly. */
  readonly reserved: number;
}

/** Cosem-Attribute-Descriptor: which attribute of which object. */
export interface CosemAttributeDescriptor {
  readonly classId: number;
  readonly instanceId: ObisCode;
  /** Integer8 in the Green Book. */
  readonly attributeId: number;
}

/** Cosem-Method-Descriptor: which method of which object. */
export interface CosemMethodDescriptor {
  readonly classId: number;
  readonly instanceId: ObisCode;
  readonly methodId: number;
}

/** Selective-Access-Descriptor: access selector and its parameters (e.g. 1 = range, for profiles). */
export interface SelectiveAccessDescriptor {
  readonly accessSelector: number;
  readonly accessParameters: DlmsData;
}

/** Access-Request-Specification CHOICE tags. */
export const AccessRequestSpecificationTag = {
  "access-request-get": 1,
  "access-request-set": 2,
  "access-request-action": 3,
  "access-request-get-with-selection": 4,
  "access-request-set-with-selection": 5,
} as const;

export type AccessRequestSpecification =
  | {
      readonly kind: "access-request-get" | "access-request-set";
      readonly cosemAttributeDescriptor: CosemAttributeDescriptor;
    }
  | { readonly kind: "access-request-action"; readonly cosemMethodDescriptor: CosemMethodDescriptor }
  | {
      readonly kind: "access-request-get-with-selection" | "access-request-set-with-selection";
      readonly cosemAttributeDescriptor: CosemAttributeDescriptor;
      readonly accessSelection: SelectiveAccessDescriptor;
    };

/** Access-Response-Specification CHOICE tags. */
export const AccessResponseSpecificationTag = {
  "access-response-get": 1,
  "access-response-set": 2,
  "access-response-action": 3,
} as const;

/** Data-Access-Result (Green Book): the outcome of one get or set. */
export const DataAccessResult = {
  success: 0,
  "hardware-fault": 1,
  "temporary-failure": 2,
  "read-write-denied": 3,
  "object-undefined": 4,
  "object-class-inconsistent": 9,
  "object-unavailable": 11,
  "type-unmatched": 12,
  "scope-of-access-violated": 13,
  "data-block-unavailable": 14,
  "long-get-aborted": 15,
  "no-long-get-in-progress": 16,
  "long-set-aborted": 17,
  "no-long-set-in-progress": 18,
  "data-block-number-invalid": 19,
  "other-reason": 250,
} as const;

/** Action-Result (Green Book): the outcome of one method invocation. */
export const ActionResult = {
  success: 0,
  "hardware-fault": 1,
  "temporary-failure": 2,
  "read-write-denied": 3,
  "object-undefined": 4,
  "object-class-inconsistent": 9,
  "object-unavailable": 11,
  "type-unmatched": 12,
  "scope-of-access-violated": 13,
  "data-block-unavailable": 14,
  "long-action-aborted": 15,
  "no-long-action-in-progress": 16,
  "other-reason": 250,
} as const;

/**
 * One result per request specification. `result` is the wire value (a device may send a code these
 * tables lack); `accessResultName` names it.
 */
export interface AccessResponseSpecification {
  readonly kind: keyof typeof AccessResponseSpecificationTag;
  readonly result: number;
}

/** The Green Book name of a response specification's result, or undefined for a code not defined. */
export function accessResultName(s: AccessResponseSpecification): string | undefined {
  const table: Record<string, number> = s.kind === "access-response-action" ? ActionResult : DataAccessResult;
  return Object.keys(table).find((k) => table[k] === s.result);
}

export interface AccessRequest {
  readonly apdu: "access-request";
  readonly longInvokeIdAndPriority: LongInvokeIdAndPriority;
  /** null when the date-time octet-string is empty (always, in GBCS). */
  readonly dateTime: CosemDateTime | null;
  readonly accessRequestSpecification: readonly AccessRequestSpecification[];
  /** One Data per specification: null-data for a get, the value for a set, the parameters for an action. */
  readonly accessRequestListOfData: readonly DlmsData[];
}

export interface AccessResponse {
  readonly apdu: "access-response";
  readonly longInvokeIdAndPriority: LongInvokeIdAndPriority;
  readonly dateTime: CosemDateTime | null;
  /** The optional echo of the request's specifications (absent in GBCS). */
  readonly accessRequestSpecification: readonly AccessRequestSpecification[] | null;
  /** One Data per specification: the value read, or null-data (set, failed get), or return parameters. */
  readonly accessResponseListOfData: readonly DlmsData[];
  readonly accessResponseSpecification: readonly AccessResponseSpecification[];
}

export interface DataNotification {
  readonly apdu: "data-notification";
  readonly longInvokeIdAndPriority: LongInvokeIdAndPriority;
  readonly dateTime: CosemDateTime | null;
  readonly notificationBody: DlmsData;
}

export type XDlmsApdu = AccessRequest | AccessResponse | DataNotification;

/** GBCS' usual long-invoke-id-and-priority: invoke id = low 24 bits of the counter, break-on-error. */
export function gbcsInvokeIdAndPriority(counter: bigint): LongInvokeIdAndPriority {
  return {
    invokeId: Number(counter & 0xff_ffffn),
    highPriority: false,
    confirmed: false,
    breakOnError: true,
    selfDescriptive: false,
    reserved: 0,
  };
}

function readInvokeId(r: Reader): LongInvokeIdAndPriority {
  const v = r.u32be();
  return {
    invokeId: v & 0xff_ffff,
    highPriority: (v & 0x8000_0000) !== 0,
    confirmed: (v & 0x4000_0000) !== 0,
    breakOnError: (v & 0x2000_0000) !== 0,
    selfDescriptive: (v & 0x1000_0000) !== 0,
    reserved: (v >>> 24) & 0x0f,
  };
}

function writeInvokeId(w: Writer, v: LongInvokeIdAndPriority): void {
  if (!Number.isInteger(v.invokeId) || v.invokeId < 0 || v.invokeId > 0xff_ffff) {
    throw new RangeError(`invoke id out of range: ${v.invokeId}`);
  }
  if (!Number.isInteger(v.reserved) || v.reserved < 0 || v.reserved > 0x0f) {
    throw new RangeError(`reserved bits out of range: ${v.reserved}`);
  }
  const top =
    (v.highPriority ? 0x80 : 0) |
    (v.confirmed ? 0x40 : 0) |
    (v.breakOnError ? 0x20 : 0) |
    (v.selfDescriptive ? 0x10 : 0);
  w.u8(top | v.reserved).u24be(v.invokeId);
}

function readDateTimeField(r: Reader): CosemDateTime | null {
  const n = readAxdrLength(r, "date-time length");
  if (n === 0) return null;
  const at = r.offset;
  if (n !== 12) throw r.unexpected(`date-time of ${n} bytes (0 or 12 expected)`, at);
  return decodeCosemDateTime(r.bytes(12), r);
}

/** readDateTimeField with `dateTime` on the path of a failure (no closure per APDU). */
function readDateTimeAtPath(r: Reader): CosemDateTime | null {
  try {
    return readDateTimeField(r);
  } catch (error) {
    throw atSegment(error, "dateTime");
  }
}

/** decodeData with `segment` on the path of a failure. */
function decodeDataAtPath(r: Reader, segment: string): DlmsData {
  try {
    return decodeData(r);
  } catch (error) {
    throw atSegment(error, segment);
  }
}

function writeDateTimeField(w: Writer, v: CosemDateTime | null): void {
  if (v === null) {
    w.u8(0);
    return;
  }
  w.u8(12).bytes(encodeCosemDateTime(v));
}

function readInstanceId(r: Reader): ObisCode {
  return obisFromBytes(r.bytes(6));
}

function readAttributeDescriptor(r: Reader): CosemAttributeDescriptor {
  return { classId: r.u16be(), instanceId: readInstanceId(r), attributeId: r.i8() };
}

function writeAttributeDescriptor(w: Writer, d: CosemAttributeDescriptor): void {
  w.u16be(d.classId).bytes(obisToBytes(d.instanceId)).i8(d.attributeId);
}

/** `kind` by tag byte, as an array of 256 (undefined where no kind has that tag). */
function kindsByTag<K extends string>(tags: Readonly<Record<K, number>>): readonly (K | undefined)[] {
  const byTag = new Array<K | undefined>(256).fill(undefined);
  for (const [kind, tag] of Object.entries(tags) as [K, number][]) byTag[tag] = kind;
  return byTag;
}

const REQUEST_KIND_BY_TAG = kindsByTag<AccessRequestSpecification["kind"]>(AccessRequestSpecificationTag);
const RESPONSE_KIND_BY_TAG = kindsByTag<AccessResponseSpecification["kind"]>(AccessResponseSpecificationTag);

function readRequestSpecification(r: Reader): AccessRequestSpecification {
  const at = r.offset;
  const tag = r.u8();
  const kind = REQUEST_KIND_BY_TAG[tag];
  switch (kind) {
    case "access-request-get":
    case "access-request-set":
      return { kind, cosemAttributeDescriptor: readAttributeDescriptor(r) };
    case "access-request-action":
      return {
        kind,
        cosemMethodDescriptor: { classId: r.u16be(), instanceId: readInstanceId(r), methodId: r.i8() },
      };
    case "access-request-get-with-selection":
    case "access-request-set-with-selection": {
      const cosemAttributeDescriptor = readAttributeDescriptor(r);
      const accessSelector = r.u8();
      const accessParameters = decodeDataAtPath(r, "accessParameters");
      return { kind, cosemAttributeDescriptor, accessSelection: { accessSelector, accessParameters } };
    }
    case undefined:
      throw r.unexpected(`unknown access-request-specification 0x${tag.toString(16).padStart(2, "0")}`, at);
  }
}

function writeRequestSpecification(w: Writer, s: AccessRequestSpecification): void {
  w.u8(AccessRequestSpecificationTag[s.kind]);
  switch (s.kind) {
    case "access-request-get":
    case "access-request-set":
      writeAttributeDescriptor(w, s.cosemAttributeDescriptor);
      return;
    case "access-request-action": {
      const d = s.cosemMethodDescriptor;
      w.u16be(d.classId).bytes(obisToBytes(d.instanceId)).i8(d.methodId);
      return;
    }
    case "access-request-get-with-selection":
    case "access-request-set-with-selection":
      writeAttributeDescriptor(w, s.cosemAttributeDescriptor);
      w.u8(s.accessSelection.accessSelector);
      writeData(w, s.accessSelection.accessParameters);
      return;
  }
}

/** Smallest encoding of one access-request-specification (tag, class, instance, id). */
const MIN_REQUEST_SPECIFICATION = 10;

function readRequestSpecifications(r: Reader): AccessRequestSpecification[] {
  const n = readAxdrCount(r, "access-request-specification", MIN_REQUEST_SPECIFICATION);
  const out: AccessRequestSpecification[] = [];
  let i = 0;
  try {
    for (; i < n; i++) out.push(readRequestSpecification(r));
  } catch (error) {
    throw atSegment(error, `accessRequestSpecification[${i}]`);
  }
  return out;
}

function readListOfData(r: Reader, field: string): DlmsData[] {
  const n = readAxdrCount(r, field);
  // n is capped by the bytes left (readAxdrCount): sized once, filled in order
  const out = new Array<DlmsData>(n);
  let i = 0;
  try {
    for (; i < n; i++) out[i] = decodeData(r);
  } catch (error) {
    throw atSegment(error, `${field}[${i}]`);
  }
  return out;
}

function writeList<T>(w: Writer, items: readonly T[], write: (w: Writer, item: T) => void): void {
  writeAxdrLength(w, items.length);
  for (const item of items) write(w, item);
}

/** Decodes one xDLMS APDU filling the whole reader. */
export function decodeApdu(r: Reader): XDlmsApdu {
  const at = r.offset;
  const tag = r.u8();
  let apdu: XDlmsApdu;
  switch (tag) {
    case ApduTag["access-request"]: {
      const longInvokeIdAndPriority = readInvokeId(r);
      const dateTime = readDateTimeAtPath(r);
      const accessRequestSpecification = readRequestSpecifications(r);
      const accessRequestListOfData = readListOfData(r, "accessRequestListOfData");
      apdu = {
        apdu: "access-request",
        longInvokeIdAndPriority,
        dateTime,
        accessRequestSpecification,
        accessRequestListOfData,
      };
      break;
    }
    case ApduTag["access-response"]: {
      const longInvokeIdAndPriority = readInvokeId(r);
      const dateTime = readDateTimeAtPath(r);
      const presentAt = r.offset;
      const present = r.u8();
      if (present > 1)
        throw r.unexpected(`OPTIONAL flag 0x${present.toString(16)} is neither 0 nor 1`, presentAt);
      const accessRequestSpecification = present === 1 ? readRequestSpecifications(r) : null;
      const accessResponseListOfData = readListOfData(r, "accessResponseListOfData");
      const n = readAxdrCount(r, "access-response-specification", 2);
      const accessResponseSpecification: AccessResponseSpecification[] = [];
      for (let i = 0; i < n; i++) {
        const specAt = r.offset;
        const specTag = r.u8();
        const kind = RESPONSE_KIND_BY_TAG[specTag];
        if (kind === undefined) {
          throw r
            .unexpected(
              `unknown access-response-specification 0x${specTag.toString(16).padStart(2, "0")}`,
              specAt,
            )
            .withPath(`accessResponseSpecification[${i}]`);
        }
        accessResponseSpecification.push({ kind, result: r.u8() });
      }
      apdu = {
        apdu: "access-response",
        longInvokeIdAndPriority,
        dateTime,
        accessRequestSpecification,
        accessResponseListOfData,
        accessResponseSpecification,
      };
      break;
    }
    case ApduTag["data-notification"]: {
      const longInvokeIdAndPriority = readInvokeId(r);
      const dateTime = readDateTimeAtPath(r);
      const notificationBody = decodeDataAtPath(r, "notificationBody");
      apdu = { apdu: "data-notification", longInvokeIdAndPriority, dateTime, notificationBody };
      break;
    }
    default:
      throw r.unexpected(`not an xDLMS APDU tag: 0x${tag.toString(16).padStart(2, "0")}`, at);
  }
  r.end(apdu.apdu);
  return apdu;
}

export function encodeApdu(apdu: XDlmsApdu): Uint8Array {
  const w = new Writer(128);
  w.u8(ApduTag[apdu.apdu]);
  writeInvokeId(w, apdu.longInvokeIdAndPriority);
  writeDateTimeField(w, apdu.dateTime);
  switch (apdu.apdu) {
    case "access-request":
      writeList(w, apdu.accessRequestSpecification, writeRequestSpecification);
      writeList(w, apdu.accessRequestListOfData, writeData);
      break;
    case "access-response":
      if (apdu.accessRequestSpecification === null) w.u8(0);
      else {
        w.u8(1);
        writeList(w, apdu.accessRequestSpecification, writeRequestSpecification);
      }
      writeList(w, apdu.accessResponseListOfData, writeData);
      writeList(w, apdu.accessResponseSpecification, (w, s) => {
        if (!Number.isInteger(s.result) || s.result < 0 || s.result > 255) {
          throw new RangeError(`result out of range: ${s.result}`);
        }
        w.u8(AccessResponseSpecificationTag[s.kind]).u8(s.result);
      });
      break;
    case "data-notification":
      writeData(w, apdu.notificationBody);
      break;
  }
  return w.finish();
}

/** One request specification with what the device answered for it. */
export interface AccessOutcome {
  readonly specification: AccessRequestSpecification;
  /** The data returned (null-data for a set or a failure, the value read for a get). */
  readonly data: DlmsData | undefined;
  /** The device's result for it; undefined when the response stopped before it (break-on-error). */
  readonly result: AccessResponseSpecification | undefined;
}

/**
 * Pairs the specifications of a command with the data and results of its response, in order.
 * GBCS responses do not echo the request specifications, so the reader of a response needs the
 * command it answers (the DCC keeps it; a device's answer to it is correlated by counter).
 */
export function pairAccessResponse(request: AccessRequest, response: AccessResponse): AccessOutcome[] {
  return request.accessRequestSpecification.map((specification, i) => ({
    specification,
    data: response.accessResponseListOfData[i],
    result: response.accessResponseSpecification[i],
  }));
}
