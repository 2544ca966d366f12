/**
 * The kinds of facts the simulated ESME is built from (the generated `esme-objects.ts` holds them):
 * the COSEM attributes it has, with the shapes their values take and an initial value; the methods
 * it offers; and, per GBCS message code, how a command of that use case is protected and how the
 * ESME protects its response.
 */
import type { DlmsData, ObisCode } from "../../gbcs/dlms/index.js";
import type { Shape } from "./shape.js";

export interface AttributeFact {
  readonly classId: number;
  readonly obis: ObisCode;
  readonly attributeId: number;
  /** Every shape a value of it takes (a set of another shape is type-unmatched); the first is the usual. */
  readonly shapes: readonly Shape[];
  readonly initial: DlmsData;
  /** The shape and initial value of a twin-element ESME, where they differ. */
  readonly twin?: { readonly shape: Shape; readonly initial: DlmsData };
}

export interface MethodFact {
  readonly classId: number;
  readonly obis: ObisCode;
  readonly methodId: number;
}

export interface UseCaseFact {
  readonly messageCode: number;
  readonly useCase: string;
  /** A critical command: it carries its originator's signature, which the ESME checks. */
  readonly critical: boolean;
  /** The response is signed with the ESME's DS key (else MACed for its recipient). */
  readonly signedResponse: boolean;
  /** The response's grouping header carries the ESME's date-time. */
  readonly responseDateTime: boolean;
}
