import { responseCodeList } from "./response-code-list.js";

export { responseCodeList };

/** A DUIS 5.4 response code (Response/Header/ResponseCode). */
export type ResponseCode = (typeof responseCodeList)[number];

/** `I` codes report success or acceptance, `E` codes a failure, `W` codes a warning with success. */
export type ResponseCodeKind = "success" | "acknowledgement" | "error" | "warning";

export interface ResponseCodeInfo {
  readonly code: ResponseCode;
  readonly kind: ResponseCodeKind;
  /** The DUIS title, e.g. `Failed Authorisation – Invalid Device Status`. */
  readonly title: string;
  /** What it means for the user. */
  readonly description: string;
  /**
   * `duis`: the title is DUIS's own, checked against a published DUIS response-code table.
   * `structure`: only what the code's form says (its Service Reference and number); the DUIS text
   * was not in the material this table was checked against.
   */
  readonly source: "duis" | "structure";
  /** For the Service-Request-specific codes (E/W + SS RR NN): the Service Reference they belong to. */
  readonly serviceReference?: string;
}

/**
 * The DUIS titles of the general response codes that this table has checked (DUIS §3.5 response
 * codes, as the DCC publishes them). Codes absent here are described by their structure only.
 */
const duisTitles: Partial<Record<ResponseCode, readonly [title: string, description: string]>> = {
  I0: ["Success", "The request has had a successful outcome."],
  I99: [
    "Acknowledgement",
    "The request for sending to a device has been accepted and has passed access control; or a successful Non-Device Service Request whose response carries no specific data.",
  ],
  E1: [
    "Failed Authorisation – Invalid User / User Role",
    "The User / User Role combination is not a valid SEC party and User Role.",
  ],
  E2: [
    "Failed Authorisation – Invalid User Role / Service Reference",
    "The User Role is not permitted to send this Service Reference.",
  ],
  E3: [
    "Failed Authorisation – Invalid User Status",
    "The User's status does not permit it to send this Service Reference.",
  ],
  E4: [
    "Failed Authorisation – Invalid User / User Role for Device",
    "The User Role is not authorised for the Device at the required date and time (not its registered supplier or network operator).",
  ],
  E5: [
    "Failed Authorisation – Invalid Device Status",
    "The Device's SMI status is incompatible with the Service Reference.",
  ],
  E11: [
    "Failed Validation – Invalid Service Request / device type combination",
    "The Service Reference is not compatible with the specified device.",
  ],
  E12: [
    "Failed Validation – Invalid Request / Command Variant combination",
    "The Command Variant is not applicable to the request type.",
  ],
  E13: [
    "Failed Validation – Invalid Request Type for URL",
    "The request type is not valid for the web service it was sent to, e.g. a non-device request sent to the transform service.",
  ],
  E17: [
    "Failed Authorisation – Service Request or Signed Pre-Command not available for Local Command Services",
    "The User Role / device status combination does not permit a command for local delivery.",
  ],
  E19: ["Failed Authorisation – Device doesn't exist", "The Device ID is not known to the DCC."],
  E20: [
    "Communications Failure – Unable to Communicate with Device",
    "The DCC cannot establish communications with the device.",
  ],
  E21: [
    "Communications Failure – No Response Received from Device",
    "No response was received from the device for an on-demand or future-dated command.",
  ],
  E30: [
    "Time-out – Future Dated Command",
    "The DCC did not receive the device's response to a future-dated command in time.",
  ],
};

/** `E050101` → `5.1`; `E081401` → `8.14`; undefined for the general codes. */
function serviceReferenceOf(code: string): string | undefined {
  const m = /^[EW](\d{2})(\d{2})(\d{2})$/.exec(code);
  if (m === null) return undefined;
  return `${Number(m[1])}.${Number(m[2])}`;
}

function describe(code: ResponseCode): ResponseCodeInfo {
  const kind: ResponseCodeKind =
    code === "I0"
      ? "success"
      : code === "I99"
        ? "acknowledgement"
        : code.startsWith("W")
          ? "warning"
          : "error";
  const known = duisTitles[code];
  const serviceReference = serviceReferenceOf(code);
  if (known !== undefined) {
    return { code, kind, title: known[0], description: known[1], source: "duis" };
  }
  if (serviceReference !== undefined) {
    const n = Number(code.slice(5));
    const what = kind === "warning" ? "warning" : "error";
    return {
      code,
      kind,
      title: `Service Request ${serviceReference} ${what} ${n}`,
      description: `A ${what} specific to Service Reference ${serviceReference} (its DUIS validation rule ${n}).`,
      source: "structure",
      serviceReference,
    };
  }
  return {
    code,
    kind,
    title: `DUIS general error ${code}`,
    description: "A general DUIS validation or processing error; see the DUIS response-code table.",
    source: "structure",
  };
}

/** Every DUIS 5.4 response code with its meaning, in schema order. */
export const responseCodes: readonly ResponseCodeInfo[] = responseCodeList.map(describe);

const byCode: ReadonlyMap<string, ResponseCodeInfo> = new Map(responseCodes.map((r) => [r.code, r]));

/** Whether `value` is a DUIS 5.4 response code. */
export function isResponseCode(value: string): value is ResponseCode {
  return byCode.has(value);
}

/** The meaning of a response code. */
export function responseCodeInfo(code: ResponseCode): ResponseCodeInfo {
  const info = byCode.get(code);
  if (info === undefined) throw new RangeError(`not a DUIS response code: ${code}`);
  return info;
}
