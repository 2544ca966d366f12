import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import type { SubmitResult } from "../../src/dcc/pipeline.js";
import { ReceiveUrlPolicy } from "../../src/dcc/receive-url.js";
import { type DuisRoutesOptions, duisRoutes, signedAuthorization } from "../../src/server/duis-routes.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import type { NewAuditRecord, OutboxRecord, UserRecord } from "../../src/store/types.js";
import { reference } from "../support/reference.js";

const USER = "90b3d51f30010000";
const NOW = Date.UTC(2026, 10, 28, 12);
const key = createPrivateKey({
  key: readFileSync(reference("dccboxed-keys", "xml-sign-90B3D51F30010000-ds.key")),
  format: "der",
  type: "pkcs8",
});
const certificate = new X509Certificate(
  readFileSync(reference("dccboxed-keys", "xml-sign-90B3D51F30010000-ds.pem")),
);

describe("DUIS routes", () => {
  let app: FastifyInstance;
  const submitted: { webService: string; body: string; clientAddress: string | undefined }[] = [];
  const store = openSqliteStore({ file: ":memory:" });
  const users = new Map<string, UserRecord>();
  const pulls: { user: string; ack: readonly string[] }[] = [];
  const audited: NewAuditRecord[] = [];

  before(async () => {
    users.set(USER, {
      eui: USER,
      name: "Supplier",
      roles: ["IS"],
      receiveResponseUrl: null,
      certificates: [{ serial: "1", issuer: "CN=Z1", usage: "xml", pem: certificate.toString() }],
    });
    app = await routes({ usersSetReceiveUrl: true });
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  /** The routes over this file's users, with the receive-URL options given. */
  async function routes(
    receive: Pick<DuisRoutesOptions, "usersSetReceiveUrl"> & Partial<DuisRoutesOptions>,
  ): Promise<FastifyInstance> {
    const instance = Fastify();
    await instance.register(duisRoutes, {
      pipeline: {
        async submit(webService, body, context): Promise<SubmitResult> {
          submitted.push({
            webService,
            body: Buffer.from(body).toString(),
            clientAddress: context?.clientAddress,
          });
          return { httpStatus: 200, contentType: "application/xml", body: "<ack/>", responseCode: "I99" };
        },
      },
      delivery: {
        async pull(user: string, ack: readonly string[]): Promise<OutboxRecord[]> {
          pulls.push({ user, ack });
          return [];
        },
        kick() {},
      },
      users: {
        get: async (eui) => users.get(eui),
        put: async (u) => {
          users.set(u.eui, u);
        },
      },
      nonces: store.nonces,
      now: () => NOW,
      receiveUrls: new ReceiveUrlPolicy({ allow: ["loopback"] }),
      audit: {
        append: async (record) => {
          audited.push(record);
          return audited.length;
        },
      },
      ...receive,
    });
    await instance.ready();
    return instance;
  }

  const auth = (
    method: string,
    path: string,
    body = "",
    at = NOW,
    privateKey = key,
    user = USER,
    nonce?: string,
  ) =>
    signedAuthorization({
      user,
      privateKey,
      method,
      pathAndQuery: path,
      body,
      at: new Date(at),
      ...(nonce === undefined ? {} : { nonce }),
    });

  it("passes XML to the pipeline with the web service it arrived on, as bytes", async () => {
    for (const ws of ["serviceS", "serviceT", "serviceD"]) {
      const r = await app.inject({
        method: "POST",
        url: `/api/v1/${ws}`,
        headers: { "content-type": "text/xml" },
        payload: "<x>é</x>",
      });
      assert.equal(r.statusCode, 200);
      assert.match(r.headers["content-type"] as string, /application\/xml/);
    }
    assert.deepEqual(
      submitted.map((s) => s.webService),
      ["serviceS", "serviceT", "serviceD"],
    );
    assert.equal(submitted[0]?.body, "<x>é</x>");
    // The peer's address goes with the request, for the audit line.
    assert.equal(submitted[0]?.clientAddress, "127.0.0.1");
  });

  it("refuses a body that is not XML", async () => {
    const r = await app.inject({
      method: "POST",
      url: "/api/v1/serviceS",
      headers: { "content-type": "text/plain" },
      payload: "hello",
    });
    assert.equal(r.statusCode, 415);
  });

  it("pull: needs a fresh signature by the user's key", async () => {
    const path = "/api/v1/responses?ack=a,b";
    assert.equal((await app.inject({ method: "GET", url: path })).statusCode, 401);
    const stale = await app.inject({
      method: "GET",
      url: path,
      headers: { authorization: auth("GET", path, "", NOW - 600_000) },
    });
    assert.equal(stale.statusCode, 401);
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const forged = await app.inject({
      method: "GET",
      url: path,
      headers: { authorization: auth("GET", path, "", NOW, other) },
    });
    assert.equal(forged.statusCode, 401);
    const wrongPath = await app.inject({
      method: "GET",
      url: path,
      headers: { authorization: auth("GET", "/api/v1/responses") },
    });
    assert.equal(wrongPath.statusCode, 401, "the signature covers the query (the acks)");
    const ok = await app.inject({ method: "GET", url: path, headers: { authorization: auth("GET", path) } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { responses: [] });
    assert.deepEqual(pulls.at(-1), { user: USER, ack: ["a", "b"] });
  });

  it("user API: a header is good for one call (its nonce is spent), and a header needs one", async () => {
    const path = "/api/v1/responses";
    const header = auth("GET", path);
    assert.match(header, /, nonce=[A-Za-z0-9_-]{22}, /);
    const first = await app.inject({ method: "GET", url: path, headers: { authorization: header } });
    assert.equal(first.statusCode, 200, first.body);
    const replay = await app.inject({ method: "GET", url: path, headers: { authorization: header } });
    assert.equal(replay.statusCode, 409);
    assert.equal(replay.json().error, "userApiReplayed");
    // A fresh signature with the same nonce is a replay too.
    const again = auth("GET", path, "", NOW + 1000, key, USER, /nonce=([^,]+),/.exec(header)![1]);
    assert.equal(
      (await app.inject({ method: "GET", url: path, headers: { authorization: again } })).json().error,
      "userApiReplayed",
    );
    // The nonce is signed: changing it breaks the signature (and a forged header spends nothing).
    const swapped = header.replace(/nonce=[^,]+,/, "nonce=AAAAAAAAAAAAAAAAAAAAAA,");
    const forged = await app.inject({ method: "GET", url: path, headers: { authorization: swapped } });
    assert.equal(forged.json().error, "signatureInvalid");
    const fine = auth("GET", path, "", NOW, key, USER, "AAAAAAAAAAAAAAAAAAAAAA");
    assert.equal(
      (await app.inject({ method: "GET", url: path, headers: { authorization: fine } })).statusCode,
      200,
    );
    // Without a nonce, or with one too short to be random, the header is refused before anything else.
    const withoutNonce = header.replace(/ nonce=[^,]+,/, "");
    const none = await app.inject({ method: "GET", url: path, headers: { authorization: withoutNonce } });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error, "userApiNonceMissing");
    const short = auth("GET", path, "", NOW, key, USER, "abc");
    assert.equal(
      (await app.inject({ method: "GET", url: path, headers: { authorization: short } })).json().error,
      "userApiNonceMissing",
    );
  });

  it("receive URL: a user sets its own, to an http(s) URL or null", async () => {
    const path = `/api/v1/users/${USER}/receive-url`;
    const put = (body: string, authorization = auth("PUT", path, body)) =>
      app.inject({
        method: "PUT",
        url: path,
        headers: { "content-type": "application/json", authorization },
        payload: body,
      });
    const ftp = await put('{"url":"ftp://x"}');
    assert.equal(ftp.statusCode, 400);
    assert.equal(ftp.json().error, "receiveUrlRefused");
    const internal = await put('{"url":"http://10.0.0.8:8080/r"}');
    assert.equal(internal.statusCode, 400);
    assert.match(internal.json().message, /10\.0\.0\.8 is a private address/);
    const metadata = await put('{"url":"http://169.254.169.254/latest/meta-data/"}');
    assert.match(metadata.json().message, /cloud metadata/);
    assert.equal(
      (await put('{"url":"http://127.0.0.1:9999/r"}', auth("PUT", path, "{}"))).statusCode,
      401,
      "body is signed",
    );
    assert.equal((await put('{"url":"http://127.0.0.1:9999/r"}')).statusCode, 200);
    assert.equal(users.get(USER)?.receiveResponseUrl, "http://127.0.0.1:9999/r");
    assert.equal((await put('{"url":null}')).statusCode, 200);
    assert.equal(users.get(USER)?.receiveResponseUrl, null);
    assert.deepEqual(
      audited.slice(-2).map((a) => [a.kind, a.actor, a.detail]),
      [
        [
          "user.receive-url.set",
          USER,
          { user: USER, url: "http://127.0.0.1:9999/r", previous: null, by: "user" },
        ],
        [
          "user.receive-url.set",
          USER,
          { user: USER, url: null, previous: "http://127.0.0.1:9999/r", by: "user" },
        ],
      ],
    );
    const otherPath = "/api/v1/users/90b3d51f30030000/receive-url";
    const body = '{"url":null}';
    const r = await app.inject({
      method: "PUT",
      url: otherPath,
      headers: { "content-type": "application/json", authorization: auth("PUT", otherPath, body) },
      payload: body,
    });
    assert.equal(r.statusCode, 401);
  });

  it("receive URL: refused to users where the operator registers them", async () => {
    const operatorOnly = await routes({ usersSetReceiveUrl: false });
    try {
      const path = `/api/v1/users/${USER}/receive-url`;
      const body = '{"url":"http://127.0.0.1:9999/r"}';
      const r = await operatorOnly.inject({
        method: "PUT",
        url: path,
        headers: { "content-type": "application/json", authorization: auth("PUT", path, body) },
        payload: body,
      });
      assert.equal(r.statusCode, 403);
      assert.equal(r.json().error, "receiveUrlByOperator");
      assert.equal(users.get(USER)?.receiveResponseUrl, null);
    } finally {
      await operatorOnly.close();
    }
  });
});
