/**
 * DUIS identifiers: EUI-64 device and party ids (`90-B3-D5-1F-30-01-00-00`) and the RequestID /
 * ResponseID `originator:target:counter`, whose counter is a uint64 that must strictly increase per
 * originator (the DCC's anti-replay check).
 */
import { DuisError } from "../errors.js";

declare const euiBrand: unique symbol;
/** An EUI-64 as DUIS writes it: eight upper-case hex pairs joined by `-`. */
export type Eui = string & { readonly [euiBrand]: true };

const EUI = /^[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}$/;
const UINT64_MAX = (1n << 64n) - 1n;

/** Whether `text` is an EUI in DUIS form (either case). */
export function isEui(text: string): boolean {
  return EUI.test(text);
}

/** Reads a DUIS EUI (either case) as the canonical upper-case form; throws DuisError schemaInvalid. */
export function parseEui(text: string, path = "EUI"): Eui {
  if (!EUI.test(text))
    throw new DuisError("schemaInvalid", `${path}: '${text}' is not an EUI-64 (XX-XX-XX-XX-XX-XX-XX-XX)`);
  return text.toUpperCase() as Eui;
}

/** The EUI of 8 bytes (GBCS order), e.g. from a grouping header. */
export function euiFromBytes(bytes: Uint8Array): Eui {
  if (bytes.length !== 8) throw new RangeError(`an EUI-64 is 8 bytes, not ${bytes.length}`);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("-")
    .toUpperCase() as Eui;
}

/** The 8 bytes of an EUI (GBCS order). */
export function euiToBytes(eui: Eui): Uint8Array {
  return Uint8Array.from(eui.split("-"), (h) => Number.parseInt(h, 16));
}

/** A RequestID (or ResponseID): who sent it, to whom, and the sender's counter. */
export interface RequestId {
  /** The User ID of the sender of a request (the device, for a ResponseID). */
  readonly originator: Eui;
  /** The device (or, for a non-device request, the DCC) it is for. */
  readonly target: Eui;
  /** The originator's counter, a uint64. */
  readonly counter: bigint;
}

/** Reads `originator:target:counter`; throws DuisError schemaInvalid when it is not of that form. */
export function parseRequestId(text: string, path = "RequestID"): RequestId {
  const parts = text.trim().split(":");
  const [o, t, c] = parts;
  if (
    parts.length !== 3 ||
    o === undefined ||
    t === undefined ||
    c === undefined ||
    !/^(0|[1-9][0-9]{0,19})$/.test(c)
  ) {
    throw new DuisError("schemaInvalid", `${path}: '${text}' is not originator:target:counter`);
  }
  const counter = BigInt(c);
  if (counter > UINT64_MAX) throw new DuisError("schemaInvalid", `${path}: counter ${c} is above 2^64-1`);
  return { originator: parseEui(o, `${path}/originator`), target: parseEui(t, `${path}/target`), counter };
}

/** Writes `originator:target:counter`. */
export function formatRequestId(id: RequestId): string {
  if (id.counter < 0n || id.counter > UINT64_MAX)
    throw new RangeError(`counter ${id.counter} is not a uint64`);
  return `${id.originator}:${id.target}:${id.counter.toString()}`;
}

/** Two RequestIDs are the same request. */
export function sameRequestId(a: RequestId, b: RequestId): boolean {
  return a.originator === b.originator && a.target === b.target && a.counter === b.counter;
}
