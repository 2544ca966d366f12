/**
 * The in-process WAN: the DCC and the simulated hubs in one process, each frame delayed, lost or
 * queued by its region's model. It implements both sides: `Wan` for the DCC, `HubLink` for the fleet.
 *
 * A command's round trip: wait for a slot in the region (capacity) → downlink leg → the hub's
 * handler → uplink leg → the response frames. A lost leg rejects with WanError("lost") after that
 * leg's delay; the DCC cannot tell loss from silence, so the pipeline treats "lost" like "timeout".
 */
import type { CspRegion } from "../store/types.js";
import {
  type HubHandler,
  type HubLink,
  type InboundFrame,
  type Wan,
  WanError,
  type WanFailure,
  type WanSendOptions,
} from "./port.js";
import { DEFAULT_REGION_MODELS, DelayModel, type RegionModel, ZERO_DELAY_MODELS } from "./regions.js";
import { Rng } from "./rng.js";

/** The link's notion of time: the composition root passes the real one, tests a fake. */
export interface WanTimer {
  now(): number;
  /** Resolves after `ms` (immediately for 0), or early when `signal` aborts; never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time (setTimeout and Date.now). Timers are unref'd so they never keep a process alive. */
export const realTimer: WanTimer = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    ms <= 0 || signal?.aborted
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(done, ms);
          timer.unref();
          function done() {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
          }
          signal?.addEventListener("abort", done, { once: true });
        }),
};

/** What happened to one round trip (metrics). */
export interface RoundTrip {
  readonly hubEui: string;
  readonly region: CspRegion;
  readonly outcome: "ok" | WanFailure;
  readonly ms: number;
}

export interface InProcessWanOptions {
  /** Seed of the delay models (ignored when `rng` is given). */
  readonly seed?: number;
  readonly rng?: Rng;
  /** Models per region (default DEFAULT_REGION_MODELS). */
  readonly models?: Partial<Record<CspRegion, RegionModel>>;
  readonly timer?: WanTimer;
  /** Default send timeout, ms of the timer (default 120 000). */
  readonly timeoutMs?: number;
  /** Multiplies every delay (e.g. 0.01 for a fast demo). */
  readonly timeScale?: number;
  /** Called after each round trip. */
  readonly onRoundTrip?: (trip: RoundTrip) => void;
}

interface AttachedHub {
  readonly region: CspRegion;
  readonly handler: HubHandler;
}

/** A counting semaphore with a FIFO queue: the region's capacity. */
class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly capacity: number) {}
  async acquire(): Promise<void> {
    if (this.used < this.capacity) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.used--;
  }
  get queued(): number {
    return this.waiting.length;
  }
}

interface Region {
  readonly model: DelayModel;
  readonly slots: Slots;
}

export class InProcessWan implements Wan, HubLink {
  private readonly hubs = new Map<string, AttachedHub>();
  private readonly inboundHandlers = new Set<(inbound: InboundFrame) => void>();
  private readonly regions = new Map<CspRegion, Region>();
  private readonly timer: WanTimer;
  private readonly timeoutMs: number;
  private readonly onRoundTrip: ((trip: RoundTrip) => void) | undefined;
  private closed = false;
  /** Aborted by `close`: sends still waiting for their hub end at once, so shutdown never waits. */
  private readonly closing = new AbortController();

  constructor(options: InProcessWanOptions = {}) {
    const rng = options.rng ?? new Rng(options.seed ?? 1);
    this.timer = options.timer ?? realTimer;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.onRoundTrip = options.onRoundTrip;
    // Regions in a fixed order, each with its own generator, so one region's traffic does not
    // change another's draws.
    for (const [name, base] of Object.entries(DEFAULT_REGION_MODELS) as [CspRegion, RegionModel][]) {
      const model = options.models?.[name] ?? base;
      this.regions.set(name, {
        model: new DelayModel(model, rng.fork(), undefined, options.timeScale ?? 1),
        slots: new Slots(model.capacity),
      });
    }
  }

  attach(hubEui: string, region: CspRegion, handler: HubHandler): () => void {
    const hub: AttachedHub = { region, handler };
    this.hubs.set(hubEui, hub);
    return () => {
      if (this.hubs.get(hubEui) === hub) this.hubs.delete(hubEui);
    };
  }

  /** Whether a hub is attached (the fleet is up for that premises). */
  has(hubEui: string): boolean {
    return this.hubs.has(hubEui);
  }

  /** Frames waiting for capacity in a region. */
  queued(region: CspRegion): number {
    return this.regions.get(region)?.slots.queued ?? 0;
  }

