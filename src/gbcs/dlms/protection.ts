/**
 * GBCS sensitive payloads: the Data Protection interface class (class_id 30, GBCS §8.5), whose
 * method 1 `get_protected_attributes` returns attribute values encrypted for the remote party.
 *
 * Command parameters: structure { object_list array of object_list_element, get_protection_parameters
 * array of protection_parameters_element }. Response data: structure { get_protection_parameters,
 * protected_attributes octet-string }, where protected_attributes is a ciphered block:
 * security control byte (0x31: authenticated encryption, security suite 1), 4-byte invocation counter,
 * ciphertext, 12-byte GCM tag.
 *
 * Decryption is the frame's business (PayloadContext.decrypt; src/gbcs/crypto/payload-encryption.ts):
 * the KDF with CRA flag 4 between the device and the party the data is for, IV originator system
 * title || invocation counter (0), additional data the security control byte, a 12-byte tag. The
 * protection options repeat the header (transaction id 0x04 || counter, device → recipient) but
 * are not the key inputs: in ECS21b URP the options name the ACB and the header counter, while the
 * key is for the supplementary remote party with the supplementary originator counter.
 *
 * The data tree stays the source of truth (it re-encodes exactly); the typed values here are views
 * of it and builders for it.
 */
import { DecodeError } from "../errors.js";
import type { DlmsData } from "./data.js";
import { type ObisCode, obisFromBytes, obisToBytes } from "./obis.js";

/** The Data Protection interface class. */
export const DATA_PROTECTION_CLASS_ID = 30;
/** The ESME's Data Protection object of ECS17b; each protected read has its own (PROTECTED_READS). */
export const DATA_PROTECTION_INSTANCE: ObisCode = "0-0:43.2.8.255";
/** Method 1 of class 30. */
export const GET_PROTECTED_ATTRIBUTES = 1;

/** Security control byte of GBCS protected attributes: authentication (bit 4) and encryption (bit 5), suite 1. */
export const GBCS_SECURITY_CONTROL = 0x31;
export const GBCS_TAG_LENGTH = 12;
/** Transaction id first byte for protected attributes (0x01-0x03 are the CRA flags of frames). */
export const PROTECTED_ATTRIBUTES_TRANSACTION_TYPE = 0x04;

/** protection_type enum of class 30. */
export const ProtectionType = {
  authentication: 0,
  encryption: 1,
  "authentication-and-encryption": 2,
  "digital-signature": 3,
} as const;

/** One element of object_list: which attribute to protect. */
export interface ObjectListElement {
  readonly classId: number;
  readonly logicalName: ObisCode;
  readonly attributeIndex: number;
  readonly dataIndex: number;
  /** GBCS' restricting_object structure { restriction_type enum, restriction_value }, kept as data. */
  readonly restrictingObject: DlmsData;
}

/** key_info of the protection options (GBCS: type 2 = agreed key, key_parameters 0x02). */
export interface KeyInfo {
  readonly keyInfoType: number;
  readonly keyParameters: Uint8Array;
  readonly keyCipheredData: Uint8Array;
}

export interface ProtectionOptions {
  /** 9 bytes: 0x04 || the 8-byte originator counter of the command. */
  readonly transactionId: Uint8Array;
  readonly originatorSystemTitle: Uint8Array;
  readonly recipientSystemTitle: Uint8Array;
  readonly otherInformation: Uint8Array;
  readonly keyInfo: KeyInfo;
}

export interface ProtectionParameters {
  readonly protectionType: number;
  readonly protectionOptions: ProtectionOptions;
}

