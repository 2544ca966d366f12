/**
 * DUIS body values as the GBCS ASN.1 payloads carry them (CS02, CS03/CS04, CS06, GCS28): device
 * EUIs as 8-octet entity identifiers, execution date-times as GeneralizedTime, and the ASN.1 value
 * tree wrapped as an `Asn1Payload` of its type.
 */

import type { DuisElement } from "../../duis/model/element.js";
import type {
  Asn1Payload,
  Asn1PayloadOf,
  Asn1PayloadType,
  Asn1Value,
  asn1PayloadTypes,
} from "../../gbcs/asn1/index.js";
import { euiFromDuis } from "../../store/types.js";
import { optionalDateTime, text } from "./body.js";
import { BodyFieldError } from "./command-spec.js";
import { CANCELLATION_DATE_TIME } from "./execution-date.js";

/** The payload of an ASN.1 type with its value tree. */
export function asn1<K extends Asn1PayloadType>(
  type: K,
  value: Asn1Value<(typeof asn1PayloadTypes)[K]>,
): Asn1Payload {
  return { family: "asn1", type, value } as Asn1PayloadOf<K> as Asn1Payload;
}

/** A DUIS EUI (`00-DB-12-…`) at a path as the 8 octets of a GBCS entity identifier. */
export function entityId(body: DuisElement, path: string): Uint8Array {
  const t = text(body, path);
  try {
    return Uint8Array.from(Buffer.from(euiFromDuis(t), "hex"));
  } catch {
    throw new BodyFieldError(path, `"${t}" is not an EUI-64`);
  }
}

/**
 * DUIS cancels a future-dated command by sending it again with ExecutionDateTime
 * 3000-12-31T00:00:00Z; the ASN.1 use cases (CS02b, CS02g, CS06) cancel with the largest
 * GeneralizedTime instead, 9999-12-31T23:59:59Z (RTDS CS02b, CS02g and CS06 CANCELLATION).
 */
const GBCS_CANCELLATION = Date.UTC(9999, 11, 31, 23, 59, 59);

/** The optional `ExecutionDateTime` of a future-dated body as the GeneralizedTime of the command. */
export function executionDateTime(body: DuisElement): Date | undefined {
  const ms = optionalDateTime(body, "ExecutionDateTime");
  if (ms === undefined) return undefined;
  return new Date(ms === CANCELLATION_DATE_TIME ? GBCS_CANCELLATION : Math.floor(ms / 1000) * 1000);
}

/** `{executionDateTime}` when the body is future-dated, else nothing (the field is OPTIONAL). */
export function withExecutionDateTime(body: DuisElement): { executionDateTime?: Date } {
  const at = executionDateTime(body);
  return at === undefined ? {} : { executionDateTime: at };
}
