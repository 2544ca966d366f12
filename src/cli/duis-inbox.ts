/**
 * What a Service User does with each DUIS response or alert the DCC sends it, whether POSTed to its
 * receive-response endpoint (`meterway listen`) or taken from the pull API (`meterway responses`):
 * check the DCC's XML signature, read the header (RequestID, ResponseID, the response code and its
 * meaning, the SRV), decode the GBCS payload with the user's keys (as `meterway gbcs decode` does,
 * the MAC and signature checks included) and, for a 4.1.1 response, the register values. The
 * result is one JSON object, written as one line.
 *
 * Also the flags both commands share: which user, its signing key and certificate, the key folder.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { responseCodeInfo } from "../catalogue/index.js";
import { DEFAULTS } from "../config/config.js";
import { ACB_EUI, DEMO_SUPPLIER } from "../dcc/fleet.js";
import type { DuisResponse } from "../duis/model/index.js";
import { formatRequestId, parseResponse } from "../duis/model/index.js";
import { verifyDuis } from "../duis/signature/verify.js";
import { parseXml } from "../duis/xml/parse.js";
import { alertCodeName } from "../gbcs/alert-codes.js";
import { DecodeError } from "../gbcs/errors.js";
import { type JsonValue, messageToJson, toJsonTree } from "../gbcs/json.js";
import { decodeMessage } from "../gbcs/message.js";
import { KeyStore } from "../smki/keystore.js";
import type { UserIdentity } from "./request-client.js";
import { readRegisters } from "./request-decode.js";

/** Bad usage: a one-line message and exit status 2. */
export class UsageError extends Error {}

/** `90-B3-D5-1F-30-A0-00-01` or `90b3d51f30a00001` → `90b3d51f30a00001`; UsageError otherwise. */
export function hexEui(text: string, what: string): string {
  const hex = text.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new UsageError(`${what} '${text}' is not an EUI-64`);
  return hex;
}

/** `parseArgs` options for the flags that name a user and where its keys are ({@link UserFlags}). */
export const USER_FLAG_OPTIONS = {
  user: { type: "string" },
  data: { type: "string" },
  pki: { type: "string" },
  keys: { type: "string" },
  key: { type: "string" },
  cert: { type: "string" },
} as const;

/** The flags that name a user and where its keys are, as `meterway request` takes them. */
export interface UserFlags {
  readonly user?: string | undefined;
  readonly data?: string | undefined;
  readonly pki?: string | undefined;
  readonly key?: string | undefined;
  readonly cert?: string | undefined;
  readonly keys?: string | undefined;
}

/** A user's folders and checks, from its flags (nothing is read yet but what exists). */
export interface UserSetup {
  readonly eui: string;
  readonly pki: string;
  /** The user's GBCS keys (RTDS layout): the MAC and signature checks and decryption. */
  readonly keys: KeyStore;
  /** The DCC's XML-signing certificate, when in the key folder: without it nothing is verified. */
  readonly dccCertificate: X509Certificate | undefined;
  readonly dccCertificatePath: string;
}

export function userSetup(flags: UserFlags): UserSetup {
  const eui = flags.user === undefined ? DEMO_SUPPLIER.eui : hexEui(flags.user, "--user");
  const pki = flags.pki ?? join(flags.data ?? DEFAULTS.dataDir, "pki");
  const keysDir = flags.keys ?? pki;
  if (!existsSync(keysDir)) throw new UsageError(`--keys ${keysDir}: no such folder`);
  const dccCertificatePath = join(pki, `${ACB_EUI}-xml.pem`);
  const dccCertificate = existsSync(dccCertificatePath)
    ? new X509Certificate(readFileSync(dccCertificatePath))
    : undefined;
  return { eui, pki, keys: KeyStore.fromDirectory(keysDir), dccCertificate, dccCertificatePath };
}

/** The user's signing identity for the user API: --key and --cert, or its files in the key folder. */
export function userIdentityOf(setup: UserSetup, flags: UserFlags): UserIdentity {
  const keyPath = flags.key ?? join(setup.pki, `${setup.eui}-ds.key`);
  const certPath = flags.cert ?? join(setup.pki, `${setup.eui}-ds.pem`);
  if (!existsSync(keyPath)) throw new UsageError(`no signing key ${keyPath}: give --key, or --data/--pki`);
  if (!existsSync(certPath))
    throw new UsageError(`no signing certificate ${certPath}: give --cert, or --data/--pki`);
  return {
    eui: setup.eui,
    privateKey: createPrivateKey(readFileSync(keyPath)),
    certificate: new X509Certificate(readFileSync(certPath)),
  };
}

