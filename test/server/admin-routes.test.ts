import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import Fastify, { type FastifyInstance, type onRequestHookHandler } from "fastify";
import { ReceiveUrlPolicy } from "../../src/dcc/receive-url.js";
import { adminRoutes } from "../../src/server/admin-routes.js";
import { OperatorAuth, operatorGuard } from "../../src/server/operator-auth.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite.js";

const USER = "90b3d51f30010000";
const TOKEN = "operator-token-0123456789";
const AT = Date.UTC(2026, 11, 7, 12);

describe("admin routes", () => {
  let store: SqliteStore;
  let kicks: number;
  const apps: FastifyInstance[] = [];

  beforeEach(async () => {
    store = openSqliteStore({ file: ":memory:" });
    kicks = 0;
    await store.users.put({
      eui: USER,
      name: "Supplier",
      roles: ["IS"],
      receiveResponseUrl: null,
      certificates: [{ serial: "7", issuer: "CN=Z1", usage: "xml" }],
    });
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await store.close();
  });

  async function admin(guard: onRequestHookHandler): Promise<FastifyInstance> {
    const app = Fastify();
    apps.push(app);
    await app.register(adminRoutes, {
      guard,
      users: store.users,
      outbox: store.outbox,
      receiveUrls: new ReceiveUrlPolicy({ allow: ["10.20.0.0/16"] }),
      delivery: {
        kick: () => {
          kicks++;
        },
      },
      audit: store.audit,
      now: () => AT,
      maxPendingPerUser: 10_000,
    });
    await app.ready();
    return app;
  }

  function putUrl(app: FastifyInstance, url: string | null, authorization?: string, eui = USER) {
    return app.inject({
      method: "PUT",
      url: `/api/v1/admin/users/${eui}/receive-url`,
      headers: {
        "content-type": "application/json",
        ...(authorization === undefined ? {} : { authorization }),
      },
      payload: JSON.stringify({ url }),
    });
  }

  it("registers a user's receive URL under the policy, audited as the operator's", async () => {
    const app = await admin(operatorGuard(new OperatorAuth({ token: TOKEN, secureCookie: false })));
    const bearer = `Bearer ${TOKEN}`;
    const set = await putUrl(app, "http://10.20.1.5:8080/duis", bearer, "90-B3-D5-1F-30-01-00-00");
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual(set.json(), { user: USER, receiveResponseUrl: "http://10.20.1.5:8080/duis" });
    assert.equal((await store.users.get(USER))?.receiveResponseUrl, "http://10.20.1.5:8080/duis");
    assert.equal(kicks, 1, "delivery tries the user's waiting messages at once");

    const refused = await putUrl(app, "http://10.21.0.1/duis", bearer);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error, "receiveUrlRefused");
    assert.match(refused.json().message, /10\.21\.0\.1 is a private address/);
    assert.equal((await putUrl(app, "http://10.20.1.5/", bearer, "90b3d51f3001ffff")).statusCode, 404);

    const got = await app.inject({
      method: "GET",
      url: `/api/v1/admin/users/${USER}`,
      headers: { authorization: bearer },
    });
    assert.equal(got.statusCode, 200);
    assert.deepEqual(got.json(), {
      user: USER,
      name: "Supplier",
      roles: ["IS"],
      receiveResponseUrl: "http://10.20.1.5:8080/duis",
      certificates: [{ serial: "7", issuer: "CN=Z1", usage: "xml" }],
      pendingDeliveries: 0,
    });
    const audit = await store.audit.list();
    assert.deepEqual(
      audit.map((a) => [a.kind, a.actor, a.detail]),
      [
        [
          "user.receive-url.set",
          "operator",
          { user: USER, url: "http://10.20.1.5:8080/duis", previous: null, by: "operator" },
        ],
      ],
    );
  });

  it("refuses every call without the operator's token", async () => {
    const app = await admin(operatorGuard(new OperatorAuth({ token: TOKEN, secureCookie: false })));
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Basic ${TOKEN}`, TOKEN]) {
      const put = await putUrl(app, "http://10.20.1.5/", authorization);
      assert.equal(put.statusCode, 401, String(authorization));
      assert.match(String(put.headers["www-authenticate"]), /^Bearer/);
      const headers = authorization === undefined ? {} : { authorization };
      assert.equal(
        (await app.inject({ method: "GET", url: `/api/v1/admin/users/${USER}`, headers })).statusCode,
        401,
      );
    }
    assert.equal((await store.users.get(USER))?.receiveResponseUrl, null);
    assert.deepEqual(await store.audit.list(), []);
  });

  it("installs the guard it is given on every route", async () => {
    const seen: string[] = [];
    const open = await admin(async (request) => {
      seen.push(`${request.method} ${request.url}`);
    });
    assert.equal((await putUrl(open, "http://10.20.1.5/")).statusCode, 200);
    assert.equal((await open.inject({ method: "GET", url: `/api/v1/admin/users/${USER}` })).statusCode, 200);
    assert.deepEqual(seen, [
      `PUT /api/v1/admin/users/${USER}/receive-url`,
      `GET /api/v1/admin/users/${USER}`,
    ]);
  });
});
