/**
 * GCS13a Read GSME Consumption Register, message code 0x0074, SRV 4.1.1 (Read Instantaneous Import
 * Registers) for gas. The command is one Read Attributes of the Metering cluster (Divisor,
 * Multiplier, Unit of Measure, CurrentSummationDelivered); the GSME (or the GPF for it) answers
 * with a Read Attributes Response ciphered for the supplier (GBCS §8.4).
 */
import { DecodeError } from "../../errors.js";
import {
  encodeGbz,
  GBZ_AE_MAC_LENGTH,
  GBZ_PROFILE_ID,
  type GbzComponent,
  type GbzPayload,
  singleComponentPayload,
} from "../gbz-payload.js";
import { ZclCluster, ZclGlobalCommand, ZclStatus } from "../zcl-commands.js";
import { ZclDataType } from "../zcl-data-types.js";
import type { ZclHeader, ZclReadAttributeRecord } from "../zcl-frame.js";

export const GCS13A_MESSAGE_CODE = 0x0074;

/** The Metering cluster attributes GCS13a reads, in the order of the template. */
export const Gcs13aAttribute = {
  divisor: 0x0302,
  multiplier: 0x0301,
  unitOfMeasure: 0x0300,
  currentSummationDelivered: 0x0000,
} as const;

/** ZCL data type of each attribute in the response template. */
const attributeTypes = {
  divisor: ZclDataType.uint24,
  multiplier: ZclDataType.uint24,
  unitOfMeasure: ZclDataType.enum8,
  currentSummationDelivered: ZclDataType.uint48,
} as const;

type Gcs13aAttributeName = keyof typeof Gcs13aAttribute;
const ORDER: readonly Gcs13aAttributeName[] = [
  "divisor",
  "multiplier",
  "unitOfMeasure",
  "currentSummationDelivered",
];

/** The consumption register and how to read it: value × multiplier / divisor, in unitOfMeasure (1 = m³). */
export interface GsmeConsumptionRegister {
  readonly divisor: number;
  readonly multiplier: number;
  readonly unitOfMeasure: number;
  readonly currentSummationDelivered: number;
}

/** Per attribute: its value, or the ZCL status the meter gave instead. */
export type Gcs13aReadings = {
  readonly [K in Gcs13aAttributeName]: { readonly value: number } | { readonly status: number };
};

const readRequestHeader: ZclHeader = {
  frameControl: {
    frameType: "global",
    manufacturerSpecific: false,
    direction: "clientToServer",
    disableDefaultResponse: false,
    reserved: 0,
  },
  transactionSequenceNumber: 0,
  commandId: ZclGlobalCommand.readAttributes,
};

const readResponseHeader: ZclHeader = {
  frameControl: {
    frameType: "global",
    manufacturerSpecific: false,
    direction: "serverToClient",
    disableDefaultResponse: true,
    reserved: 0,
  },
  transactionSequenceNumber: 0,
  commandId: ZclGlobalCommand.readAttributesResponse,
};

/** The GBZ payload of the GCS13a command. */
export function gcs13aCommand(): GbzPayload {
  return singleComponentPayload(ZclCluster.metering, {
    header: readRequestHeader,
    payload: { kind: "readAttributes", attributeIds: ORDER.map((n) => Gcs13aAttribute[n]) },
  });
}

/** The content bytes of the GCS13a command. */
export function buildGcs13aCommand(): Uint8Array {
  return encodeGbz(gcs13aCommand());
}

/** The Read Attributes Response records for `readings` (the plaintext the GSME ciphers). */
export function gcs13aRecords(readings: Gcs13aReadings | GsmeConsumptionRegister): ZclReadAttributeRecord[] {
  return ORDER.map((name) => {
    const r = readings[name];
    const attributeId = Gcs13aAttribute[name];
    if (typeof r === "number")
      return { attributeId, status: ZclStatus.success, value: { type: attributeTypes[name], value: r } };
    if ("status" in r) return { attributeId, status: r.status };
    return { attributeId, status: ZclStatus.success, value: { type: attributeTypes[name], value: r.value } };
  });
}

export interface Gcs13aResponseInput {
  readonly readings: Gcs13aReadings | GsmeConsumptionRegister;
  /**
   * Encrypts for the supplier as the frame does (src/gbcs/crypto `encryptPayloadData` with the key
   * of `payloadKdfInfo` for the response header): given the plaintext and the additional data (the
   * security control byte 0x31), returns the ciphertext followed by its 12-byte AE MAC.
   */
  readonly encrypt: (plaintext: Uint8Array, aad: Uint8Array) => Uint8Array;
}

