/**
 * The sensitive ESME reads: use cases whose command invokes get_protected_attributes (class 30,
 * 0-0:43.2.8.255, method 1) and whose response carries the values encrypted for the remote party.
 * They differ only in which objects they read and whether a date range restricts a profile
 * (restriction_type 1: structure { from_date, to_date } as COSEM date-time octet-strings), so they
 * are one data table here and one builder.
 */
import { DecodeError } from "../../errors.js";
import {
  type AccessRequest,
  type AccessResponse,
  ActionResult,
  accessResultName,
  encodeApdu,
  gbcsInvokeIdAndPriority,
} from "../apdu.js";
import { type CosemDateTime, type DlmsData, encodeCosemDateTime, encodeData } from "../data.js";
import type { DlmsPayload } from "../index.js";
import type { ObisCode } from "../obis.js";
import {
  type CipheredBlock,
  DATA_PROTECTION_CLASS_ID,
  GBCS_SECURITY_CONTROL,
  GBCS_TAG_LENGTH,
  GET_PROTECTED_ATTRIBUTES,
  gbcsProtectionParameters,
  getProtectedAttributesRequestToData,
  getProtectedAttributesResponseToData,
  NO_RESTRICTION,
  type ObjectListElement,
  structureOf,
} from "../protection.js";

/** One object that a protected read returns (attribute 2, the value or the profile buffer). */
export interface ProtectedObject {
  readonly classId: number;
  readonly logicalName: ObisCode;
}

export interface ProtectedReadUseCase {
  readonly messageCode: number;
  /** The Data Protection object (class 30) whose get_protected_attributes the command invokes. */
  readonly dataProtection: ObisCode;
  readonly title: string;
  readonly objects: readonly ProtectedObject[];
  /** Profiles (class 7) are read for a date range; registers (class 1) are not restricted. */
  readonly dateRange: boolean;
}

const register = (logicalName: ObisCode): ProtectedObject => ({ classId: 1, logicalName });
const profile = (logicalName: ObisCode): ProtectedObject => ({ classId: 7, logicalName });

/** The sensitive ESME read use cases (GBCS use-case templates; message codes as in GBCS Table 13.3.5.1). */
export const PROTECTED_READS = {
  ECS17b: {
    messageCode: 0x0027,
    dataProtection: "0-0:43.2.8.255",
    title: "Read ESME Energy Registers (Import Energy)",
    objects: [register("0-0:94.44.34.10")],
    dateRange: false,
  },
  ECS17d: {
    messageCode: 0x0029,
    dataProtection: "0-0:43.2.9.255",
    title: "Read ESME Energy Register (TOU)",
    objects: [register("0-0:94.44.34.1")],
    dateRange: false,
  },
  ECS17e: {
    messageCode: 0x002a,
    dataProtection: "0-0:43.2.10.255",
    title: "Read ESME Energy Register (TOU with Blocks)",
    objects: [register("0-0:94.44.34.2")],
    dateRange: false,
  },
  ECS19: {
    messageCode: 0x002d,
    dataProtection: "0-0:43.2.1.255",
    title: "Read ESME Prepayment Registers",
    objects: [register("0-0:94.44.34.30")],
    dateRange: false,
  },
  ECS20b: {
    messageCode: 0x002f,
    dataProtection: "0-0:43.2.3.255",
    title: "Read ESME Billing Data Log (change of mode / tariff triggered exc export)",
    objects: [profile("0-0:98.1.2.255")],
    dateRange: true,
  },
  ECS20c: {
    messageCode: 0x0030,
    dataProtection: "0-0:43.2.2.255",
    title: "Read ESME Billing Data Log (billing calendar triggered exc export)",
    objects: [profile("0-0:98.1.0.255"), profile("0-0:98.1.1.255")],
    dateRange: true,
  },
  ECS21a: {
    messageCode: 0x0033,
    dataProtection: "0-0:43.2.5.255",
    title: "Read Electricity Daily Read Log (exc export)",
    objects: [profile("0-0:98.1.9.255")],
    dateRange: true,
  },
  ECS21b: {
    messageCode: 0x0034,
    dataProtection: "0-0:43.2.6.255",
    title: "Read Electricity (Prepayment) Daily Read Log",
    objects: [profile("0-0:98.1.8.255")],
    dateRange: true,
  },
  ECS22b: {
    messageCode: 0x0037,
    dataProtection: "0-0:43.2.7.255",
    title: "Read Electricity Half Hour Profile Data (active import)",
    objects: [profile("0-0:99.1.0.255")],
    dateRange: true,
  },
  ECS66: {
    messageCode: 0x0060,
    dataProtection: "0-0:43.2.4.255",
    title: "Read ESME Daily Consumption Log",
    objects: [profile("0-0:99.1.3.255")],
    dateRange: true,
  },
} as const satisfies Record<string, ProtectedReadUseCase>;

