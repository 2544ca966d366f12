/**
 * The WAN half of the request flow: an acknowledged request goes to its device's Communications Hub,
 * and what comes back is correlated with it and answered.
 *
 * - `dispatch(id)`: takes an acknowledged request from the store, moves it to `sent` (a transition
 *   in the store, so two workers never both send it), sends its GBCS command through the WAN to the
 *   device's hub, and handles the frames the hub answers with.
 * - `inbound(frame)`: a GBCS response is correlated with its request by (originator, counter): the
 *   response's recipient is the request's originator and its transaction counter is the request's
 *   (GBCS §7.2.7). The request moves to `responded` and the user gets an I0 with the GBCSPayload.
 *   A late or unknown response changes nothing and is audited. An alert (CRA flag 3) is handed to
 *   `alert` (the AlertRouter: checked, routed to its recipient, delivered as a DUIS Device Alert).
 * - `recover()`: nothing acknowledged is lost. At start (`own`: this node's work, and work whose
 *   lease expired) and in the periodic sweep (expired leases only: a dead node's work), open requests
 *   are taken over: acknowledged ones are dispatched again; ones that were on the WAN when their node
 *   stopped cannot be resent (the device would refuse the same counter) and end with a recorded
 *   error that the user is told; finished ones whose answer was never queued are answered.
 * - Custody: this node's lease is taken on what it sends (in the acknowledged → sent transition) and
 *   renewed by `renewLeases` while the node lives, so no other node touches its work meanwhile.
 * - A request's final state and its answer are one step, `conclude` (one store transaction in the
 *   pipeline): a request is never finished without its answer, nor answered twice.
 * - One command in flight per device (`requests.startSending`, enforced by the store for every node):
 *   the others stay acknowledged, queued oldest first, and each time a request leaves `sent`
 *   (answered, failed, timed out, failed by recovery) `sendNext` queues a dispatch job for the
 *   device's next one. The unit is the device (the request's target), not its hub: the counter a
 *   SMETS2 device checks is its own (last accepted per originator, sim/command-check.ts), the hub
 *   relays each command to its device as it comes (sim/chf.ts), and the WAN carries every frame on
 *   its own with its own delay (wan/memory.ts), so commands to one device can overtake each other
 *   and the device drops the lower counter, while commands to two devices of one hub cannot harm
 *   each other; holding a whole premises to one command would only slow it down.
 *
 * Failures are DUIS codes delivered to the user like any response: E20 (the DCC cannot reach the
 * device: no hub, hub not attached), E21 (no response from the device: lost or timed out).
 */
import { DecodeError } from "../gbcs/errors.js";
import { decodeFrame } from "../gbcs/frame.js";
import type { RequestRepository } from "../store/port.js";
import type { DeviceRecord, RequestLease, RequestRecord, RequestState } from "../store/types.js";
import { type Wan, WanError } from "../wan/port.js";

/** The key that correlates a device's response with the request: `<originator>:<counter>`. */
/** Requests a periodic sweep takes over at most (a dead node's work is taken over in batches). */
const SWEEP_BATCH = 1000;

export function correlationKey(originator: string, counter: bigint): string {
  return `${originator.toLowerCase()}:${counter}`;
}

/** How a request ended on the WAN side. */
export type WanOutcome =
  | { readonly code: "I0"; readonly gbcsResponse: Uint8Array }
  | { readonly code: "E20" | "E21"; readonly reason: string };

/** Something that happened on the WAN side that the audit log wants to know. */
export interface DispatchEvent {
  readonly kind:
    | "request.sent"
    | "request.responded"
    | "request.failed"
    | "response.uncorrelated"
    | "frame.undecodable"
    | "alert.received";
  readonly requestId: string | null;
  readonly detail: Record<string, unknown>;
}

/** This node, as the owner of the work it does (see RequestLease). */
export interface DispatchNode {
  /** The node's id (`meterway start --node-id`), the owner written on its requests. */
  readonly id: string;
  /** How long a lease lasts without renewal (ms): another node takes the work over after it. */
  readonly leaseMs: number;
}

/** What a recovery pass did. */
export interface RecoveryResult {
  /** Acknowledged requests dispatched again. */
  readonly resumed: number;
  /** Requests caught on the WAN, failed with E21 and answered. */
  readonly failed: number;
  /** Finished requests whose answer had not been queued, answered now. */
  readonly answered: number;
}

