/**
 * The Service User's side of a 4.1.1 response: what a supplier does with the GBCSPayload of an I0.
 * The message is decoded with the user's keys (src/gbcs `decodeMessage`): the device's MAC is
 * checked (key from the user's KA private key and the device's KA certificate), the sensitive
 * payload decrypted (KDF with CRA flag 4), and the use case's reader gives the registers: ECS17b
 * for an ESME, GCS13a for a GSME. Used by `meterway request` and by the end-to-end tests.
 */
import type { GbcsKeys } from "../gbcs/crypto/keys.js";
import { type Ecs17bResponse, readEcs17bResponse } from "../gbcs/dlms/use-cases/ecs17b.js";
import { DecodeError } from "../gbcs/errors.js";
import type { GbcsFrame } from "../gbcs/frame.js";
import { type Gcs13aResponse, readGcs13aResponse } from "../gbcs/gbz/use-cases/gcs13a.js";
import { decodeMessage } from "../gbcs/message.js";

export type RegisterReading =
  | { readonly useCase: "ECS17b"; readonly result: Ecs17bResponse }
  | { readonly useCase: "GCS13a"; readonly result: Gcs13aResponse };

export interface ReadRegistersResult {
  readonly frame: GbcsFrame;
  /** Whether the response's MAC verified with the user's key (false: a key is missing, or bad). */
  readonly macValid: boolean;
  readonly reading: RegisterReading;
}

/** Decodes a 4.1.1 response (ECS17b or GCS13a) as its recipient. Throws DecodeError. */
export function readRegisters(gbcs: Uint8Array, keys: GbcsKeys): ReadRegistersResult {
  const message = decodeMessage(gbcs, { keys });
  const { payload } = message;
  let reading: RegisterReading;
  if (message.useCase === "ECS17b" && payload.family === "dlms") {
    reading = { useCase: "ECS17b", result: readEcs17bResponse(payload) };
  } else if (message.useCase === "GCS13a" && payload.family === "gbz") {
    reading = { useCase: "GCS13a", result: readGcs13aResponse(payload) };
  } else {
    throw new DecodeError(`not a 4.1.1 response: use case ${message.useCase ?? "unknown"}`, {
      code: "unexpected",
      offset: 0,
    });
  }
  return { frame: message.frame, macValid: message.mac.valid === true, reading };
}

/** An ESME's ECS17b response as its recipient reads it. Throws DecodeError for anything else. */
export function readImportRegisters(
  gbcs: Uint8Array,
  keys: GbcsKeys,
): { readonly frame: GbcsFrame; readonly macValid: boolean; readonly response: Ecs17bResponse } {
  const { frame, macValid, reading } = readRegisters(gbcs, keys);
  if (reading.useCase !== "ECS17b")
    throw new DecodeError("not an ECS17b response", { code: "unexpected", offset: 0 });
  return { frame, macValid, response: reading.result };
}

/** Lines for a person: the register values, or why they could not be read. */
export function describeReading(reading: RegisterReading): string[] {
  if (reading.useCase === "ECS17b") {
    const r = reading.result;
    if (r.outcome === "encrypted") return [`registers not read: ${r.reason}`];
    if (r.outcome === "failure") return [`the meter answered ${r.actionResultName ?? r.actionResult}`];
    const g = r.registers;
    const lines = [
      `active import:   ${g.activeImportValue * 10 ** g.activeImportScaler} Wh`,
      `reactive import: ${g.reactiveImportValue * 10 ** g.reactiveImportScaler} varh`,
    ];
    if (g.secondActiveImportValue !== undefined)
      lines.push(`second element active import: ${g.secondActiveImportValue} Wh`);
    return lines;
  }
  const r = reading.result;
  if (r.outcome === "encrypted") return [`register not read: ${r.reason}`];
  if (r.register === undefined) return ["the meter did not return every attribute of the register"];
  const { currentSummationDelivered, multiplier, divisor, unitOfMeasure } = r.register;
  const unit = unitOfMeasure === 1 ? "m³" : `unit ${unitOfMeasure}`;
  return [`gas consumption: ${(currentSummationDelivered * multiplier) / divisor} ${unit}`];
}