/** The octet-string `protected_attributes`, split. */
export interface CipheredBlock {
  readonly securityControl: number;
  readonly invocationCounter: number;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** The 9-byte transaction id for a counter. */
export function protectedTransactionId(counter: bigint): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = PROTECTED_ATTRIBUTES_TRANSACTION_TYPE;
  new DataView(out.buffer).setBigUint64(1, counter, false);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mismatch(what: string): DecodeError {
  return new DecodeError(`not a ${what}`, { code: "unexpected", offset: 0 });
}

/** The elements of a structure of exactly `n` elements, or a DecodeError. */
export function structureOf(d: DlmsData, n: number, what: string): readonly DlmsData[] {
  if (d.type !== "structure" || d.elements.length !== n) throw mismatch(what);
  return d.elements;
}

export function octets(d: DlmsData | undefined, what: string): Uint8Array {
  if (d?.type !== "octet-string") throw mismatch(what);
  return d.value;
}

export function small(
  d: DlmsData | undefined,
  type: "enum" | "integer" | "long-unsigned" | "unsigned",
  what: string,
): number {
  if (d?.type !== type) throw mismatch(what);
  return d.value;
}

function arrayOf(d: DlmsData | undefined, what: string): readonly DlmsData[] {
  if (d?.type !== "array") throw mismatch(what);
  return d.elements;
}

export function protectionParametersFromData(d: DlmsData): ProtectionParameters {
  const [type, options] = structureOf(d, 2, "protection_parameters_element");
  const o = structureOf(options!, 5, "protection_options");
  const [keyInfoType, keyInfoOptions] = structureOf(o[4]!, 2, "key_info");
  const [keyParameters, keyCipheredData] = structureOf(keyInfoOptions!, 2, "key_info_options");
  return {
    protectionType: small(type, "enum", "protection_type"),
    protectionOptions: {
      transactionId: octets(o[0], "transaction_id"),
      originatorSystemTitle: octets(o[1], "originator_system_title"),
      recipientSystemTitle: octets(o[2], "recipient_system_title"),
      otherInformation: octets(o[3], "other_information"),
      keyInfo: {
        keyInfoType: small(keyInfoType, "enum", "key_info_type"),
        keyParameters: octets(keyParameters, "key_parameters"),
        keyCipheredData: octets(keyCipheredData, "key_ciphered_data"),
      },
    },
  };
}

const os = (value: Uint8Array): DlmsData => ({ type: "octet-string", value });

export function protectionParametersToData(p: ProtectionParameters): DlmsData {
  const o = p.protectionOptions;
  return {
    type: "structure",
    elements: [
      { type: "enum", value: p.protectionType },
      {
        type: "structure",
        elements: [
          os(o.transactionId),
          os(o.originatorSystemTitle),
          os(o.recipientSystemTitle),
          os(o.otherInformation),
          {
            type: "structure",
            elements: [
              { type: "enum", value: o.keyInfo.keyInfoType },
              { type: "structure", elements: [os(o.keyInfo.keyParameters), os(o.keyInfo.keyCipheredData)] },
            ],
          },
        ],
      },
    ],
  };
}

/**
 * GBCS' usual protection parameters: authentication and encryption, agreed key (key_info_type 2,
 * key_parameters 0x02), empty other_information.
 */
export function gbcsProtectionParameters(
  counter: bigint,
  originator: Uint8Array,
  recipient: Uint8Array,
): ProtectionParameters {
  return {
    protectionType: ProtectionType["authentication-and-encryption"],
    protectionOptions: {
      transactionId: protectedTransactionId(counter),
      originatorSystemTitle: originator,
      recipientSystemTitle: recipient,
      otherInformation: new Uint8Array(0),
      keyInfo: { keyInfoType: 2, keyParameters: Uint8Array.of(0x02), keyCipheredData: new Uint8Array(0) },
    },
  };
}

export function objectListElementFromData(d: DlmsData): ObjectListElement {
  const [classId, logicalName, attributeIndex, dataIndex, restrictingObject] = structureOf(
    d,
    5,
    "object_list_element",
  );
  return {
    classId: small(classId, "long-unsigned", "class_id"),
    logicalName: obisFromBytes(octets(logicalName, "logical_name")),
    attributeIndex: small(attributeIndex, "integer", "attribute_index"),
    dataIndex: small(dataIndex, "long-unsigned", "data_index"),
    restrictingObject: restrictingObject!,
  };
}

export function objectListElementToData(e: ObjectListElement): DlmsData {
  return {
    type: "structure",
    elements: [
      { type: "long-unsigned", value: e.classId },
      os(obisToBytes(e.logicalName)),
      { type: "integer", value: e.attributeIndex },
      { type: "long-unsigned", value: e.dataIndex },
      e.restrictingObject,
    ],
  };
}

/** GBCS' "no restriction": structure { enum 0, null-data }. */
export const NO_RESTRICTION: DlmsData = {
  type: "structure",
  elements: [{ type: "enum", value: 0 }, { type: "null-data" }],
};

/** get_protected_attributes parameters (the command side). */
export interface GetProtectedAttributesRequest {
  readonly objectList: readonly ObjectListElement[];
  readonly getProtectionParameters: readonly ProtectionParameters[];
}

export function getProtectedAttributesRequestToData(p: GetProtectedAttributesRequest): DlmsData {
  return {
    type: "structure",
    elements: [
      { type: "array", elements: p.objectList.map(objectListElementToData) },
      { type: "array", elements: p.getProtectionParameters.map(protectionParametersToData) },
    ],
  };
}

export function getProtectedAttributesRequestFromData(d: DlmsData): GetProtectedAttributesRequest {
  const [list, params] = structureOf(d, 2, "get_protected_attributes parameters");
  return {
    objectList: arrayOf(list, "object_list").map(objectListElementFromData),
    getProtectionParameters: arrayOf(params, "get_protection_parameters").map(protectionParametersFromData),
  };
}

/** get_protected_attributes return data (the response side), ciphered block split. */
export interface GetProtectedAttributesResponse {
  readonly getProtectionParameters: readonly ProtectionParameters[];
  readonly protectedAttributes: CipheredBlock;
}

export function cipheredBlockFromBytes(bytes: Uint8Array): CipheredBlock {
  if (bytes.length < 5 + GBCS_TAG_LENGTH) {
    throw new DecodeError(
      `protected_attributes of ${bytes.length} bytes is shorter than its header and tag`,
      {
        code: "truncated",
        offset: 0,
        needed: 5 + GBCS_TAG_LENGTH,
        available: bytes.length,
      },
    );
  }
  return {
    securityControl: bytes[0]!,
    invocationCounter: new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0, false),
    ciphertext: bytes.slice(5, bytes.length - GBCS_TAG_LENGTH),
    tag: bytes.slice(bytes.length - GBCS_TAG_LENGTH),
  };
}