/** The content bytes of a GCS13a response (the GSME / GPF side). */
export function buildGcs13aResponse(input: Gcs13aResponseInput): Uint8Array {
  const records = gcs13aRecords(input.readings);
  // The plaintext is the ZCL payload alone: encode the records through a one-component payload.
  const plain = encodeGbz(
    singleComponentPayload(ZclCluster.metering, {
      header: readResponseHeader,
      payload: { kind: "readAttributesResponse", records },
    }),
  );
  // Profile id (2), count (1), extended header (5), ZCL header (3).
  const plaintext = plain.subarray(2 + 1 + 5 + 3);
  const securityControl = 0x31;
  const sealed = input.encrypt(plaintext, Uint8Array.of(securityControl));
  if (sealed.length < GBZ_AE_MAC_LENGTH) throw new RangeError("encrypt returned less than an AE MAC");
  const component: GbzComponent = {
    clusterId: ZclCluster.metering,
    lastMessage: true,
    reservedControlBits: 0,
    body: {
      encrypted: true,
      additionalHeaderControl: 0,
      additionalHeaderFrameCounter: 0,
      header: readResponseHeader,
      ciphered: {
        securityControl,
        invocationCounter: 0,
        ciphertext: sealed.slice(0, sealed.length - GBZ_AE_MAC_LENGTH),
        aeMac: sealed.slice(sealed.length - GBZ_AE_MAC_LENGTH),
      },
    },
  };
  return encodeGbz({
    family: "gbz",
    kind: "components",
    profileId: GBZ_PROFILE_ID,
    components: [component],
  });
}

export type Gcs13aResponse =
  | {
      readonly outcome: "success";
      readonly readings: Gcs13aReadings;
      readonly register?: GsmeConsumptionRegister;
    }
  /** The response was not deciphered: no decrypt hook, or it failed (the reason says which). */
  | { readonly outcome: "encrypted"; readonly reason: string };

function unexpected(reason: string): DecodeError {
  return new DecodeError(reason, { code: "unexpected", offset: 0, path: "GCS13a" });
}

/**
 * The supplier's reading of a GCS13a response payload (decoded with a decrypt hook to see the
 * values). `register` is there when all four attributes were read. Throws a DecodeError when the
 * payload is not a GCS13a response.
 */
export function readGcs13aResponse(payload: GbzPayload): Gcs13aResponse {
  if (payload.kind !== "components" || payload.components.length !== 1) {
    throw unexpected("a GCS13a response has one GBZ component");
  }
  const c = payload.components[0]!;
  if (c.clusterId !== ZclCluster.metering) throw unexpected("a GCS13a response is from the Metering cluster");
  const body = c.body;
  const zcl = body.encrypted ? body.plaintext : body.frame.payload;
  if (zcl === undefined) {
    return { outcome: "encrypted", reason: body.encrypted ? (body.decryptFailure ?? "no decrypt hook") : "" };
  }
  if (zcl.kind !== "readAttributesResponse")
    throw unexpected(`a Read Attributes Response expected, got ${zcl.kind}`);
  const out: Partial<Record<Gcs13aAttributeName, { value: number } | { status: number }>> = {};
  for (const name of ORDER) {
    const rec = zcl.records.find((r) => r.attributeId === Gcs13aAttribute[name]);
    if (rec === undefined) throw unexpected(`attribute ${name} missing`);
    if (rec.status !== ZclStatus.success || rec.value === undefined) out[name] = { status: rec.status };
    else if (typeof rec.value.value !== "number") throw unexpected(`attribute ${name} is not a number`);
    else out[name] = { value: rec.value.value };
  }
  const readings = out as Gcs13aReadings;
  const values = ORDER.map((n) => readings[n]);
  if (values.every((v) => "value" in v)) {
    const [divisor, multiplier, unitOfMeasure, currentSummationDelivered] = values.map((v) =>
      "value" in v ? v.value : 0,
    );
    return {
      outcome: "success",
      readings,
      register: {
        divisor: divisor!,
        multiplier: multiplier!,
        unitOfMeasure: unitOfMeasure!,
        currentSummationDelivered: currentSummationDelivered!,
      },
    };
  }
  return { outcome: "success", readings };
}
