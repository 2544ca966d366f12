/**
 * Where lower layers' failures become DUIS boundary errors: the XML parser's `XmlError` and the
 * signature verifier's failure reasons map onto registry keys here, once, so that the web service,
 * the CLI and tests answer the same way.
 */

import type { Srv } from "../../catalogue/index.js";
import { DuisError, type DuisErrorKey } from "../errors.js";
import type { VerifyFailureReason } from "../signature/verify.js";
import { XmlError, type XmlErrorCode } from "../xml/errors.js";
import { parseXml, type XmlLimits } from "../xml/parse.js";
import type { XmlDocument, XmlElement } from "../xml/tree.js";
import type { RequestId } from "./ids.js";
import { type DuisRequest, parseRequest } from "./request.js";
import { buildAcknowledgement, type DuisResponse, parseResponse } from "./response.js";

const xmlKeys: Record<XmlErrorCode, DuisErrorKey> = {
  malformed: "xmlMalformed",
  encoding: "xmlMalformed",
  "doctype-forbidden": "xmlForbidden",
  "processing-instruction-forbidden": "xmlForbidden",
  "too-large": "bodyTooLarge",
  "too-deep": "xmlLimit",
  "too-many-elements": "xmlLimit",
  "too-many-attributes": "xmlLimit",
};

/** The DuisError for an XmlError (the XmlError is its cause). */
export function duisErrorFromXml(error: XmlError): DuisError {
  return new DuisError(xmlKeys[error.code], error.message, { cause: error });
}

const verifyKeys: Record<VerifyFailureReason, DuisErrorKey> = {
  malformed: "signatureUnsupported",
  "no-signature": "signatureMissing",
  "unsupported-algorithm": "signatureUnsupported",
  "unknown-serial": "certificateUnknown",
  "wrong-key": "signatureUnsupported",
  "certificate-expired": "certificateNotValid",
  "certificate-not-yet-valid": "certificateNotValid",
  "bad-digest": "signatureInvalid",
  "bad-signature": "signatureInvalid",
};

/** The DuisError for a failed signature verification (`verifyDuis`'s reason and detail). */
export function duisErrorFromVerify(reason: VerifyFailureReason, detail: string): DuisError {
  return new DuisError(verifyKeys[reason], `${reason}: ${detail}`);
}

/** Parses XML, turning parser failures into DuisErrors. */
export function parseDuisXml(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): XmlDocument {
  try {
    return parseXml(input, limits);
  } catch (e) {
    if (e instanceof XmlError) throw duisErrorFromXml(e);
    throw e;
  }
}

/** Reads a DUIS request from its bytes: XML parse and model, every failure a DuisError. */
export function readRequest(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): DuisRequest {
  return parseRequest(parseDuisXml(input, limits).root);
}

/** Reads a DUIS response from its bytes: XML parse and model, every failure a DuisError. */
export function readResponse(input: string | Uint8Array, limits: Partial<XmlLimits> = {}): DuisResponse {
  return parseResponse(parseDuisXml(input, limits).root);
}

/**
 * The DUIS answer to a coded DuisError: an acknowledgement with its E-code for the request's
 * RequestID and SRV (sign it, send it with the error's HTTP status). Undefined for an uncoded error,
 * which is answered with an HTTP status only.
 */
export function buildErrorAcknowledgement(
  error: DuisError,
  requestId: RequestId,
  srv: Srv,
  at: Date,
): XmlElement | undefined {
  return error.responseCode === null
    ? undefined
    : buildAcknowledgement(requestId, error.responseCode, srv, at);
}
