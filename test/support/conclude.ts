/**
 * What the pipeline's `conclude` does for a Dispatcher under test, less the signed response: the
 * request's final state and its answered mark in one transaction. `answered` is told of each request
 * concluded.
 */
import type { WanOutcome } from "../../src/dcc/dispatch.js";
import type { Store } from "../../src/store/port.js";
import type { RequestRecord, RequestState } from "../../src/store/types.js";

export function concluder(
  store: Store,
  at: number,
  answered: (request: RequestRecord, outcome: WanOutcome) => void,
): (request: RequestRecord, from: readonly RequestState[], outcome: WanOutcome) => Promise<boolean> {
  return async (request, from, outcome) => {
    const moved = await store.transaction(
      async (tx) =>
        (await tx.requests.transition(
          request.id,
          from,
          outcome.code === "I0" ? "responded" : "failed",
          at,
          outcome.code === "I0"
            ? { responseCode: "I0", gbcsResponse: outcome.gbcsResponse }
            : { responseCode: outcome.code, error: outcome.reason },
        )) && (await tx.requests.markAnswered(request.id)),
    );
    if (moved) answered(request, outcome);
    return moved;
  };
}
