/**
 * What the end-to-end tests of the composed DCC do as the demo supplier: its identity from the
 * DCC's key folder, the signed user API call that registers a receive URL, a signed 4.1.1 request,
 * and the checks on the signed I0 that comes back (the DCC's signature, the meter's MAC, the
 * simulated meter's registers).
 */
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Dcc } from "../../src/cli/compose.js";
import {
  readImportRegistersRequest,
  receiveUrlPath,
  type UserIdentity,
  userApiAuthorization,
} from "../../src/cli/request-client.js";
import { readImportRegisters } from "../../src/cli/request-decode.js";
import { type DuisResponse, parseResponse } from "../../src/duis/model/index.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { importRegisterCollection } from "../../src/sim/esme.js";
import { KeyStore } from "../../src/smki/keystore.js";

/** A user's signing identity from the DCC's key folder. */
export function userIdentity(dcc: Dcc, eui: string): UserIdentity {
  const pki = dcc.pki.dir;
  return {
    eui,
    privateKey: createPrivateKey(readFileSync(join(pki, `${eui}-ds.key`))),
    certificate: new X509Certificate(readFileSync(join(pki, `${eui}-ds.pem`))),
  };
}

/** Checks the DCC's signature on a DUIS response and parses it. */
export function checkSignedResponse(dcc: Dcc, xml: string): DuisResponse {
  const dccCertificate = new X509Certificate(readFileSync(dcc.pki.xmlSigning!.certificatePath));
  const verified = verifyDuis(xml, { lookupCertificate: () => dccCertificate });
  assert.ok(verified.valid, verified.valid ? "" : `${verified.reason}: ${verified.detail}`);
  return parseResponse(parseXml(xml).root);
}

/** POSTs a signed 4.1.1 (Read Instantaneous Import Registers) to serviceS. */
export function postReadImportRegisters(dcc: Dcc, user: UserIdentity, device: string, counter: bigint) {
  return dcc.app.inject({
    method: "POST",
    url: "/api/v1/serviceS",
    headers: { "content-type": "application/xml" },
    payload: readImportRegistersRequest(user, device, counter),
  });
}

/** Registers the user's receive-response URL through the signed user API. */
export async function registerReceiveUrl(
  dcc: Dcc,
  user: UserIdentity,
  url: string,
  at: number,
): Promise<void> {
  const path = receiveUrlPath(user.eui);
  const body = JSON.stringify({ url });
  const put = await dcc.app.inject({
    method: "PUT",
    url: path,
    headers: {
      "content-type": "application/json",
      authorization: userApiAuthorization(user, "PUT", path, body, new Date(at)),
    },
    payload: body,
  });
  assert.equal(put.statusCode, 200, put.body);
}

/** The I0 to a 4.1.1 with `counter`: the meter's MAC verifies and the registers are the ESME's at `at`. */
export function assertEsmeReading(
  dcc: Dcc,
  response: DuisResponse,
  esme: string,
  counter: bigint,
  at: number,
): void {
  assert.equal(response.header.responseCode, "I0");
  assert.equal(response.header.requestId?.counter, counter);
  assert.ok(response.body.kind === "ResponseMessage" && response.body.payload?.kind === "GBCSPayload");
  const read = readImportRegisters(response.body.payload.gbcsPayload, KeyStore.fromDirectory(dcc.pki.dir));
  assert.ok(read.macValid, "the ESME's MAC verifies with the supplier's key");
  assert.deepEqual(read.response, {
    outcome: "success",
    registers: importRegisterCollection(deviceEnergy(esme), at),
  });
}