export interface DispatcherDeps {
  readonly requests: RequestRepository;
  readonly inventory: { hubOf(eui: string): Promise<DeviceRecord | undefined> };
  readonly wan: Wan;
  readonly now: () => number;
  readonly node: DispatchNode;
  /**
   * Finishes a request: moves it from one of `from` to its final state (responded for I0, failed
   * otherwise) with the outcome recorded, and queues the user's DUIS response, atomically. False
   * when the request was not in `from` or was answered already (another worker finished it): then
   * nothing is queued.
   */
  readonly conclude: (
    request: RequestRecord,
    from: readonly RequestState[],
    outcome: WanOutcome,
  ) => Promise<boolean>;
  readonly onEvent?: (event: DispatchEvent) => void;
  /** WAN timeout per command (ms); default the WAN's own. */
  readonly sendTimeoutMs?: number;
  /** Handles a device alert (see alerts.ts); without it, an alert is only recorded as received. */
  readonly alert?: (bytes: Uint8Array, hubEui: string) => Promise<unknown>;
  /** Queues a dispatch job for a request (the bus's `request.dispatch`): a device's next command. */
  readonly enqueueDispatch: (id: string) => Promise<void>;
}

export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /** Sends one acknowledged request; does nothing when it is not (any more) acknowledged. */
  async dispatch(id: string): Promise<void> {
    const { requests, now } = this.deps;
    const request = await requests.get(id);
    if (request === undefined || request.state !== "acknowledged" || request.gbcsCommand === null) return;
    if (request.executeAt !== null && request.executeAt > now()) return; // the scheduler's, later
    const hub = await this.deps.inventory.hubOf(request.target);
    // "busy": the device has a command in flight or an earlier one waiting; this one stays queued
    // and is dispatched again by `sendNext` when its turn comes.
    if ((await requests.startSending(id, now(), this.lease())) !== "sent") return;
    this.event("request.sent", request.requestId, { id, hub: hub?.eui ?? null });
    if (hub === undefined) {
      await this.fail(request, "E20", `device ${request.target} has no Communications Hub`);
      return;
    }
    let frames: Uint8Array[];
    try {
      frames = await this.deps.wan.send(
        hub.eui,
        request.gbcsCommand,
        this.deps.sendTimeoutMs === undefined ? undefined : { timeoutMs: this.deps.sendTimeoutMs },
      );
    } catch (error) {
      if (!(error instanceof WanError)) throw error;
      // This node is stopping: the device's answer may still come, to no one. The request stays
      // sent under this node's lease; recovery (this node restarting, or another once the lease
      // expires) ends it with E21.
      if (error.failure === "closed") return;
      const code = error.failure === "lost" || error.failure === "timeout" ? "E21" : "E20";
      await this.fail(request, code, error.message);
      return;
    }
    for (const frame of frames) await this.inbound(frame, hub.eui);
    if (frames.length === 0) {
      // The hub came back without the device's answer (the device dropped the command: a failed
      // check, an unsupported use case). The request ends here with a recorded E21; a response that
      // still arrives later is audited as uncorrelated.
      await this.fail(request, "E21", "the device returned no response");
    }
  }

  /**
   * The DCC's schedule for future-dated requests (DUIS "DSP" pattern): every acknowledged request
   * whose execution date has come, and that this node holds (or no live node does), is handed to
   * `redispatch`. Returns how many.
   */
  async dispatchDue(redispatch: (id: string) => Promise<void>): Promise<number> {
    const now = this.deps.now();
    let n = 0;
    for (const request of await this.deps.requests.inState("acknowledged")) {
      if (request.executeAt !== null && request.executeAt <= now && (await this.mayTake(request.id, now))) {
        await redispatch(request.id);
        n += 1;
      }
    }
    return n;
  }

  /** Handles a frame from a hub: a response is correlated and answered; an alert goes to `alert`. */
  async inbound(bytes: Uint8Array, hubEui: string): Promise<void> {
    let header: ReturnType<typeof decodeFrame>;
    try {
      header = decodeFrame(bytes);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.event("frame.undecodable", null, { hubEui, error: error.message });
      return;
    }
    if (header.cra === 3) {
      if (this.deps.alert !== undefined) await this.deps.alert(bytes, hubEui);
      else
        this.event("alert.received", null, {
          hubEui,
          originator: header.originator,
          code: header.messageCode,
        });
      return;
    }
    if (header.cra !== 2) return;
    const correlation = correlationKey(header.recipient, header.counter);
    const request = await this.deps.requests.byCorrelation(correlation);
    if (request === undefined || request.target !== header.originator.toLowerCase()) {
      this.event("response.uncorrelated", null, { hubEui, correlation, originator: header.originator });
      return;
    }
    const gbcsResponse = new Uint8Array(bytes); // own copy: the WAN's buffer is not ours to keep
    if (!(await this.deps.conclude(request, ["sent"], { code: "I0", gbcsResponse }))) {
      this.event("response.uncorrelated", request.requestId, { correlation, state: request.state });
      return;
    }
    this.event("request.responded", request.requestId, { id: request.id });
    await this.sendNext(request.target);
  }

  /**
   * Takes over open requests and finishes what their node left: with `own` (at start) this node's
   * work and work whose lease expired; without (the periodic sweep) expired leases only, so a live
   * node's requests are never touched. Acknowledged requests are handed to `redispatch` (future-dated
   * ones stay with the scheduler); those caught on the WAN are failed with E21; finished ones whose
   * answer was never queued are answered.
   */
  async recover(
    redispatch: (id: string) => Promise<void>,
    options: { readonly own: boolean },
  ): Promise<RecoveryResult> {
    let resumed = 0;
    let failed = 0;
    let answered = 0;
    const now = this.deps.now();
    // At start all of this node's own open work at once: its leases are renewed from then on, so
    // what a bounded first pass left would never expire into a later sweep. A sweep takes a batch.
    const limit = options.own ? Number.MAX_SAFE_INTEGER : SWEEP_BATCH;
    for (const request of await this.deps.requests.takeOver(this.lease(), now, { own: options.own, limit })) {
      switch (request.state) {
        case "received":
          break; // not acknowledged: nothing was promised (the pipeline never leaves one here)
        case "acknowledged":
          if (request.executeAt !== null && request.executeAt > now) break; // still scheduled
          await redispatch(request.id);
          resumed += 1;
          break;
        case "sent":
          if (
            await this.fail(
              request,
              "E21",
              "the DCC node that sent it stopped or restarted before the device's response was received",
            )
          ) {
            failed += 1;
          }
          break;
        case "responded":
        case "failed":
          if (await this.deps.conclude(request, [request.state], recordedOutcome(request))) answered += 1;
          break;
      }
    }
    return { resumed, failed, answered };
  }

  /** Renews this node's leases on its open requests (the heartbeat); returns how many. */
  renewLeases(): Promise<number> {
    return this.deps.requests.renewLeases(this.deps.node.id, this.deps.now() + this.deps.node.leaseMs);
  }

  /** Whether this node may start work on a request: its own, or no live node's. */
  private async mayTake(id: string, now: number): Promise<boolean> {
    const custody = await this.deps.requests.custody(id);
    return (
      custody === undefined ||
      custody.owner === null ||
      custody.owner === this.deps.node.id ||
      custody.leaseExpiresAt === null ||
      custody.leaseExpiresAt < now
    );
  }

  private lease(): RequestLease {
    return { owner: this.deps.node.id, expiresAt: this.deps.now() + this.deps.node.leaseMs };
  }

  private async fail(request: RequestRecord, code: "E20" | "E21", reason: string): Promise<boolean> {
    if (!(await this.deps.conclude(request, ["sent", "acknowledged"], { code, reason }))) return false;
    this.event("request.failed", request.requestId, { id: request.id, code, reason });
    await this.sendNext(request.target);
    return true;
  }

  /**
   * After a request to `target` left `sent`: queues the dispatch of the device's next acknowledged
   * request, if one waits. Called after the change committed, so a dispatch that found the device
   * busy before it is picked up here (a second job for one request is harmless: it finds it gone).
   */
  private async sendNext(target: string): Promise<void> {
    const next = await this.deps.requests.nextQueued(target, this.deps.now());
    if (next !== undefined) await this.deps.enqueueDispatch(next.id);
  }

  private event(
    kind: DispatchEvent["kind"],
    requestId: string | null,
    detail: Record<string, unknown>,
  ): void {
    this.deps.onEvent?.({ kind, requestId, detail });
  }
}

/**
 * The outcome a finished request recorded, to answer it again: I0 with the device's response, or the
 * recorded error (E20 as recorded; any other code is a lost or missing device answer, E21).
 */
function recordedOutcome(request: RequestRecord): WanOutcome {
  if (request.responseCode === "I0" && request.gbcsResponse !== null) {
    return { code: "I0", gbcsResponse: request.gbcsResponse };
  }
  return {
    code: request.responseCode === "E20" ? "E20" : "E21",
    reason: request.error ?? "the device's response was not kept",
  };
}
