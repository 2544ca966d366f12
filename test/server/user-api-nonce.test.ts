/**
 * A user-API header is good for one call on the whole DCC, not per node: two DUIS route sets (two
 * nodes) over one store, a header used on one is refused on the other. Run on PostgreSQL (two pools
 * on one schema, as cluster nodes are) and on one SQLite file opened twice.
 */
import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { ReceiveUrlPolicy } from "../../src/dcc/receive-url.js";
import { duisRoutes, signedAuthorization } from "../../src/server/duis-routes.js";
import type { Store } from "../../src/store/port.js";
import { openPostgresStore } from "../../src/store/postgres.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import { testPostgres } from "../support/postgres.js";
import { reference } from "../support/reference.js";

const USER = "90b3d51f30010000";
const NOW = Date.UTC(2026, 10, 28, 12);
const privateKey = createPrivateKey({
  key: readFileSync(reference("dccboxed-keys", "xml-sign-90B3D51F30010000-ds.key")),
  format: "der",
  type: "pkcs8",
});
const certificate = new X509Certificate(
  readFileSync(reference("dccboxed-keys", "xml-sign-90B3D51F30010000-ds.pem")),
);

/** One node: the DUIS routes over its own connection to the shared store. */
async function node(store: Store): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(duisRoutes, {
    pipeline: {
      submit: async () => ({ httpStatus: 500, contentType: "text/plain", body: "", responseCode: null }),
    },
    delivery: { pull: async () => [], kick() {} },
    users: store.users,
    nonces: store.nonces,
    now: () => NOW,
    receiveUrls: new ReceiveUrlPolicy({ allow: ["loopback"] }),
    usersSetReceiveUrl: true,
  });
  await app.ready();
  return app;
}

async function replayAcrossNodes(a: Store, b: Store): Promise<void> {
  await a.users.put({
    eui: USER,
    name: "Supplier",
    roles: ["IS"],
    receiveResponseUrl: null,
    certificates: [{ serial: "1", issuer: "CN=Z1", usage: "xml", pem: certificate.toString() }],
  });
  const [one, two] = [await node(a), await node(b)];
  try {
    const path = "/api/v1/responses";
    const header = signedAuthorization({
      user: USER,
      privateKey,
      method: "GET",
      pathAndQuery: path,
      at: new Date(NOW),
    });
    const get = (app: FastifyInstance) =>
      app.inject({ method: "GET", url: path, headers: { authorization: header } });
    const first = await get(one);
    assert.equal(first.statusCode, 200, first.body);
    const replayed = await get(two);
    assert.equal(replayed.statusCode, 409);
    assert.equal(replayed.json().error, "userApiReplayed");
    // Sent to both nodes at once, a fresh header still wins exactly once.
    const fresh = signedAuthorization({
      user: USER,
      privateKey,
      method: "GET",
      pathAndQuery: path,
      at: new Date(NOW),
    });
    const race = await Promise.all(
      [one, two, one, two].map((app) =>
        app.inject({ method: "GET", url: path, headers: { authorization: fresh } }),
      ),
    );
    assert.deepEqual(race.map((r) => r.statusCode).sort(), [200, 409, 409, 409]);
  } finally {
    await one.close();
    await two.close();
  }
}

describe("user-API nonces across nodes", () => {
  it("refuses a header replayed on another node sharing one SQLite file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "meterway-nonce-"));
    const file = join(dir, "meterway.db");
    const a = openSqliteStore({ file });
    const b = openSqliteStore({ file });
    try {
      await replayAcrossNodes(a, b);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const server = await testPostgres("user-API nonces on PostgreSQL");
if (server !== undefined) {
  describe("user-API nonces across PostgreSQL nodes", () => {
    it("refuses a header replayed on another node sharing the database", async () => {
      const schema = await server.schema();
      const [a, b] = await Promise.all([
        openPostgresStore({ url: server.url, schema }),
        openPostgresStore({ url: server.url, schema }),
      ]);
      try {
        await replayAcrossNodes(a, b);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
