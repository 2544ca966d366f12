/**
 * ECS17b Read ESME Energy Registers (Import Energy), message code 0x0027, SRV 4.1.1 (Read
 * Instantaneous Import Registers). A sensitive use case: the ESME answers
 * get_protected_attributes (class 30, 0-0:43.2.8.255, method 1) with the import register collection
 * (class 1 Data, 0-0:94.44.34.10, attribute 2) encrypted for the supplier.
 *
 * import_register_collection ::= structure {
 *   active_import_value double-long-unsigned; structure { active_import_scaler integer; active_import_unit enum }
 *   reactive_import_value double-long-unsigned; structure { reactive_import_scaler integer; reactive_import_unit enum }
 *   second_active_import_value double-long-unsigned OPTIONAL   -- twin element ESME only
 * }
 */
import { DecodeError, inPath } from "../../errors.js";
import { type DlmsData, encodeData } from "../data.js";
import type { DlmsPayload } from "../index.js";
import type { ObisCode } from "../obis.js";
import { type CipheredBlock, small, structureOf } from "../protection.js";
import {
  buildProtectedReadCommand,
  buildProtectedReadErrorResponse,
  buildProtectedReadResponse,
  readProtectedReadResponse,
} from "./protected-reads.js";

export const ECS17B_MESSAGE_CODE = 0x0027;
/** ImportRegisterCollection: class 1 (Data), attribute 2 (value). */
export const IMPORT_REGISTER_COLLECTION: { readonly classId: number; readonly logicalName: ObisCode } = {
  classId: 1,
  logicalName: "0-0:94.44.34.10",
};
/** DLMS unit enum values used here (Blue Book table "unit"). */
export const DlmsUnit = { Wh: 30, varh: 32 } as const;

export interface ImportRegisterCollection {
  readonly activeImportValue: number;
  readonly activeImportScaler: number;
  readonly activeImportUnit: number;
  readonly reactiveImportValue: number;
  readonly reactiveImportScaler: number;
  readonly reactiveImportUnit: number;
  /** Twin-element ESME only. */
  readonly secondActiveImportValue?: number;
}

export interface Ecs17bCommandInput {
  /** The originator counter of the grouping header (transaction id). */
  readonly counter: bigint;
  /** The remote party's EUI (supplier): the grouping header's originator; 8 bytes or 16 hex digits. */
  readonly originator: Uint8Array | string;
  /** The ESME's EUI, 8 bytes or 16 hex digits. */
  readonly recipient: Uint8Array | string;
}

/** The DLMS content of the ECS17b command. */
export function buildEcs17bCommand(input: Ecs17bCommandInput): Uint8Array {
  return buildProtectedReadCommand("ECS17b", input);
}

export function importRegisterCollectionToData(r: ImportRegisterCollection): DlmsData {
  const scalUnit = (scaler: number, unit: number): DlmsData => ({
    type: "structure",
    elements: [
      { type: "integer", value: scaler },
      { type: "enum", value: unit },
    ],
  });
  const elements: DlmsData[] = [
    { type: "double-long-unsigned", value: r.activeImportValue },
    scalUnit(r.activeImportScaler, r.activeImportUnit),
    { type: "double-long-unsigned", value: r.reactiveImportValue },
    scalUnit(r.reactiveImportScaler, r.reactiveImportUnit),
  ];
  if (r.secondActiveImportValue !== undefined) {
    elements.push({ type: "double-long-unsigned", value: r.secondActiveImportValue });
  }
  return { type: "structure", elements };
}

function u32(d: DlmsData | undefined, what: string): number {
  if (d?.type !== "double-long-unsigned") {
    throw new DecodeError(`${what} is not a double-long-unsigned`, { code: "unexpected", offset: 0 });
  }
  return d.value;
}

export function importRegisterCollectionFromData(d: DlmsData): ImportRegisterCollection {
  const twin = d.type === "structure" && d.elements.length === 5;
  const e = structureOf(d, twin ? 5 : 4, "import_register_collection");
  const [activeScaler, activeUnit] = structureOf(e[1]!, 2, "active_scal_unit_type");
  const [reactiveScaler, reactiveUnit] = structureOf(e[3]!, 2, "reactive_scal_unit_type");
  const base: ImportRegisterCollection = {
    activeImportValue: u32(e[0], "active_import_value"),
    activeImportScaler: small(activeScaler, "integer", "active_import_scaler"),
    activeImportUnit: small(activeUnit, "enum", "active_import_unit"),
    reactiveImportValue: u32(e[2], "reactive_import_value"),
    reactiveImportScaler: small(reactiveScaler, "integer", "reactive_import_scaler"),
    reactiveImportUnit: small(reactiveUnit, "enum", "reactive_import_unit"),
  };
  return twin ? { ...base, secondActiveImportValue: u32(e[4], "second_active_import_value") } : base;
}

/** The plaintext of protected_attributes: one value per object_list element (here one). */
export function ecs17bPlaintext(registers: ImportRegisterCollection): Uint8Array {
  return encodeData({ type: "structure", elements: [importRegisterCollectionToData(registers)] });
}

export interface Ecs17bResponseInput {
  /** The counter of the command being answered. */
  readonly counter: bigint;
  /** The ESME's EUI (the response's originator), 8 bytes or 16 hex digits. */
  readonly originator: Uint8Array | string;
  /** The remote party's EUI, 8 bytes or 16 hex digits. */
  readonly recipient: Uint8Array | string;
  readonly registers: ImportRegisterCollection;
  /** As in ProtectedReadResponseInput: ciphertext||tag of the plaintext under the frame's payload key. */
  readonly encrypt: (plaintext: Uint8Array, aad: Uint8Array) => Uint8Array;
}

/** The DLMS content of a successful ECS17b response (the ESME side). */
export function buildEcs17bResponse(input: Ecs17bResponseInput): Uint8Array {
  const { registers, ...rest } = input;
  return buildProtectedReadResponse({ ...rest, values: [importRegisterCollectionToData(registers)] });
}

/** The DLMS content of a failed ECS17b response: null-data and the action result (e.g. 1 hardware-fault). */
export function buildEcs17bErrorResponse(input: {
  readonly counter: bigint;
  readonly actionResult: number;
}): Uint8Array {
  return buildProtectedReadErrorResponse(input);
}

export type Ecs17bResponse =
  | { readonly outcome: "success"; readonly registers: ImportRegisterCollection }
  /** Successful, but the registers could not be read: no decrypter given, or decryption failed. */
  | { readonly outcome: "encrypted"; readonly protectedAttributes: CipheredBlock; readonly reason: string }
  | {
      readonly outcome: "failure";
      readonly actionResult: number;
      readonly actionResultName: string | undefined;
    };

/**
 * The supplier's reading of an ECS17b response payload (decoded with a decrypter to get registers).
 * Throws a DecodeError when the payload is not an ECS17b response.
 */
export function readEcs17bResponse(payload: DlmsPayload): Ecs17bResponse {
  const read = inPath("ECS17b", () => readProtectedReadResponse(payload));
  if (read.outcome !== "success") return read;
  const [collection, ...more] = read.values;
  if (collection === undefined || more.length > 0) {
    throw new DecodeError("one protected attribute value expected", {
      code: "unexpected",
      offset: 0,
      path: "ECS17b",
    });
  }
  return {
    outcome: "success",
    registers: inPath("ECS17b.registers", () => importRegisterCollectionFromData(collection)),
  };
}
