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
 * - `recover()`: after a restart, nothing acknowledged is lost: acknowledged requests are
 *   dispatched again; requests that were on the WAN when the process stopped cannot be resent (the
 *   device would refuse the same counter) and end with a recorded error that the user is told.
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
import type { DeviceRecord, RequestRecord } from "../store/types.js";
import { type Wan, WanError } from "../wan/port.js";

/** The key that correlates a device's response with the request: `<originator>:<counter>`. */
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

export interface DispatcherDeps {
  readonly requests: RequestRepository;
  readonly inventory: { hubOf(eui: string): Promise<DeviceRecord | undefined> };
  readonly wan: Wan;
  readonly now: () => number;
  /** Answers the user (builds, signs and queues the DUIS response); called once per request. */
  readonly respond: (request: RequestRecord, outcome: WanOutcome) => Promise<void>;
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
    if ((await requests.startSending(id, now())) !== "sent") return;
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
   * whose execution date has come is handed to `redispatch`. Returns how many.
   */
  async dispatchDue(redispatch: (id: string) => Promise<void>): Promise<number> {
    const now = this.deps.now();
    let n = 0;
    for (const request of await this.deps.requests.inState("acknowledged")) {
      if (request.executeAt !== null && request.executeAt <= now) {
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
    const moved = await this.deps.requests.transition(request.id, ["sent"], "responded", this.deps.now(), {
      gbcsResponse,
      responseCode: "I0",
    });
    if (!moved) {
      this.event("response.uncorrelated", request.requestId, { correlation, state: request.state });
      return;
    }
    this.event("request.responded", request.requestId, { id: request.id });
    await this.deps.respond(request, { code: "I0", gbcsResponse });
    await this.sendNext(request.target);
  }

  /**
   * After a restart: acknowledged requests are handed to `redispatch`; those caught on the WAN are
   * failed with E21 and answered. Returns how many of each.
   */
  async recover(redispatch: (id: string) => Promise<void>): Promise<{ resumed: number; failed: number }> {
    let resumed = 0;
    let failed = 0;
    for (const request of await this.deps.requests.inState("acknowledged")) {
      if (request.executeAt !== null && request.executeAt > this.deps.now()) continue; // still scheduled
      await redispatch(request.id);
      resumed += 1;
    }
    for (const request of await this.deps.requests.inState("sent")) {
      await this.fail(request, "E21", "the DCC restarted before the device's response was received");
      failed += 1;
    }
    return { resumed, failed };
  }

  private async fail(request: RequestRecord, code: "E20" | "E21", reason: string): Promise<void> {
    const moved = await this.deps.requests.transition(
      request.id,
      ["sent", "acknowledged"],
      "failed",
      this.deps.now(),
      {
        responseCode: code,
        error: reason,
      },
    );
    if (!moved) return;
    this.event("request.failed", request.requestId, { id: request.id, code, reason });
    await this.deps.respond(request, { code, reason });
    await this.sendNext(request.target);
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
