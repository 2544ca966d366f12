/**
 * The wire form of bus payloads for adapters that carry them across processes (NATS): JSON text in
 * UTF-8, checked field by field on the way in. What arrives over the network is unknown until it is
 * checked, so every subject and queue has a decoder here; a module that adds one to events.ts by
 * declaration merging adds its decoder too (the mapped types below make the compiler insist).
 */
import type { BusEvents, BusQueue, BusSubject, BusWork } from "./events.js";

/** A payload that is not JSON or not of its subject's or queue's type. */
export class BusDecodeError extends Error {
  override readonly name = "BusDecodeError";
}

type Decoder<T> = (value: unknown) => T;

/** Reads the fields of a decoded object, naming the field that is wrong. */
class Fields {
  private readonly record: Readonly<Record<string, unknown>>;

  constructor(
    value: unknown,
    private readonly what: string,
  ) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new BusDecodeError(`${what}: expected a JSON object`);
    }
    this.record = value as Readonly<Record<string, unknown>>;
  }

  string(key: string): string {
    const v = this.record[key];
    if (typeof v !== "string") throw this.wrong(key, "a string");
    return v;
  }

  nullableString(key: string): string | null {
    const v = this.record[key];
    if (v !== null && typeof v !== "string") throw this.wrong(key, "a string or null");
    return v;
  }

  number(key: string): number {
    const v = this.record[key];
    if (typeof v !== "number" || !Number.isFinite(v)) throw this.wrong(key, "a finite number");
    return v;
  }

  boolean(key: string): boolean {
    const v = this.record[key];
    if (typeof v !== "boolean") throw this.wrong(key, "a boolean");
    return v;
  }

  oneOf<const T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.string(key);
    const found = allowed.find((a) => a === v);
    if (found === undefined) throw this.wrong(key, `one of ${allowed.join(", ")}`);
    return found;
  }

  private wrong(key: string, expected: string): BusDecodeError {
    return new BusDecodeError(`${this.what}: field ${key} must be ${expected}`);
  }
}

const REQUEST_STATES = ["received", "acknowledged", "sent", "responded", "failed"] as const;

const eventDecoders: { readonly [S in BusSubject]: Decoder<BusEvents[S]> } = {
  "request.state": (value) => {
    const f = new Fields(value, "request.state");
    return {
      id: f.string("id"),
      requestId: f.string("requestId"),
      srv: f.string("srv"),
      state: f.oneOf("state", REQUEST_STATES),
      responseCode: f.nullableString("responseCode"),
      at: f.number("at"),
    };
  },
  "device.status": (value) => {
    const f = new Fields(value, "device.status");
    return { eui: f.string("eui"), status: f.string("status"), at: f.number("at") };
  },
  "delivery.attempt": (value) => {
    const f = new Fields(value, "delivery.attempt");
    return {
      outboxId: f.string("outboxId"),
      userEui: f.string("userEui"),
      ok: f.boolean("ok"),
      attempts: f.number("attempts"),
      at: f.number("at"),
    };
  },
};

const workDecoders: { readonly [Q in BusQueue]: Decoder<BusWork[Q]> } = {
  "request.dispatch": (value) => ({ id: new Fields(value, "request.dispatch").string("id") }),
  "wan.inbound": (value) => {
    const f = new Fields(value, "wan.inbound");
    const frameHex = f.string("frameHex");
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(frameHex)) {
      throw new BusDecodeError("wan.inbound: field frameHex must be bytes as hex");
    }
    return { hubEui: f.string("hubEui"), frameHex, at: f.number("at") };
  },
  "outbox.deliver": (value) => ({ outboxId: new Fields(value, "outbox.deliver").string("outboxId") }),
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Out = new TextEncoder();

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch (error) {
    throw new BusDecodeError(
      `${what}: not JSON text (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** A payload as JSON in UTF-8 (throws for values JSON cannot carry, such as a bigint). */
export function encodePayload(payload: unknown): Uint8Array {
  return utf8Out.encode(JSON.stringify(payload));
}

export function decodeEvent<S extends BusSubject>(subject: S, bytes: Uint8Array): BusEvents[S] {
  return eventDecoders[subject](parseJson(bytes, subject));
}

export function decodeWork<Q extends BusQueue>(queue: Q, bytes: Uint8Array): BusWork[Q] {
  return workDecoders[queue](parseJson(bytes, queue));
}

/** Every queue events.ts declares: the NATS adapter makes a stream for each at connect. */
export const BUS_QUEUES: readonly BusQueue[] = Object.keys(workDecoders) as BusQueue[];