/** How the DCC's signature on a message stands. */
export type SignatureStatus = "verified" | "invalid" | "unchecked";

export interface InspectedMessage {
  readonly signature: SignatureStatus;
  /** Why it is invalid or unchecked. */
  readonly detail?: string;
  /** The JSON line: header, signature, GBCS decode. */
  readonly json: { [key: string]: JsonValue };
}

/**
 * A received DUIS message, checked and decoded. A body that is not a DUIS response is "invalid"
 * with the reason, and a GBCS payload that does not decode is an `error` in its JSON; anything else
 * thrown is a fault of meterway's own and is not hidden.
 */
export function inspectMessage(
  xml: string,
  setup: Pick<UserSetup, "keys" | "dccCertificate">,
): InspectedMessage {
  let signature: SignatureStatus = "unchecked";
  let detail: string | undefined = "no DCC XML-signing certificate in the key folder";
  if (setup.dccCertificate !== undefined) {
    const certificate = setup.dccCertificate;
    const verified = verifyDuis(xml, { lookupCertificate: () => certificate });
    signature = verified.valid ? "verified" : "invalid";
    detail = verified.valid ? undefined : `${verified.reason}: ${verified.detail}`;
  }
  let response: DuisResponse;
  try {
    response = parseResponse(parseXml(xml).root);
  } catch (error) {
    const why = `not a DUIS response: ${error instanceof Error ? error.message : String(error)}`;
    return { signature: "invalid", detail: why, json: { signature: "invalid", signatureDetail: why } };
  }
  const json: { [key: string]: JsonValue } = {
    signature,
    ...(detail === undefined ? {} : { signatureDetail: detail }),
    ...headerJson(response),
  };
  const gbcs = gbcsPayloadOf(response);
  if (gbcs !== undefined) json.gbcs = gbcsJson(gbcs, setup.keys, response);
  return { signature, ...(detail === undefined ? {} : { detail }), json };
}

function headerJson(response: DuisResponse): { [key: string]: JsonValue } {
  const { requestId, responseId, responseCode, responseDateTime } = response.header;
  const body = response.body;
  const out: { [key: string]: JsonValue } = {
    kind: body.kind,
    requestId: requestId === undefined ? null : formatRequestId(requestId),
    responseId: responseId === undefined ? null : formatRequestId(responseId),
    responseCode,
    responseCodeMeaning: responseCodeInfo(responseCode).title,
    responseDateTime,
  };
  if (body.kind === "ResponseMessage") {
    out.serviceReference = body.serviceReference;
    out.srv = body.serviceReferenceVariant;
    if (body.payload !== undefined) out.payloadKind = body.payload.kind;
  } else if (body.kind === "DeviceAlertMessage") {
    out.alertCode = `0x${body.alertCode.toString(16).toUpperCase().padStart(4, "0")}`;
    out.alertName = alertCodeName(body.alertCode) ?? null;
  } else if (body.kind === "DCCAlertMessage") {
    out.dccAlertCode = body.dccAlertCode;
  }
  return out;
}

function gbcsPayloadOf(response: DuisResponse): Uint8Array | undefined {
  const body = response.body;
  if (body.kind === "DeviceAlertMessage") return body.gbcsPayload;
  if (body.kind !== "ResponseMessage" || body.payload === undefined) return undefined;
  const payload = body.payload;
  return "gbcsPayload" in payload ? payload.gbcsPayload : undefined;
}

/** The GBCS decode as `meterway gbcs decode` writes it, and a 4.1.1 response's registers. */
function gbcsJson(bytes: Uint8Array, keys: KeyStore, response: DuisResponse): JsonValue {
  try {
    const out = messageToJson(decodeMessage(bytes, { keys }));
    if (response.body.kind === "ResponseMessage" && response.body.serviceReferenceVariant === "4.1.1") {
      const read = readRegisters(bytes, keys);
      out.registers = toJsonTree(read.reading.result);
    }
    return out;
  } catch (error) {
    if (!(error instanceof DecodeError || error instanceof RangeError)) throw error;
    return {
      error: {
        code: error instanceof DecodeError ? error.code : "invalid",
        message: error.message,
        offset: error instanceof DecodeError ? error.offset : null,
      },
    };
  }
}

/** One line for stderr about a message: its kind, ids and code. */
export function describeMessage(inspected: InspectedMessage): string {
  const j = inspected.json;
  const id =
    typeof j.requestId === "string" ? j.requestId : typeof j.responseId === "string" ? j.responseId : "";
  const kind = typeof j.kind === "string" ? j.kind : "message";
  const code = typeof j.responseCode === "string" ? ` ${j.responseCode}` : "";
  return `${kind}${id === "" ? "" : ` ${id}`}${code}`;
}
