/**
 * SRV 4.1.1 end to end through the composition root, as `meterway start` runs it: a temp data
 * folder, the generated test PKI, two simulated premises on the in-process WAN, the demo users.
 * The demo supplier registers its receive URL through the signed user API, sends a signed 4.1.1,
 * gets the I99, receives the signed I0 on a real HTTP endpoint, checks the DCC's signature, and
 * decrypts the register values, which must be the simulated meter's.
 */
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compose, type Dcc } from "../../src/cli/compose.js";
import {
  readImportRegistersRequest,
  receiveUrlPath,
  type UserIdentity,
  userApiAuthorization,
} from "../../src/cli/request-client.js";
import { readImportRegisters, readRegisters } from "../../src/cli/request-decode.js";
import { ResponseReceiver } from "../../src/cli/request-receiver.js";
import { resolveConfig } from "../../src/config/config.js";
import { DEMO_NETWORK_OPERATOR, DEMO_OTHER_USER, DEMO_SUPPLIER, premisesPlan } from "../../src/dcc/fleet.js";
import { parseResponse } from "../../src/duis/model/index.js";
import { verifyDuis } from "../../src/duis/signature/verify.js";
import { parseXml } from "../../src/duis/xml/parse.js";
import { deviceEnergy } from "../../src/sim/energy.js";
import { importRegisterCollection } from "../../src/sim/esme.js";
import { gasConsumptionRegister } from "../../src/sim/gsme.js";
import { KeyStore } from "../../src/smki/keystore.js";

