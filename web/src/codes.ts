/**
 * What a code on the dashboard is and means: its class (which picks its colour) and the text shown
 * on hover. DUIS codes are described by the catalogue, refusals at the HTTP level (`HTTP 401`…) by
 * the DUIS error registry, so the page says what the DCC itself says.
 */
import { isResponseCode, responseCodeInfo } from "../../src/catalogue/response-codes.js";
import { duisErrorKeys, duisErrors } from "../../src/duis/errors.js";

/**
 * The class of a code: success, acknowledgement, other information and warnings; DUIS E-codes by
 * family (authorisation E1–E5/E17/E19, validation E11–E13 and the Service-Request-specific codes,
 * communications E20/E21/E30); refusals before any DUIS answer; rate limiting (HTTP 429); the
 * chart's folded "other".
 */
export type CodeClass =
  | "success"
  | "ack"
  | "info"
  | "warning"
  | "authorisation"
  | "validation"
  | "communication"
  | "refused"
  | "throttled"
  | "other";

const HTTP = /^HTTP (\d{3})$/;

export function codeClass(code: string): CodeClass {
  if (code === "I0") return "success";
  if (code === "I99") return "ack";
  const http = HTTP.exec(code);
  if (http !== null) return http[1] === "429" ? "throttled" : "refused";
  if (!isResponseCode(code)) return "other";
  const info = responseCodeInfo(code);
  if (info.kind === "warning") return "warning";
  if (info.kind !== "error") return "info";
  if (info.title.startsWith("Failed Authorisation")) return "authorisation";
  if (info.title.startsWith("Communications Failure") || info.title.startsWith("Time-out")) {
    return "communication";
  }
  return "validation";
}

/** The classes in legend order, with their names. */
export const CODE_CLASSES: readonly (readonly [CodeClass, string])[] = [
  ["success", "I0 success"],
  ["ack", "I99 acknowledged"],
  ["authorisation", "E authorisation"],
  ["validation", "E validation"],
  ["communication", "E communications"],
  ["refused", "HTTP refused"],
  ["throttled", "HTTP 429 rate limited"],
];

/** The hover text of a code: the DUIS title and description, or the registry's messages for a status. */
export function codeMeaning(code: string): string {
  if (isResponseCode(code)) {
    const info = responseCodeInfo(code);
    return `${code}: ${info.title}. ${info.description}`;
  }
  const http = HTTP.exec(code);
  if (http !== null) {
    const status = Number(http[1]);
    const reasons = duisErrorKeys
      .filter((k) => duisErrors[k].httpStatus === status)
      .map((k) => duisErrors[k].message);
    return `${code}: refused before a DUIS answer could be signed${
      reasons.length === 0 ? "" : ` (${reasons.join("; ")})`
    }`;
  }
  if (code === "other") return "the less frequent codes, folded together";
  return code;
}
