/**
 * When a future-datable change takes effect, as the commands that carry it say so.
 *
 * The tariff, price and payment-mode SRVs (1.1, 1.2, 1.6) may carry an `ExecutionDateTime`. GBCS
 * does not send those commands with an access-request date-time or a GBZ From Date Time: the
 * device stores the new values as "next" (passive) values and the command sets their activation
 * time, so the execution date goes into those activation fields. Three forms:
 *
 * - no `ExecutionDateTime`: activate now;
 * - `3000-12-31T00:00:00Z`: DUIS's way of cancelling a pending future-dated change (the passive
 *   values are written but never activated);
 * - any other instant: activate then.
 */
import type { DuisElement } from "../../duis/model/element.js";
import { optionalDateTime } from "./body.js";
import { zigbeeUtc } from "./gbz-builder.js";

export type Activation =
  | { readonly kind: "now" }
  | { readonly kind: "cancel" }
  | { readonly kind: "at"; readonly ms: number };

/** The DUIS execution date-time that cancels a pending future-dated change. */
export const CANCEL_EXECUTION_DATE_TIME = Date.UTC(3000, 11, 31);

/** The body's `ExecutionDateTime` as an activation. */
export function activationOf(body: DuisElement): Activation {
  const ms = optionalDateTime(body, "ExecutionDateTime");
  if (ms === undefined) return { kind: "now" };
  if (ms === CANCEL_EXECUTION_DATE_TIME) return { kind: "cancel" };
  return { kind: "at", ms };
}

/** COSEM deviation "not specified" (Blue Book §4.1.6.1), as GBCS activation times carry it. */
const DEVIATION_NOT_SPECIFIED = [0x80, 0x00] as const;
/** COSEM clock status "not specified". */
const CLOCK_STATUS_NOT_SPECIFIED = 0xff;

/**
 * A DLMS activation time (octet-string(12), a COSEM date-time): all zero date and time for "now",
 * all 0xFF ("not specified", never reached) for a cancellation, else the instant in UTC with the
 * day of week not specified. Deviation and clock status are "not specified" in every form.
 */
export function cosemActivationTime(activation: Activation): Uint8Array {
  const dateAndTime =
    activation.kind === "now"
      ? new Array<number>(9).fill(0)
      : activation.kind === "cancel"
        ? new Array<number>(9).fill(0xff)
        : cosemDateTimeFields(activation.ms);
  return Uint8Array.from([...dateAndTime, ...DEVIATION_NOT_SPECIFIED, CLOCK_STATUS_NOT_SPECIFIED]);
}

/** A COSEM date (5 bytes) and time (4 bytes, midnight) followed by unspecified deviation and status. */
export function cosemDateAtMidnight(date: Uint8Array): Uint8Array {
  return Uint8Array.from([...date, 0, 0, 0, 0, ...DEVIATION_NOT_SPECIFIED, CLOCK_STATUS_NOT_SPECIFIED]);
}

function cosemDateTimeFields(ms: number): number[] {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  return [
    year >> 8,
    year & 0xff,
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    0xff,
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    Math.floor(d.getUTCMilliseconds() / 10),
  ];
}

/**
 * A ZCL UTCTime activation: 0 is "now" in ZSE; a cancellation is the high value the use case
 * names for that field (GBCS uses 0xFFFFFFFF in Publish Tariff Information and Change Payment Mode,
 * 0xFFFFFFFE in the calendar, block threshold and price matrix commands).
 */
export function zigbeeActivationTime(activation: Activation, cancelled: number): number {
  switch (activation.kind) {
    case "now":
      return 0;
    case "cancel":
      return cancelled;
    case "at":
      return zigbeeUtc(activation.ms);
  }
}

/** ZCL UTCTime 0xFFFFFFFF: "never". */
export const ZIGBEE_NEVER = 0xffffffff;
/** ZCL UTCTime 0xFFFFFFFE, the cancellation value of the ZSE calendar and price publish commands. */
export const ZIGBEE_CANCELLED = 0xfffffffe;