  async send(hubEui: string, frame: Uint8Array, options: WanSendOptions = {}): Promise<Uint8Array[]> {
    if (this.closed) throw new WanError("closed", hubEui);
    const hub = this.hubs.get(hubEui);
    if (hub === undefined) throw new WanError("unknown-hub", hubEui);
    const region = this.regions.get(hub.region)!;
    const started = this.timer.now();
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const copy = frame.slice();
    const report = (outcome: "ok" | WanFailure) =>
      this.onRoundTrip?.({ hubEui, region: hub.region, outcome, ms: this.timer.now() - started });

    let timedOut = false;
    const stopDeadline = new AbortController();
    const deadline = this.timer.sleep(timeoutMs, stopDeadline.signal).then(() => {
      timedOut = true;
    });
    const trip = (async () => {
      await region.slots.acquire();
      try {
        const down = region.model.sample();
        await this.timer.sleep(down.delayMs);
        if (down.lost) throw new WanError("lost", hubEui, `WAN lost the command to hub ${hubEui}`);
        const responses = await hub.handler(copy);
        const up = region.model.sample();
        await this.timer.sleep(up.delayMs);
        if (up.lost) throw new WanError("lost", hubEui, `WAN lost the response from hub ${hubEui}`);
        return responses;
      } finally {
        region.slots.release();
      }
    })();
    // Closing ends the wait with "closed": the device's answer may still come, to no one, and the
    // request's node leaves it to recovery (dispatch.ts).
    let onClose: (() => void) | undefined;
    const closed = new Promise<never>((_resolve, reject) => {
      onClose = () => reject(new WanError("closed", hubEui, `the WAN closed before hub ${hubEui} answered`));
      this.closing.signal.addEventListener("abort", onClose, { once: true });
    });
    try {
      const result = await Promise.race([trip, deadline.then(() => undefined), closed]);
      if (result === undefined || timedOut) {
        trip.catch(() => {});
        throw new WanError("timeout", hubEui, `no answer from hub ${hubEui} within ${timeoutMs} ms`);
      }
      if (this.closed) throw new WanError("closed", hubEui);
      report("ok");
      return result;
    } catch (error) {
      trip.catch(() => {});
      report(error instanceof WanError ? error.failure : "lost");
      throw error;
    } finally {
      stopDeadline.abort();
      if (onClose !== undefined) this.closing.signal.removeEventListener("abort", onClose);
    }
  }

  onInbound(handler: (inbound: InboundFrame) => void): () => void {
    this.inboundHandlers.add(handler);
    return () => void this.inboundHandlers.delete(handler);
  }

  async sendUnsolicited(hubEui: string, frame: Uint8Array): Promise<void> {
    if (this.closed) throw new WanError("closed", hubEui);
    const hub = this.hubs.get(hubEui);
    if (hub === undefined) throw new WanError("unknown-hub", hubEui, `hub ${hubEui} is not attached`);
    const region = this.regions.get(hub.region)!;
    const copy = frame.slice();
    await region.slots.acquire();
    let leg: { delayMs: number; lost: boolean };
    try {
      leg = region.model.sample();
      await this.timer.sleep(leg.delayMs);
    } finally {
      region.slots.release();
    }
    // A lost alert is silently gone, as on a real WAN.
    if (leg.lost || this.closed) return;
    const inbound: InboundFrame = { hubEui, region: hub.region, frame: copy, at: this.timer.now() };
    for (const handler of this.inboundHandlers) handler(inbound);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    this.hubs.clear();
    this.inboundHandlers.clear();
  }
}

/**
 * The test seam: a zero-delay, lossless in-process WAN. `wan` is the DCC's side, `hubs` the fleet's;
 * they are the same object.
 */
export function memoryWanPair(options: Omit<InProcessWanOptions, "models"> = {}): {
  wan: Wan;
  hubs: HubLink;
  link: InProcessWan;
} {
  const link = new InProcessWan({ ...options, models: ZERO_DELAY_MODELS });
  return { wan: link, hubs: link, link };
}

/**
 * A timer that moves only when told (tests and deterministic simulations): `sleep` resolves when
 * `advance` passes its due time, in due order.
 */
export class ManualTimer implements WanTimer {
  private time: number;
  private readonly sleepers: Array<{ due: number; seq: number; wake: () => void }> = [];
  private seq = 0;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = { due: this.time + ms, seq: this.seq++, wake: resolve };
      this.sleepers.push(entry);
      signal?.addEventListener(
        "abort",
        () => {
          const i = this.sleepers.indexOf(entry);
          if (i >= 0) this.sleepers.splice(i, 1);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Sleepers waiting. */
  get pending(): number {
    return this.sleepers.length;
  }

  /**
   * Moves time forward by `ms`, waking sleepers in due order and letting the work they start run
   * (and sleep again) before moving on.
   */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      this.sleepers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.sleepers[0];
      if (next === undefined || next.due > end) break;
      this.sleepers.shift();
      this.time = next.due;
      next.wake();
    }
    this.time = end;
    await settle();
  }
}

/** Lets queued promise reactions run (a few macrotask turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