export type ProtectedReadName = keyof typeof PROTECTED_READS;

/** The use case of a message code, when it is a protected read. */
export function protectedReadByMessageCode(messageCode: number): ProtectedReadName | undefined {
  return (Object.keys(PROTECTED_READS) as ProtectedReadName[]).find(
    (name) => PROTECTED_READS[name].messageCode === messageCode,
  );
}

/** A profile restriction by date range (restriction_type 1), both ends as COSEM date-times. */
export function dateRangeRestriction(
  from: CosemDateTime | Uint8Array,
  to: CosemDateTime | Uint8Array,
): DlmsData {
  const bytes = (d: CosemDateTime | Uint8Array) => (d instanceof Uint8Array ? d : encodeCosemDateTime(d));
  return {
    type: "structure",
    elements: [
      { type: "enum", value: 1 },
      {
        type: "structure",
        elements: [
          { type: "octet-string", value: bytes(from) },
          { type: "octet-string", value: bytes(to) },
        ],
      },
    ],
  };
}

export interface ProtectedReadCommandInput {
  /** The originator counter of the grouping header. */
  readonly counter: bigint;
  /**
   * The party the values are for, 8 bytes or 16 hex digits: the header's originator, or the
   * Supplementary Remote Party when the header names one (ECS21b sent by the ACB for a supplier).
   */
  readonly originator: Uint8Array | string;
  /** The ESME, 8 bytes or 16 hex digits. */
  readonly recipient: Uint8Array | string;
  /** For profile reads: the range of entries (COSEM date-times, or their 12 bytes). */
  readonly range?: { readonly from: CosemDateTime | Uint8Array; readonly to: CosemDateTime | Uint8Array };
}

/** A system title (EUI-64) as 8 bytes; throws RangeError on anything else. */
export function systemTitle(eui: Uint8Array | string): Uint8Array {
  const bytes =
    typeof eui === "string" && /^[0-9A-Fa-f]{16}$/.test(eui) ? Uint8Array.from(Buffer.from(eui, "hex")) : eui;
  if (typeof bytes === "string" || bytes.length !== 8) {
    throw new RangeError("a system title is 8 bytes (16 hex digits)");
  }
  return bytes;
}

/** The DLMS content of a protected read command. Throws RangeError when a range is missing or not expected. */
export function buildProtectedReadCommand(
  useCase: ProtectedReadName,
  input: ProtectedReadCommandInput,
): Uint8Array {
  const spec: ProtectedReadUseCase = PROTECTED_READS[useCase];
  if (spec.dateRange !== (input.range !== undefined)) {
    throw new RangeError(`${useCase} ${spec.dateRange ? "needs" : "takes no"} date range`);
  }
  const restriction = input.range ? dateRangeRestriction(input.range.from, input.range.to) : NO_RESTRICTION;
  const objectList: ObjectListElement[] = spec.objects.map((o) => ({
    classId: o.classId,
    logicalName: o.logicalName,
    attributeIndex: 2,
    dataIndex: 0,
    restrictingObject: restriction,
  }));
  const request: AccessRequest = {
    apdu: "access-request",
    longInvokeIdAndPriority: gbcsInvokeIdAndPriority(input.counter),
    dateTime: null,
    accessRequestSpecification: [
      {
        kind: "access-request-action",
        cosemMethodDescriptor: {
          classId: DATA_PROTECTION_CLASS_ID,
          instanceId: spec.dataProtection,
          methodId: GET_PROTECTED_ATTRIBUTES,
        },
      },
    ],
    accessRequestListOfData: [
      getProtectedAttributesRequestToData({
        objectList,
        getProtectionParameters: [
          gbcsProtectionParameters(
            input.counter,
            systemTitle(input.originator),
            systemTitle(input.recipient),
          ),
        ],
      }),
    ],
  };
  return encodeApdu(request);
}

