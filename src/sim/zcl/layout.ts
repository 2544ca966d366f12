/**
 * How a GSME / GPF lays out its GBZ responses, as the RTDS 4.5.0 responses show it (facts, by
 * message code and command): which response components carry their ZCL payload ciphered for the
 * requester (GBCS §7.2.10, the sensitive data of GBCS Table 7.2: consumption registers, snapshots,
 * profile data, debt logs, the prepayment meter balance), which set the Disable Default Response bit,
 * and which responses carry a date-time in the grouping header.
 */
import { ZclCluster } from "../../gbcs/gbz/index.js";

/** Read Attributes Responses ciphered: message code → the clusters whose records are sensitive. */
const SENSITIVE_READS: ReadonlyMap<number, ReadonlySet<number>> = new Map<number, ReadonlySet<number>>([
  [0x0074, new Set([ZclCluster.metering])], // GCS13a consumption register
  [0x00b6, new Set([ZclCluster.metering])], // GCS13c TOU registers
  [0x00b8, new Set([ZclCluster.metering])], // GCS13b block registers
  [0x0075, new Set([ZclCluster.prepayment])], // GCS14 prepayment registers
]);

/** Cluster-specific responses always ciphered (sensitive whatever the use case). */
const SENSITIVE_REPLIES: ReadonlySet<string> = new Set([
  "publishSnapshot",
  "publishPrepaySnapshot",
  "getSampledDataResponse",
  "publishDebtLog",
]);

/** Responses sent with Disable Default Response set (the multi-part "publish" answers). */
const NO_DEFAULT_RESPONSE_REPLIES: ReadonlySet<string> = new Set([
  "changePaymentModeResponse",
  "publishSnapshot",
  "publishPrepaySnapshot",
  "getSampledDataResponse",
  "publishDebtLog",
  "publishTopUpLog",
  "publishEventLog",
  "publishCalendar",
  "publishDayProfile",
  "publishWeekProfile",
  "publishSeasons",
  "publishSpecialDays",
  "publishPrice",
]);

/** Message codes whose Read Attributes Responses set Disable Default Response. */
const NO_DEFAULT_RESPONSE_READS: ReadonlySet<number> = new Set([0x0074, 0x00b6, 0x00b8, 0x009f]);

/** Message codes whose responses carry the device's date-time in the grouping header. */
const DATED_RESPONSES: ReadonlySet<number> = new Set([0x0074, 0x00b6, 0x00b8, 0x0075, 0x012a]);

export function isSensitiveRead(messageCode: number, clusterId: number): boolean {
  return SENSITIVE_READS.get(messageCode)?.has(clusterId) ?? false;
}

export function isSensitiveReply(name: string): boolean {
  return SENSITIVE_REPLIES.has(name);
}

/**
 * GCS18 (0x0079) alone sends its Get Sampled Data Response with the bit clear, where GCS17 and GCS61
 * set it: RTDS is followed.
 */
const DEFAULT_RESPONSE_ALLOWED: ReadonlySet<string> = new Set(["121:getSampledDataResponse"]);

export function replyDisablesDefaultResponse(name: string, messageCode: number): boolean {
  return NO_DEFAULT_RESPONSE_REPLIES.has(name) && !DEFAULT_RESPONSE_ALLOWED.has(`${messageCode}:${name}`);
}

export function readResponseDisablesDefaultResponse(messageCode: number): boolean {
  return NO_DEFAULT_RESPONSE_READS.has(messageCode);
}

export function isDatedResponse(messageCode: number): boolean {
  return DATED_RESPONSES.has(messageCode);
}
