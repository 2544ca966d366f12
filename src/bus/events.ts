/**
 * The typed subjects on the bus. Keys are subjects; values are the payload types. Payloads must be
 * plain JSON-able data (strings, numbers, booleans, arrays, objects; bytes as hex strings; bigints
 * as decimal strings) because the cluster adapter carries them across processes.
 *
 * Modules that need more subjects extend these interfaces by declaration merging, in their own file:
 *
 *   declare module "../bus/events.js" {
 *     interface BusEvents { "alert.raised": { deviceEui: string; code: string } }
 *   }
 *
 * and add the payload's decoder to codec.ts (the NATS adapter checks every payload it receives; the
 * compiler asks for the decoder).
 */

/** Publish/subscribe subjects: every subscriber sees every event (fire and forget, not durable). */
export interface BusEvents {
  /** A request changed state in the store (after the change committed). */
  "request.state": {
    readonly id: string;
    readonly requestId: string;
    readonly srv: string;
    readonly state: "received" | "acknowledged" | "sent" | "responded" | "failed";
    readonly responseCode: string | null;
    readonly at: number;
  };
  /** A device's SMI status changed. */
  "device.status": { readonly eui: string; readonly status: string; readonly at: number };
  /** A delivery attempt to a user ended. */
  "delivery.attempt": {
    readonly outboxId: string;
    readonly userEui: string;
    readonly ok: boolean;
    readonly attempts: number;
    readonly at: number;
  };
}

/**
 * Work queues: each job goes to exactly one consumer and stays until acknowledged (the handler
 * resolves). The durable state behind a job is in the store; a job only says "look at this".
 */
export interface BusWork {
  /** A request is acknowledged and ready for the WAN (store id). */
  "request.dispatch": { readonly id: string };
  /** A WAN frame arrived for the DCC (response or alert), bytes as hex. */
  "wan.inbound": { readonly hubEui: string; readonly frameHex: string; readonly at: number };
  /** An outbox entry is due for delivery. */
  "outbox.deliver": { readonly outboxId: string };
}

export type BusSubject = keyof BusEvents;
export type BusQueue = keyof BusWork;