export interface ProtectedReadResponseInput {
  /** The counter of the command being answered. */
  readonly counter: bigint;
  /** The ESME (the response's originator), 8 bytes or 16 hex digits. */
  readonly originator: Uint8Array | string;
  /** The response's recipient, 8 bytes or 16 hex digits. */
  readonly recipient: Uint8Array | string;
  /** One value per object of the use case (the plaintext is structure { ...values }). */
  readonly values: readonly DlmsData[];
  /**
   * Encrypts for the party the data is for, as the frame does (src/gbcs/crypto
   * `encryptPayloadData` with the key of `payloadKdfInfo` for the response header, GBCS IV): given
   * the plaintext and the additional data (the security control byte), returns the ciphertext
   * followed by its 12-byte tag.
   */
  readonly encrypt: (plaintext: Uint8Array, aad: Uint8Array) => Uint8Array;
}

function actionResponse(counter: bigint, data: DlmsData, result: number): AccessResponse {
  return {
    apdu: "access-response",
    longInvokeIdAndPriority: gbcsInvokeIdAndPriority(counter),
    dateTime: null,
    accessRequestSpecification: null,
    accessResponseListOfData: [data],
    accessResponseSpecification: [{ kind: "access-response-action", result }],
  };
}

/** The DLMS content of a successful protected read response (the ESME side). */
export function buildProtectedReadResponse(input: ProtectedReadResponseInput): Uint8Array {
  const params = gbcsProtectionParameters(
    input.counter,
    systemTitle(input.originator),
    systemTitle(input.recipient),
  );
  const plaintext = encodeData({ type: "structure", elements: input.values });
  const sealed = input.encrypt(plaintext, Uint8Array.of(GBCS_SECURITY_CONTROL));
  if (sealed.length < GBCS_TAG_LENGTH) throw new RangeError("encrypt returned less than a tag");
  const block: CipheredBlock = {
    securityControl: GBCS_SECURITY_CONTROL,
    // GBCS fixes the invocation counter (the last 4 bytes of the IV) at zero.
    invocationCounter: 0,
    ciphertext: sealed.slice(0, sealed.length - GBCS_TAG_LENGTH),
    tag: sealed.slice(sealed.length - GBCS_TAG_LENGTH),
  };
  const data = getProtectedAttributesResponseToData({
    getProtectionParameters: [params],
    protectedAttributes: block,
  });
  return encodeApdu(actionResponse(input.counter, data, ActionResult.success));
}

/** The DLMS content of a failed protected read: null-data and the action result (e.g. 1 hardware-fault). */
export function buildProtectedReadErrorResponse(input: {
  readonly counter: bigint;
  readonly actionResult: number;
}): Uint8Array {
  if (input.actionResult === ActionResult.success)
    throw new RangeError("an error response needs a failing result");
  return encodeApdu(actionResponse(input.counter, { type: "null-data" }, input.actionResult));
}

export type ProtectedReadResponse =
  /** One value per object of the use case, in order (a register structure, or a profile buffer as a compact-array). */
  | { readonly outcome: "success"; readonly values: readonly DlmsData[] }
  /** Successful, but not readable here: no decrypter, or decryption failed (the reason says which). */
  | { readonly outcome: "encrypted"; readonly protectedAttributes: CipheredBlock; readonly reason: string }
  | {
      readonly outcome: "failure";
      readonly actionResult: number;
      readonly actionResultName: string | undefined;
    };

function notAResponse(reason: string): DecodeError {
  return new DecodeError(`not a protected read response: ${reason}`, { code: "unexpected", offset: 0 });
}

/**
 * The remote party's reading of a protected read response (decode the payload with a decrypter to
 * get the values). Throws a DecodeError when the payload is not one.
 */
export function readProtectedReadResponse(payload: DlmsPayload): ProtectedReadResponse {
  const apdu = payload.apdu;
  if (apdu.apdu !== "access-response") throw notAResponse("not an access-response");
  const [spec, ...more] = apdu.accessResponseSpecification;
  if (spec === undefined || more.length > 0 || spec.kind !== "access-response-action") {
    throw notAResponse("one access-response-action expected");
  }
  if (spec.result !== ActionResult.success) {
    return { outcome: "failure", actionResult: spec.result, actionResultName: accessResultName(spec) };
  }
  const view = payload.protectedAttributes[0];
  if (view === undefined) throw notAResponse("success without protected attributes");
  const decrypted = view.decrypted;
  if (decrypted === undefined || !decrypted.ok) {
    return {
      outcome: "encrypted",
      protectedAttributes: view.response.protectedAttributes,
      reason: decrypted?.reason ?? "no decrypter",
    };
  }
  const data = decrypted.data;
  if (data.type !== "structure") throw notAResponse("protected attribute values are not a structure");
  return {
    outcome: "success",
    values: structureOf(data, data.elements.length, "protected attribute values"),
  };
}
