/**
 * Anti-replay for DUIS requests (DUIS §3.2.2, RequestID): the counter of a RequestID
 * `originator:target:counter` must be strictly greater than the last one the DCC accepted from that
 * originator, whatever the target. The last accepted counter is persisted in the store and advanced
 * with its atomic compare-and-set, so two requests racing with the same counter cannot both pass,
 * in one process or several.
 *
 * The one exception is the continuation of a critical request. A Service User sends a CV4 request
 * to `serviceT`, gets the Pre-Command back, signs it, and sends it to `serviceS` as CV5/6/7 **with the
 * same RequestID, counter included** (DCC Boxed clients do exactly this). That second message is not
 * a replay: it is accepted once per transformed request, and only when the DCC returned a
 * Pre-Command for that RequestID. "Once" is itself a compare-and-set in the store, on a key of its
 * own (`continuation:<RequestID>`), so a resent CV5 is refused like any other replay.
 */
import type { CounterRepository, RequestRepository } from "../store/port.js";

/** Command variants that carry a user-signed Pre-Command (the continuation of a CV4). */
export const SIGNED_PRE_COMMAND_VARIANTS: ReadonlySet<number> = new Set([5, 6, 7]);

/** Command variant that asks for a transform (Pre-Command) only. */
export const TRANSFORM_VARIANT = 4;

/** Why a counter was refused: a negative answer is data; the pipeline maps it to a DUIS code. */
export type CounterVerdict =
  | { readonly ok: true; readonly continuation: boolean }
  | {
      readonly ok: false;
      /** `equal`: the same counter as the last accepted; `lower`: below it. */
      readonly reason: "equal" | "lower";
      readonly last: bigint;
    };

export interface CounterCheck {
  /** Originator EUI (16 lowercase hex). */
  readonly originator: string;
  readonly counter: bigint;
  /** The RequestID as received, to find the CV4 a CV5/6/7 continues. */
  readonly requestId: string;
  readonly commandVariant: number;
}

export class RequestCounters {
  constructor(
    private readonly counters: CounterRepository,
    private readonly requests: Pick<RequestRepository, "byRequestId">,
  ) {}

  /**
   * Accepts the request's counter (and records it) or says why not. Exactly one of several
   * concurrent calls with the same originator and counter is accepted.
   */
  async accept(check: CounterCheck): Promise<CounterVerdict> {
    if (SIGNED_PRE_COMMAND_VARIANTS.has(check.commandVariant) && (await this.continues(check))) {
      const key = `continuation:${check.requestId}`;
      if (await this.counters.compareAndSet(key, undefined, check.counter)) {
        return { ok: true, continuation: true };
      }
    }
    if (await this.counters.advance(check.originator, check.counter))
      return { ok: true, continuation: false };
    const last = (await this.counters.get(check.originator)) ?? 0n;
    return { ok: false, reason: check.counter === last ? "equal" : "lower", last };
  }

  /** Whether a CV4 with this RequestID was answered with a Pre-Command (state responded, I0). */
  private async continues(check: CounterCheck): Promise<boolean> {
    const previous = await this.requests.byRequestId(check.requestId);
    return previous.some(
      (r) =>
        r.commandVariant === TRANSFORM_VARIANT &&
        r.originator === check.originator &&
        r.counter === check.counter &&
        r.state === "responded" &&
        r.responseCode === "I0",
    );
  }
}
