/**
 * The one registry of every error that crosses the DUIS boundary: for each, the DUIS response code
 * the user gets (or none), the HTTP status of the web-service answer, and a message.
 *
 * Two kinds of failure, as on DCC Boxed:
 * - **coded**: the request was read and its sender authenticated, so the DCC answers with a signed
 *   DUIS Response whose ResponseCode is the E-code, with HTTP 200 (DUIS clients such as the DCC Boxed
 *   tooling treat any other status as a transport failure and never read the body). Codes raised
 *   after the acknowledgement (E20, E21, E30) arrive in the asynchronous response instead.
 * - **uncoded** (`responseCode: null`): nothing trustworthy to answer to (not XML, not DUIS, not
 *   signed by a known user, a replay): an HTTP error status with a short text body, no DUIS Response.
 *
 * Only response codes whose DUIS meaning fits the failure exactly are used; where DUIS's code for a
 * failure is not established here the failure is uncoded. `docs/errors.md` documents every entry,
 * and a test keeps the two in step.
 */
import type { ResponseCode } from "../catalogue/response-codes.js";

export interface DuisErrorDefinition {
  /** The DUIS response code of the answer, or null when the answer is an HTTP error only. */
  readonly responseCode: ResponseCode | null;
  /** HTTP status of the synchronous web-service answer (200 for a coded DUIS Response). */
  readonly httpStatus: number;
  /** What went wrong, in the user's terms. */
  readonly message: string;
}

