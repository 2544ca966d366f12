/**
 * What a Service User's client does to talk to the DCC, as small functions shared by `meterway
 * request` and the end-to-end tests: build a DUIS 4.1.1 request, sign it, POST it, and read and
 * register a receive-response URL through the signed user API (see `src/server/duis-routes.ts`).
 */
import type { KeyObject, X509Certificate } from "node:crypto";
import { buildRequest, type Eui, newRequest } from "../duis/model/index.js";
import { signDuis } from "../duis/signature/sign.js";
import { signedAuthorization } from "../server/duis-routes.js";

/** A user's DUIS signing identity: its EUI (16 hex), key and certificate. */
export interface UserIdentity {
  readonly eui: string;
  readonly privateKey: KeyObject;
  readonly certificate: X509Certificate;
}

/** `90b3d51f30a00001` → `90-B3-D5-1F-30-A0-00-01`. */
export function duisEui(eui: string): Eui {
  const hex = eui.replaceAll("-", "").toUpperCase();
  if (!/^[0-9A-F]{16}$/.test(hex)) throw new RangeError(`not an EUI-64: '${eui}'`);
  return hex.match(/../g)!.join("-") as Eui;
}

/** A signed SRV 4.1.1 Read Instantaneous Import Registers request (CV1) for `device`. */
export function readImportRegistersRequest(user: UserIdentity, device: string, counter: bigint): string {
  const request = newRequest(
    {
      requestId: { originator: duisEui(user.eui), target: duisEui(device), counter },
      commandVariant: 1,
      serviceReference: "4.1",
      serviceReferenceVariant: "4.1.1",
    },
    { kind: "ReadInstantaneousImportRegisters" },
  );
  return signDuis(buildRequest(request), { privateKey: user.privateKey, certificate: user.certificate });
}

/**
 * The `Authorization` header of one user-API call. Each carries a fresh random nonce that the DCC
 * accepts once, so make a new header for every call, retries included.
 */
export function userApiAuthorization(
  user: UserIdentity,
  method: string,
  pathAndQuery: string,
  body: string,
  at = new Date(),
): string {
  return signedAuthorization({ user: user.eui, privateKey: user.privateKey, method, pathAndQuery, body, at });
}

/** The path of the receive-URL user API for `eui`. */
export function receiveUrlPath(eui: string): string {
  return `/api/v1/users/${eui.replaceAll("-", "").toLowerCase()}/receive-url`;
}

/** The user's receive-response URL as the DCC holds it (null: pull only), read through the user API. */
export async function readReceiveUrl(base: string, user: UserIdentity): Promise<string | null> {
  const path = receiveUrlPath(user.eui);
  const response = await fetch(`${base}${path}`, {
    headers: { authorization: userApiAuthorization(user, "GET", path, "") },
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`reading the receive URL: HTTP ${response.status}: ${text}`);
  const value: unknown = JSON.parse(text);
  const url =
    typeof value === "object" && value !== null && "receiveResponseUrl" in value
      ? value.receiveResponseUrl
      : undefined;
  if (url !== null && typeof url !== "string")
    throw new Error(`reading the receive URL: no receiveResponseUrl in ${text}`);
  return url;
}

/** Registers (or, with null, removes) the user's receive-response URL through the user API. */
export async function setReceiveUrl(base: string, user: UserIdentity, url: string | null): Promise<void> {
  const path = receiveUrlPath(user.eui);
  const body = JSON.stringify({ url });
  const response = await fetch(`${base}${path}`, {
    method: "PUT",
    headers: {
      "content-type": "application/json",
      authorization: userApiAuthorization(user, "PUT", path, body),
    },
    body,
  });
  if (response.status !== 200)
    throw new Error(`setting the receive URL: HTTP ${response.status}: ${await response.text()}`);
}
