/**
 * The date range of a log or profile read (DUIS `ReadLogPeriod`: StartDateTime, EndDateTime) in
 * the three forms the GBCS read use cases carry it:
 *
 * - a protected ESME read (get_protected_attributes, restriction_type 1) has both ends as COSEM
 *   date-time octet-strings whose day of week, deviation and clock status are "not specified"
 *   (0xFF, 0x8000, 0xFF), the instant written as UTC;
 * - a plain ESME profile read is a get with selective access by range (selector 1) whose from and
 *   to values are double-long-unsigned seconds since 2000-01-01 UTC (GBCS §9.1.5);
 * - a GSME/GPF read is a ZSE command whose times are ZigBee UTCTime (the same seconds), where
 *   0xFFFFFFFF means "invalid", so a later end (DUIS allows the year 3000) is sent as 0xFFFFFFFE.
 */
import type { DuisElement } from "../../duis/model/element.js";
import type { DlmsData } from "../../gbcs/dlms/data.js";
import { type ObisCode, obisToBytes } from "../../gbcs/dlms/index.js";
import { dateTime } from "./body.js";
import { dlms } from "./dlms-builder.js";

/** A read's range, ms since the epoch. */
export interface ReadPeriod {
  readonly from: number;
  readonly to: number;
}

/** The DUIS element that holds the range in the read SRVs' bodies. */
export const READ_LOG_PERIOD = "ReadLogPeriod";

/** The body's `ReadLogPeriod` (a BodyFieldError naming the path when absent). */
export function readLogPeriod(body: DuisElement): ReadPeriod {
  return {
    from: dateTime(body, `${READ_LOG_PERIOD}/StartDateTime`),
    to: dateTime(body, `${READ_LOG_PERIOD}/EndDateTime`),
  };
}

const ZIGBEE_EPOCH_MS = Date.UTC(2000, 0, 1);
/** The largest valid ZigBee UTCTime (0xFFFFFFFF is "invalid"). */
const UTC_TIME_MAX = 0xfffffffe;

/** Seconds since 2000-01-01T00:00:00Z, held within 0..0xFFFFFFFE (ZigBee UTCTime, DLMS range bounds). */
export function utcSeconds(ms: number): number {
  return Math.min(UTC_TIME_MAX, Math.max(0, Math.floor((ms - ZIGBEE_EPOCH_MS) / 1000)));
}

/** A COSEM date-time (12 bytes) of a UTC instant with day of week, deviation and status not specified. */
export function unspecifiedZoneDateTime(ms: number): Uint8Array {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  return Uint8Array.of(
    year >> 8,
    year & 0xff,
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    0xff,
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    Math.floor(d.getUTCMilliseconds() / 10),
    0x80,
    0x00,
    0xff,
  );
}

/**
 * The restricting object of a range read of an ESME profile, as the GBCS templates give it: class 1
 * Data 0-0:94.44.100.255, attribute 2, data index 0.
 */
export const RANGE_COLUMN: { readonly classId: number; readonly logicalName: ObisCode } = {
  classId: 1,
  logicalName: "0-0:94.44.100.255",
};

/** GBCS range_descriptor (access selector 1): the timestamp column, from, to, all columns. */
export function rangeDescriptor(period: ReadPeriod): { accessSelector: number; accessParameters: DlmsData } {
  return {
    accessSelector: 1,
    accessParameters: dlms.structure(
      dlms.structure(
        dlms.longUnsigned(RANGE_COLUMN.classId),
        dlms.octets(obisToBytes(RANGE_COLUMN.logicalName)),
        dlms.integer(2),
        dlms.longUnsigned(0),
      ),
      dlms.doubleLongUnsigned(utcSeconds(period.from)),
      dlms.doubleLongUnsigned(utcSeconds(period.to)),
      dlms.array([]),
    ),
  };
}