export const duisErrors = {
  // --- transport and XML: the body is not a readable DUIS document --------------------------------
  unsupportedMediaType: {
    responseCode: null,
    httpStatus: 415,
    message: "the request body must be XML (Content-Type application/xml or text/xml)",
  },
  bodyTooLarge: {
    responseCode: null,
    httpStatus: 413,
    message: "the request body is larger than the DCC accepts",
  },
  xmlMalformed: { responseCode: null, httpStatus: 400, message: "the request is not well-formed UTF-8 XML" },
  xmlForbidden: {
    responseCode: null,
    httpStatus: 400,
    message:
      "the request contains a DOCTYPE, entity declaration or processing instruction, which DUIS refuses",
  },
  xmlLimit: {
    responseCode: null,
    httpStatus: 400,
    message: "the request nests too deeply or has too many elements or attributes",
  },
  schemaInvalid: {
    responseCode: null,
    httpStatus: 400,
    message: "the message is not valid against the DUIS 5.4 schema",
  },
  requestInconsistent: {
    responseCode: null,
    httpStatus: 400,
    message:
      "the request header and body disagree (Service Reference, Service Reference Variant or body element)",
  },
  unknownServiceReferenceVariant: {
    responseCode: null,
    httpStatus: 400,
    message: "the Service Reference Variant is not one of DUIS 5.4's",
  },
  // --- authentication: who sent it ----------------------------------------------------------------
  signatureMissing: { responseCode: null, httpStatus: 401, message: "the request has no XML signature" },
  signatureInvalid: {
    responseCode: null,
    httpStatus: 401,
    message: "the request's XML signature does not verify (content changed after signing, or wrong key)",
  },
  signatureUnsupported: {
    responseCode: null,
    httpStatus: 401,
    message: "the request's XML signature is not of the DUIS profile (exclusive c14n, ECDSA P-256 SHA-256)",
  },
  certificateUnknown: {
    responseCode: null,
    httpStatus: 401,
    message: "no organisation certificate is known for the signature's issuer and serial number",
  },
  certificateNotValid: {
    responseCode: null,
    httpStatus: 401,
    message: "the signing certificate is expired or not yet valid",
  },
  certificateNotOriginator: {
    responseCode: null,
    httpStatus: 401,
    message: "the signing certificate does not belong to the RequestID's originator",
  },
  userApiNonceMissing: {
    responseCode: null,
    httpStatus: 401,
    message:
      "the user-API Authorization header has no nonce (16-64 URL-safe characters, signed with the rest)",
  },
  userApiReplayed: {
    responseCode: null,
    httpStatus: 409,
    message: "the user-API Authorization header was used already (its nonce is spent): sign each call afresh",
  },
  counterNotIncreasing: {
    responseCode: null,
    httpStatus: 409,
    message: "the RequestID counter is not greater than the last one this originator used (replay)",
  },
  // --- authorisation and validation: answered with a signed DUIS E-code ----------------------------
  userNotKnown: {
    responseCode: "E1",
    httpStatus: 200,
    message: "the originator is not a known User, or not in a valid User Role",
  },
  roleNotEligible: {
    responseCode: "E2",
    httpStatus: 200,
    message: "the User Role may not send this Service Reference Variant",
  },
  userStatusNotAllowed: {
    responseCode: "E3",
    httpStatus: 200,
    message: "the User's status does not allow it to send this Service Reference Variant",
  },
  notRegisteredParty: {
    responseCode: "E4",
    httpStatus: 200,
    message: "the User is not the registered supplier or network operator for the device at that date",
  },
  deviceStatusNotAllowed: {
    responseCode: "E5",
    httpStatus: 200,
    message: "the device's SMI status does not allow this Service Reference Variant",
  },
  deviceTypeNotAllowed: {
    responseCode: "E11",
    httpStatus: 200,
    message: "the Service Reference Variant does not apply to this type of device",
  },
  commandVariantNotAllowed: {
    responseCode: "E12",
    httpStatus: 200,
    message: "the Command Variant is not allowed for this Service Reference Variant",
  },
  wrongWebService: {
    responseCode: "E13",
    httpStatus: 200,
    message: "the request was sent to the wrong web service for its Command Variant",
  },
  localCommandNotAvailable: {
    responseCode: "E17",
    httpStatus: 200,
    message: "a command for local delivery is not available for this User Role and device status",
  },
  unknownDevice: {
    responseCode: "E19",
    httpStatus: 200,
    message: "the device is not in the Smart Metering Inventory",
  },
  // --- the critical-command round trip ------------------------------------------------------------
  noPreCommand: {
    responseCode: null,
    httpStatus: 409,
    message: "a Signed Pre-Command arrived with no Pre-Command issued for its RequestID",
  },
  signedPreCommandMismatch: {
    responseCode: null,
    httpStatus: 400,
    message:
      "the Signed Pre-Command does not match the Pre-Command the DCC issued, or its signature does not verify",
  },
  // --- after acknowledgement (in the asynchronous DUIS Response) ----------------------------------
  deviceUnreachable: {
    responseCode: "E20",
    httpStatus: 200,
    message: "the DCC could not communicate with the device",
  },
  noDeviceResponse: {
    responseCode: "E21",
    httpStatus: 200,
    message: "no response was received from the device",
  },
  futureDatedTimeout: {
    responseCode: "E30",
    httpStatus: 200,
    message: "the future-dated command's response did not arrive in time",
  },
  // --- delivery: the user's queue and receive URL ------------------------------------------------
  backlogFull: {
    responseCode: null,
    httpStatus: 429,
    message: "too many responses and alerts are waiting for delivery to this User; new requests are refused",
  },
  receiveUrlRefused: {
    responseCode: null,
    httpStatus: 400,
    message: "the receive-response URL is refused by the DCC's receive-URL policy",
  },
  receiveUrlByOperator: {
    responseCode: null,
    httpStatus: 403,
    message: "receive-response URLs are registered by the DCC operator, not by users, on this DCC",
  },
  // --- the DCC itself -----------------------------------------------------------------------------
  rateLimited: {
    responseCode: null,
    httpStatus: 429,
    message: "too many requests from this client address or user; retry after the time in Retry-After",
  },
  requestNotTransformable: {
    responseCode: null,
    httpStatus: 400,
    message:
      "the request body asks for no command that this Service Reference Variant has for the device, or lacks a value the command needs",
  },
  noKeyAgreement: {
    responseCode: null,
    httpStatus: 503,
    message:
      "the DCC holds no key agreement with the device (its KA certificate is not in the DCC's records), so it cannot protect a command to it",
  },
  srvNotSupported: {
    responseCode: null,
    httpStatus: 501,
    message: "this Service Reference Variant is not yet supported by this DCC",
  },
  internal: { responseCode: null, httpStatus: 500, message: "the DCC failed to process the request" },
} as const satisfies Record<string, DuisErrorDefinition>;

/** The key of a registered DUIS boundary error, e.g. `roleNotEligible`. */
export type DuisErrorKey = keyof typeof duisErrors;

/** Every registered key, in registry order. */
export const duisErrorKeys = Object.keys(duisErrors) as DuisErrorKey[];

/**
 * An error that crosses the DUIS boundary. It carries its registry key, so that the web service
 * answers with the registered code and status; `details` says what exactly (an element path, a
 * role, a device), and `cause` keeps the lower-level error.
 */
export class DuisError extends Error {
  override readonly name = "DuisError";
  readonly key: DuisErrorKey;
  readonly responseCode: ResponseCode | null;
  readonly httpStatus: number;
  /** The specifics, e.g. `Header/CommandVariant: 9`; undefined when the message says it all. */
  readonly details: string | undefined;

  constructor(key: DuisErrorKey, details?: string, options?: { cause?: unknown }) {
    const def: DuisErrorDefinition = duisErrors[key];
    super(details === undefined ? def.message : `${def.message}: ${details}`, options);
    this.key = key;
    this.responseCode = def.responseCode;
    this.httpStatus = def.httpStatus;
    this.details = details;
  }
}

/** Whether `value` is a DuisError (of this module). */
export function isDuisError(value: unknown): value is DuisError {
  return value instanceof DuisError;
}
