/**
 * DLMS COSEM commands as data (GBCS §7.2.8, §8): a command is one xDLMS access-request whose
 * specifications are gets, sets and actions on COSEM objects (class, OBIS logical name, attribute or
 * method), each with its data (null-data for a get, the value for a set, the parameter for an
 * action). A spec row lists them; `accessRequest` makes the payload tree the DLMS codec encodes.
 *
 * `dlms` holds the Data constructors the rows use, named by the Green Book's types.
 */

import type { AccessRequestSpecification } from "../../gbcs/dlms/apdu.js";
import type { CosemDateTime, DlmsData } from "../../gbcs/dlms/data.js";
import { decodeCosemDateTime } from "../../gbcs/dlms/data.js";
import { type DlmsPayload, gbcsInvokeIdAndPriority, type ObisCode } from "../../gbcs/dlms/index.js";
import { toCosemDateTime } from "../../gbcs/frame.js";

/** One specification of an access-request, with its data. */
export type DlmsRequestItem =
  | {
      readonly kind: "get";
      readonly classId: number;
      readonly obis: ObisCode;
      readonly attributeId: number;
      /** Selective access (e.g. selector 1, a range of a profile's buffer). */
      readonly selection?: { readonly accessSelector: number; readonly accessParameters: DlmsData };
    }
  | {
      readonly kind: "set";
      readonly classId: number;
      readonly obis: ObisCode;
      readonly attributeId: number;
      readonly value: DlmsData;
    }
  | {
      readonly kind: "action";
      readonly classId: number;
      readonly obis: ObisCode;
      readonly methodId: number;
      readonly parameter: DlmsData;
    };

/** A get of an attribute. */
export function get(
  classId: number,
  obis: ObisCode,
  attributeId: number,
  selection?: { accessSelector: number; accessParameters: DlmsData },
): DlmsRequestItem {
  return selection === undefined
    ? { kind: "get", classId, obis, attributeId }
    : { kind: "get", classId, obis, attributeId, selection };
}

/** A set of an attribute to a value. */
export function set(classId: number, obis: ObisCode, attributeId: number, value: DlmsData): DlmsRequestItem {
  return { kind: "set", classId, obis, attributeId, value };
}

/** An action (method invocation) with its parameter. */
export function action(
  classId: number,
  obis: ObisCode,
  methodId: number,
  parameter: DlmsData,
): DlmsRequestItem {
  return { kind: "action", classId, obis, methodId, parameter };
}

/**
 * The access-request of a GBCS DLMS command: invoke id from the transaction counter, break-on-error,
 * the items in order; `dateTime` is the execution date-time of a future-dated command (else null).
 */
export function accessRequest(
  counter: bigint,
  items: readonly DlmsRequestItem[],
  dateTime: CosemDateTime | null = null,
): DlmsPayload {
  return {
    family: "dlms",
    apdu: {
      apdu: "access-request",
      longInvokeIdAndPriority: gbcsInvokeIdAndPriority(counter),
      dateTime,
      accessRequestSpecification: items.map(specification),
      accessRequestListOfData: items.map((i) =>
        i.kind === "get" ? dlms.null : i.kind === "set" ? i.value : i.parameter,
      ),
    },
    protectedAttributes: [],
  };
}

function specification(i: DlmsRequestItem): AccessRequestSpecification {
  switch (i.kind) {
    case "get": {
      const cosemAttributeDescriptor = { classId: i.classId, instanceId: i.obis, attributeId: i.attributeId };
      return i.selection === undefined
        ? { kind: "access-request-get", cosemAttributeDescriptor }
        : {
            kind: "access-request-get-with-selection",
            cosemAttributeDescriptor,
            accessSelection: i.selection,
          };
    }
    case "set":
      return {
        kind: "access-request-set",
        cosemAttributeDescriptor: { classId: i.classId, instanceId: i.obis, attributeId: i.attributeId },
      };
    case "action":
      return {
        kind: "access-request-action",
        cosemMethodDescriptor: { classId: i.classId, instanceId: i.obis, methodId: i.methodId },
      };
  }
}

/** The COSEM date-time of an instant in UTC (deviation 0, clock status 0), as GBCS commands carry it. */
export function cosemDateTimeOf(ms: number): CosemDateTime {
  return decodeCosemDateTime(toCosemDateTime(new Date(ms)));
}

/** Data constructors, by Green Book type. */
export const dlms = {
  null: { type: "null-data" } as DlmsData,
  boolean: (value: boolean): DlmsData => ({ type: "boolean", value }),
  integer: (value: number): DlmsData => ({ type: "integer", value }),
  long: (value: number): DlmsData => ({ type: "long", value }),
  doubleLong: (value: number): DlmsData => ({ type: "double-long", value }),
  unsigned: (value: number): DlmsData => ({ type: "unsigned", value }),
  longUnsigned: (value: number): DlmsData => ({ type: "long-unsigned", value }),
  doubleLongUnsigned: (value: number): DlmsData => ({ type: "double-long-unsigned", value }),
  long64: (value: bigint): DlmsData => ({ type: "long64", value }),
  long64Unsigned: (value: bigint): DlmsData => ({ type: "long64-unsigned", value }),
  enum: (value: number): DlmsData => ({ type: "enum", value }),
  octets: (value: Uint8Array): DlmsData => ({ type: "octet-string", value }),
  visible: (value: string): DlmsData => ({ type: "visible-string", value }),
  bits: (bitLength: number, bits: Uint8Array): DlmsData => ({ type: "bit-string", bitLength, bits }),
  structure: (...elements: DlmsData[]): DlmsData => ({ type: "structure", elements }),
  array: (elements: readonly DlmsData[]): DlmsData => ({ type: "array", elements }),
  dateTime: (value: CosemDateTime): DlmsData => ({ type: "date-time", value }),
  /** A COSEM date-time as the 12-byte octet-string GBCS usually carries it in. */
  dateTimeOctets: (ms: number): DlmsData => ({ type: "octet-string", value: toCosemDateTime(new Date(ms)) }),
} as const;