export function cipheredBlockToBytes(b: CipheredBlock): Uint8Array {
  const header = new Uint8Array(5);
  header[0] = b.securityControl;
  new DataView(header.buffer).setUint32(1, b.invocationCounter, false);
  return concat(header, b.ciphertext, b.tag);
}

export function getProtectedAttributesResponseFromData(d: DlmsData): GetProtectedAttributesResponse {
  const [params, block] = structureOf(d, 2, "get_protected_attributes result");
  return {
    getProtectionParameters: arrayOf(params, "get_protection_parameters").map(protectionParametersFromData),
    protectedAttributes: cipheredBlockFromBytes(octets(block, "protected_attributes")),
  };
}

export function getProtectedAttributesResponseToData(r: GetProtectedAttributesResponse): DlmsData {
  return {
    type: "structure",
    elements: [
      { type: "array", elements: r.getProtectionParameters.map(protectionParametersToData) },
      os(cipheredBlockToBytes(r.protectedAttributes)),
    ],
  };
}

/** True when `d` is an octet-string (the shape `octets` accepts). */
function isOctets(d: DlmsData | undefined): boolean {
  return d !== undefined && d.type === "octet-string";
}

/** True when `d` is a structure of exactly `n` elements (the shape `structureOf` accepts). */
function isStructureOf(d: DlmsData | undefined, n: number): d is Extract<DlmsData, { type: "structure" }> {
  return d !== undefined && d.type === "structure" && d.elements.length === n;
}

/** True when `protectionParametersFromData(d)` would succeed; it does not throw. */
function isProtectionParameters(d: DlmsData): boolean {
  if (!isStructureOf(d, 2)) return false;
  const [type, options] = d.elements;
  if (type!.type !== "enum" || !isStructureOf(options, 5)) return false;
  const o = options.elements;
  if (!isOctets(o[0]) || !isOctets(o[1]) || !isOctets(o[2]) || !isOctets(o[3])) return false;
  const keyInfo = o[4];
  if (!isStructureOf(keyInfo, 2)) return false;
  const [keyInfoType, keyInfoOptions] = keyInfo.elements;
  if (keyInfoType!.type !== "enum" || !isStructureOf(keyInfoOptions, 2)) return false;
  return isOctets(keyInfoOptions.elements[0]) && isOctets(keyInfoOptions.elements[1]);
}

/**
 * True when `d` has the shape of a get_protected_attributes result (used to find sensitive data):
 * exactly when `getProtectedAttributesResponseFromData(d)` succeeds, checked without throwing, as
 * it runs for every entry of every access-response.
 */
export function isGetProtectedAttributesResponse(d: DlmsData): boolean {
  if (!isStructureOf(d, 2)) return false;
  const [params, block] = d.elements;
  if (params!.type !== "array" || block!.type !== "octet-string") return false;
  if (block.value.length < 5 + GBCS_TAG_LENGTH) return false;
  for (const p of params.elements) if (!isProtectionParameters(p)) return false;
  return true;
}
