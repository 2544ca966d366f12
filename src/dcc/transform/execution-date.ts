/**
 * The execution date-time of a future-dated DUIS request (`ExecutionDateTime`, DUIS
 * FutureDatedAbstractType) as GBCS commands carry it, for the SRVs the device executes at that date
 * (DUIS future-dated pattern "Device": tariffs, prices, payment mode, prepayment configuration,
 * load limiting, auxiliary calendars). The SRVs the DCC holds until their date (pattern "DSP") are
 * sent then as on-demand commands and carry no date. GBCS does not send those commands with an
 * access-request date-time or a GBZ From Date Time: the device stores the new values as passive
 * ones and the command sets their activation time.
 *
 * DUIS has three cases: no ExecutionDateTime (execute now), a date-time (execute then), and the
 * date-time 3000-12-31T00:00:00Z, which DUIS reserves for cancelling an earlier future-dated
 * command. GBCS writes them as:
 * - a COSEM date-time octet-string(12) in DLMS (an activation or "execute at" attribute): all-zero
 *   date and time for now, all 0xFF (every field "not specified") to cancel, else the UTC date-time;
 *   each with the day of week not specified, the deviation not specified (0x8000) and the clock
 *   status 0xFF, as the RTDS commands have them;
 * - a ZigBee UTCTime in GBZ: 0 for now, else seconds since 2000; a cancellation is the high value
 *   the use case names for the field (0xFFFFFFFF in Publish Tariff Information and Change Payment
 *   Mode, 0xFFFFFFFE in the calendar, block threshold and price matrix publishes).
 */
import type { DuisElement } from "../../duis/model/element.js";
import { optionalDateTime } from "./body.js";
import { zigbeeUtc } from "./gbz-builder.js";

/** The path of the execution date-time in every future-dated body. */
export const EXECUTION_DATE_TIME = "ExecutionDateTime";

/** DUIS: an ExecutionDateTime of 3000-12-31T00:00:00Z cancels a pending future-dated command. */
export const CANCELLATION_DATE_TIME = Date.UTC(3000, 11, 31);

/** When a future-dated body asks its command to run. */
export type Execution =
  | { readonly kind: "now" }
  | { readonly kind: "at"; readonly ms: number }
  | { readonly kind: "cancel" };

/** The execution of an ExecutionDateTime (ms), or of none. */
export function executionAt(ms: number | undefined): Execution {
  if (ms === undefined) return { kind: "now" };
  if (ms === CANCELLATION_DATE_TIME) return { kind: "cancel" };
  return { kind: "at", ms };
}

/** The body's `ExecutionDateTime` as an execution. */
export function executionOf(body: DuisElement): Execution {
  return executionAt(optionalDateTime(body, EXECUTION_DATE_TIME));
}

/** COSEM deviation "not specified" (Blue Book 4.1.6.1). */
const DEVIATION_NOT_SPECIFIED = 0x8000;
/** COSEM day of week "not specified". */
const NOT_SPECIFIED = 0xff;
/** The clock status byte of GBCS commands' date-times. */
const CLOCK_STATUS = 0xff;

/** A COSEM date-time octet-string(12) of an instant (UTC), day of week and deviation not specified. */
export function dateTimeOctets(ms: number): Uint8Array {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  return withUnspecifiedDeviation(
    Uint8Array.of(
      year >> 8,
      year & 0xff,
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      NOT_SPECIFIED,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      Math.floor(d.getUTCMilliseconds() / 10),
    ),
  );
}

/** The execution date-time as a COSEM date-time octet-string(12) (see the module comment). */
export function executionDateTimeOctets(execution: Execution): Uint8Array {
  switch (execution.kind) {
    case "now":
      return withUnspecifiedDeviation(new Uint8Array(9));
    case "cancel":
      return withUnspecifiedDeviation(new Uint8Array(9).fill(0xff));
    case "at":
      return dateTimeOctets(execution.ms);
  }
}

/** A COSEM date (5 bytes) at midnight, followed by unspecified deviation and status. */
export function cosemDateAtMidnight(date: Uint8Array): Uint8Array {
  return withUnspecifiedDeviation(Uint8Array.of(...date, 0, 0, 0, 0));
}

function withUnspecifiedDeviation(dateAndTime: Uint8Array): Uint8Array {
  return Uint8Array.of(
    ...dateAndTime,
    DEVIATION_NOT_SPECIFIED >> 8,
    DEVIATION_NOT_SPECIFIED & 0xff,
    CLOCK_STATUS,
  );
}

/** ZigBee UTCTime 0xFFFFFFFF ("never"): cancels a pending command in most ZSE commands with a start time. */
export const ZIGBEE_CANCEL = 0xffffffff;
/** ZigBee UTCTime 0xFFFFFFFE: the cancellation value of the ZSE calendar and price publish commands. */
export const ZIGBEE_CANCELLED = 0xfffffffe;

/** The execution date-time as a ZigBee UTCTime: 0 now, `cancel` to cancel, else seconds since 2000. */
export function executionZigbeeTime(execution: Execution, cancel: number = ZIGBEE_CANCEL): number {
  switch (execution.kind) {
    case "now":
      return 0;
    case "cancel":
      return cancel;
    case "at":
      return zigbeeUtc(execution.ms);
  }
}
