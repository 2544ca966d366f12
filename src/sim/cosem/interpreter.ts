/**
 * One interpreter for every xDLMS access-request a device receives (GBCS §10 uses the Green Book's
 * ACCESS service): each request specification is run against the COSEM object store in order, and
 * the access-response carries one result per specification and one Data per specification.
 *
 * - get: the attribute's value (a profile buffer narrowed by range when read with selector 1); an
 *   unknown attribute answers object-undefined, with null-data.
 * - set: the value must have a shape the attribute takes (else type-unmatched); it is stored, and a
 *   later get answers it.
 * - action: the handler registered for the method runs (a side effect, and maybe return data);
 *   a method of the device without a handler simply succeeds; an unknown method is object-undefined.
 *
 * GBCS sets break-on-error in every request: after a failure the remaining specifications are not
 * run and answer other-reason, as the RTDS error responses show.
 */
import {
  type AccessRequest,
  type AccessRequestSpecification,
  type AccessResponse,
  type AccessResponseSpecification,
  ActionResult,
  DataAccessResult,
  type DlmsData,
  type ObisCode,
} from "../../gbcs/dlms/index.js";
import { BUFFER, PROFILE_CLASS, RANGE_SELECTOR, selectByRange } from "./profiles.js";
import type { CosemStore } from "./store.js";

const NULL: DlmsData = { type: "null-data" };

/** What a method handler answers: the action result, and the return parameters when there are. */
export interface ActionOutcome {
  readonly result: number;
  readonly data?: DlmsData;
}

/** A method's side effect, given the invocation parameters and the request's context. */
export type ActionHandler<C> = (parameters: DlmsData, context: C) => ActionOutcome;

export const methodKey = (classId: number, obis: ObisCode, methodId: number): string =>
  `${classId}/${obis}/${methodId}`;

interface Outcome {
  readonly result: number;
  readonly data: DlmsData;
}

export class CosemInterpreter<C> {
  constructor(
    private readonly store: CosemStore,
    private readonly handlers: ReadonlyMap<string, ActionHandler<C>>,
  ) {}

  /** The access-response to `request`, with `context` passed to the method handlers. */
  answer(request: AccessRequest, context: C): AccessResponse {
    const data: DlmsData[] = [];
    const results: AccessResponseSpecification[] = [];
    let failed = false;
    for (const [i, spec] of request.accessRequestSpecification.entries()) {
      const kind = responseKind(spec);
      if (failed && request.longInvokeIdAndPriority.breakOnError) {
        data.push(NULL);
        results.push({ kind, result: DataAccessResult["other-reason"] });
        continue;
      }
      const outcome = this.run(spec, request.accessRequestListOfData[i] ?? NULL, context);
      data.push(outcome.data);
      results.push({ kind, result: outcome.result });
      if (outcome.result !== DataAccessResult.success) failed = true;
    }
    return {
      apdu: "access-response",
      longInvokeIdAndPriority: request.longInvokeIdAndPriority,
      dateTime: null,
      accessRequestSpecification: null,
      accessResponseListOfData: data,
      accessResponseSpecification: results,
    };
  }

  private run(spec: AccessRequestSpecification, value: DlmsData, context: C): Outcome {
    switch (spec.kind) {
      case "access-request-get":
        return this.get(
          spec.cosemAttributeDescriptor.classId,
          spec.cosemAttributeDescriptor.instanceId,
          spec.cosemAttributeDescriptor.attributeId,
        );
      case "access-request-get-with-selection": {
        const d = spec.cosemAttributeDescriptor;
        const read = this.get(d.classId, d.instanceId, d.attributeId);
        if (read.result !== DataAccessResult.success) return read;
        const selection = spec.accessSelection;
        if (
          d.classId !== PROFILE_CLASS ||
          d.attributeId !== BUFFER ||
          selection.accessSelector !== RANGE_SELECTOR
        ) {
          return { result: DataAccessResult["scope-of-access-violated"], data: NULL };
        }
        const rows = selectByRange(read.data, selection.accessParameters);
        return rows === undefined
          ? { result: DataAccessResult["other-reason"], data: NULL }
          : { result: DataAccessResult.success, data: rows };
      }
      case "access-request-set":
      case "access-request-set-with-selection": {
        const d = spec.cosemAttributeDescriptor;
        return { result: this.store.set(d.classId, d.instanceId, d.attributeId, value), data: NULL };
      }
      case "access-request-action": {
        const m = spec.cosemMethodDescriptor;
        if (!this.store.hasMethod(m.classId, m.instanceId, m.methodId)) {
          return { result: ActionResult["object-undefined"], data: NULL };
        }
        const handler = this.handlers.get(methodKey(m.classId, m.instanceId, m.methodId));
        if (handler === undefined) return { result: ActionResult.success, data: NULL };
        const outcome = handler(value, context);
        return { result: outcome.result, data: outcome.data ?? NULL };
      }
    }
  }

  private get(classId: number, obis: ObisCode, attributeId: number): Outcome {
    const value = this.store.get(classId, obis, attributeId);
    return value === undefined
      ? { result: DataAccessResult["object-undefined"], data: NULL }
      : { result: DataAccessResult.success, data: value };
  }
}

function responseKind(spec: AccessRequestSpecification): AccessResponseSpecification["kind"] {
  switch (spec.kind) {
    case "access-request-get":
    case "access-request-get-with-selection":
      return "access-response-get";
    case "access-request-set":
    case "access-request-set-with-selection":
      return "access-response-set";
    case "access-request-action":
      return "access-response-action";
  }
}