describe("4.1.1 through the composed DCC (2 premises)", () => {
  let dir: string;
  let dcc: Dcc;
  let receiver: ResponseReceiver;
  let dccCertificate: X509Certificate;
  const clock = { t: Date.UTC(2026, 10, 28, 9, 30) };
  const now = () => clock.t;

  function identity(eui: string): UserIdentity {
    const pki = dcc.pki.dir;
    return {
      eui,
      privateKey: createPrivateKey(readFileSync(join(pki, `${eui}-ds.key`))),
      certificate: new X509Certificate(readFileSync(join(pki, `${eui}-ds.pem`))),
    };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "meterway-compose-e2e-"));
    dcc = await compose(resolveConfig({ dataDir: dir, premises: 2, port: 0 }), { now });
    dccCertificate = new X509Certificate(readFileSync(dcc.pki.xmlSigning!.certificatePath));
    receiver = await ResponseReceiver.start();
  });
  after(async () => {
    await dcc?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function check(xml: string) {
    const verified = verifyDuis(xml, { lookupCertificate: () => dccCertificate });
    assert.ok(verified.valid, verified.valid ? "" : `${verified.reason}: ${verified.detail}`);
    return parseResponse(parseXml(xml).root);
  }

  async function send(user: UserIdentity, device: string, counter: bigint) {
    const response = await dcc.app.inject({
      method: "POST",
      url: "/api/v1/serviceS",
      headers: { "content-type": "application/xml" },
      payload: readImportRegistersRequest(user, device, counter),
    });
    assert.equal(response.statusCode, 200, response.body);
    return check(response.body);
  }

  it("registers the supplier's receive URL through the signed user API", async () => {
    const supplier = identity(DEMO_SUPPLIER.eui);
    const path = receiveUrlPath(DEMO_SUPPLIER.eui);
    const body = JSON.stringify({ url: receiver.url });
    const put = await dcc.app.inject({
      method: "PUT",
      url: path,
      headers: {
        "content-type": "application/json",
        authorization: userApiAuthorization(supplier, "PUT", path, body, new Date(now())),
      },
      payload: body,
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal((await dcc.store.users.get(DEMO_SUPPLIER.eui))?.receiveResponseUrl, receiver.url);

    const forged = await dcc.app.inject({
      method: "PUT",
      url: path,
      headers: {
        "content-type": "application/json",
        authorization: userApiAuthorization(
          identity(DEMO_OTHER_USER.eui),
          "PUT",
          path,
          body,
          new Date(now()),
        ),
      },
      payload: body,
    });
    assert.equal(forged.statusCode, 401, "another user cannot set the supplier's URL");
  });

  it("reads the registers of each premises' ESME", async () => {
    const supplier = identity(DEMO_SUPPLIER.eui);
    const supplierKeys = KeyStore.fromDirectory(dcc.pki.dir);
    const batches = dcc.metrics.signatureBatch.get();
    for (const [index, counter] of [
      [0, 1000n],
      [1, 1001n],
    ] as const) {
      const esme = premisesPlan(index).esme;
      const ack = await send(supplier, esme, counter);
      assert.equal(ack.header.responseCode, "I99");
      const response = check((await receiver.next()).body);
      assert.equal(response.header.responseCode, "I0");
      assert.equal(response.header.requestId?.counter, counter);
      assert.ok(response.body.kind === "ResponseMessage" && response.body.payload?.kind === "GBCSPayload");
      const read = readImportRegisters(response.body.payload.gbcsPayload, supplierKeys);
      assert.ok(read.macValid, "the ESME's MAC verifies with the supplier's key");
      assert.deepEqual(read.response, {
        outcome: "success",
        registers: importRegisterCollection(deviceEnergy(esme), now()),
      });
    }
    // Each request's signature went through the batching verifier (one at a time here).
    const after = dcc.metrics.signatureBatch.get();
    assert.equal(after.sum - batches.sum, 2);
    assert.equal(after.count - batches.count, 2);
  });

  it("reads the gas meter's consumption register (GCS13a)", async () => {
    const supplier = identity(DEMO_SUPPLIER.eui);
    const gsme = premisesPlan(1).gsme;
    assert.equal((await send(supplier, gsme, 1002n)).header.responseCode, "I99");
    const response = check((await receiver.next()).body);
    assert.equal(response.header.responseCode, "I0");
    assert.ok(response.body.kind === "ResponseMessage" && response.body.payload?.kind === "GBCSPayload");
    const read = readRegisters(response.body.payload.gbcsPayload, KeyStore.fromDirectory(dcc.pki.dir));
    assert.ok(read.macValid);
    assert.ok(read.reading.useCase === "GCS13a" && read.reading.result.outcome === "success");
    assert.deepEqual(read.reading.result.register, gasConsumptionRegister(deviceEnergy(gsme), now()));
  });

  it("refuses the other user (E2) and a network operator's replayed counter, and still serves", async () => {
    const esme = premisesPlan(0).esme;
    const other = await send(identity(DEMO_OTHER_USER.eui), esme, 1n);
    assert.equal(other.header.responseCode, "E2");
    const operator = identity(DEMO_NETWORK_OPERATOR.eui);
    assert.equal((await send(operator, esme, 7n)).header.responseCode, "I99");
    const replay = await dcc.app.inject({
      method: "POST",
      url: "/api/v1/serviceS",
      headers: { "content-type": "application/xml" },
      payload: readImportRegistersRequest(operator, esme, 7n),
    });
    assert.equal(replay.statusCode, 409);
    // The operator has no receive URL: its I0 waits in the pull API.
    const path = "/api/v1/responses";
    let pulled: { responses: { id: string; body: string }[] } = { responses: [] };
    for (let i = 0; i < 200 && pulled.responses.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const get = await dcc.app.inject({
        method: "GET",
        url: path,
        headers: { authorization: userApiAuthorization(operator, "GET", path, "", new Date(now())) },
      });
      assert.equal(get.statusCode, 200, get.body);
      pulled = get.json();
    }
    assert.equal(pulled.responses.length, 1);
    assert.equal(check(pulled.responses[0]!.body).header.responseCode, "I0");
    const ackPath = `${path}?ack=${pulled.responses[0]!.id}`;
    const acked = await dcc.app.inject({
      method: "GET",
      url: ackPath,
      headers: { authorization: userApiAuthorization(operator, "GET", ackPath, "", new Date(now())) },
    });
    assert.deepEqual(acked.json(), { responses: [] });
  });
});
