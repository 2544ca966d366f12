/**
 * The DUIS web services, as DCC Boxed serves them, plus two small user APIs.
 *
 * DUIS (XML, `application/xml` or `text/xml`):
 * - `POST /api/v1/serviceS`: send a command (CV 1, 3, 5, 7);
 * - `POST /api/v1/serviceT`: transform to a pre-command (CV 4);
 * - `POST /api/v1/serviceD`: non-device requests (CV 8), and commands returned for local
 *   delivery (CV 2, 6), as DUIS assigns them to its Non-Device Service.
 * The body is the signed DUIS Request; the answer is the signed DUIS acknowledgement (I99) or
 * E-code with HTTP 200, or an HTTP error with a short text body when the request cannot be
 * answered in DUIS (not XML, not signed by a known user, a replay): see `src/duis/errors.ts`.
 * The command variant is checked against the web service it arrived on (E13).
 *
 * User APIs (JSON), authenticated with a signature by the user's own DUIS signing key:
 * - `GET /api/v1/responses[?ack=<id>,<id>…]`: the pull API. Removes the entries the user
 *   acknowledges (ids it took before), then returns `{ responses: [{ id, kind, requestId, body,
 *   createdAt }] }`: up to 50 undelivered responses and alerts, oldest first, each `body` the signed
 *   DUIS XML as it would have been POSTed. An entry stays until acknowledged.
 * - `PUT /api/v1/users/<EUI>/receive-url` with `{ "url": "http://…" | null }`: sets where the DCC
 *   POSTs the user's responses and alerts (null: pull only). A user can set only its own, only where
 *   the operator lets users set them (`usersSetReceiveUrl`; otherwise the operator registers them
 *   with the admin API, src/server/admin-routes.ts), and only to a URL the receive-URL policy
 *   passes (no private, loopback or metadata addresses unless allowed). Audited.
 * - `GET /api/v1/users/<EUI>/receive-url`: `{ user, receiveResponseUrl }`, the URL as the PUT
 *   left it (null: pull only), so that a client that registers an endpoint for a while can put
 *   back exactly what was there. A user can read only its own.
 *
 * The user-API signature (a DCC Boxed-like client holds exactly one key, the one it signs DUIS
 * requests with, so that key authenticates it here too):
 *
 *   Authorization: DUIS-Signature user=<EUI, 16 hex>, time=<ISO 8601 UTC>, nonce=<16-64 of
 *     A-Z a-z 0-9 - _>, signature=<base64>
 *
 * `signature` is ECDSA P-256 / SHA-256, raw r||s, over the UTF-8 text
 * `<METHOD>\n<path and query>\n<time>\n<nonce>\n<hex SHA-256 of the body>`, verified with any of the
 * user's registered signing certificates; `time` must be within 5 minutes of the DCC's clock, and
 * each nonce is accepted once: the store remembers it until the time has left the window, so a
 * captured header cannot be replayed (on any node sharing the store).
 */
import { createHash, type KeyObject, randomBytes, sign, verify, X509Certificate } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { WebService } from "../catalogue/index.js";
import type { Delivery } from "../dcc/delivery.js";
import type { SubmitContext, SubmitResult } from "../dcc/pipeline.js";
import type { ReceiveUrlPolicy } from "../dcc/receive-url.js";
import { DuisError } from "../duis/errors.js";
import type { AuditRepository, NonceRepository, UserRepository } from "../store/port.js";

export interface DuisRoutesOptions {
  readonly pipeline: {
    submit(webService: WebService, body: string | Uint8Array, context?: SubmitContext): Promise<SubmitResult>;
  };
  readonly delivery: Pick<Delivery, "pull" | "kick">;
  readonly users: Pick<UserRepository, "get" | "put">;
  /** Where used user-API nonces are remembered (the store, so that every node sees them). */
  readonly nonces: Pick<NonceRepository, "use">;
  /** The DCC's clock (ms since the epoch), for the user-API signature window. */
  readonly now: () => number;
  /** Where receive URLs may point; a URL it refuses is not registered. */
  readonly receiveUrls: Pick<ReceiveUrlPolicy, "check">;
  /** Whether users may set their own receive URL (false: only the operator, with the admin API). */
  readonly usersSetReceiveUrl: boolean;
  /** Where receive-URL changes are recorded (none: not audited, for tests of the routes alone). */
  readonly audit?: Pick<AuditRepository, "append">;
}

/** How far the signed time of a user-API call may be from the DCC's clock. */
export const AUTH_WINDOW_MS = 5 * 60_000;
/** A nonce: 16 to 64 URL-safe characters (the client sends 128 random bits in base64url). */
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const AUTH_SCHEME = "DUIS-Signature";
const WEB_SERVICES: readonly WebService[] = ["serviceS", "serviceT", "serviceD"];

/** The text a user-API signature covers. */
export function authPayload(
  method: string,
  pathAndQuery: string,
  time: string,
  nonce: string,
  body: string | Uint8Array,
): string {
  const digest = createHash("sha256").update(body).digest("hex");
  return `${method.toUpperCase()}\n${pathAndQuery}\n${time}\n${nonce}\n${digest}`;
}

/** The `Authorization` header value for a user-API call (the client side: `meterway request`, tests). */
export function signedAuthorization(options: {
  readonly user: string;
  readonly privateKey: KeyObject;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body?: string | Uint8Array;
  readonly at: Date;
  /** The call's nonce (default: 128 fresh random bits); a header is good for one call only. */
  readonly nonce?: string;
}): string {
  const time = options.at.toISOString();
  const nonce = options.nonce ?? randomBytes(16).toString("base64url");
  const payload = authPayload(options.method, options.pathAndQuery, time, nonce, options.body ?? "");
  const signature = sign("sha256", Buffer.from(payload, "utf8"), {
    key: options.privateKey,
    dsaEncoding: "ieee-p1363",
  }).toString("base64");
  return `${AUTH_SCHEME} user=${options.user.toLowerCase()}, time=${time}, nonce=${nonce}, signature=${signature}`;
}

/** Checks a user-API call's signature; returns the user's EUI or throws DuisError. */
async function authenticate(
  request: FastifyRequest,
  rawBody: string,
  options: DuisRoutesOptions,
): Promise<string> {
  const header = request.headers.authorization;
  if (header === undefined || !header.startsWith(`${AUTH_SCHEME} `)) {
    throw new DuisError("signatureMissing", `Authorization: ${AUTH_SCHEME} expected`);
  }
  const fields = new Map(
    header
      .slice(AUTH_SCHEME.length + 1)
      .split(",")
      .map((part) => {
        const at = part.indexOf("=");
        return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
      }),
  );
  const user = fields.get("user")?.toLowerCase();
  const time = fields.get("time");
  const signature = fields.get("signature");
  const nonce = fields.get("nonce");
  if (user === undefined || time === undefined || signature === undefined || !/^[0-9a-f]{16}$/.test(user)) {
    throw new DuisError("signatureUnsupported", "Authorization needs user, time, nonce and signature");
  }
  if (nonce === undefined || !NONCE.test(nonce)) {
    throw new DuisError(
      "userApiNonceMissing",
      nonce === undefined ? "Authorization has no nonce" : "the nonce is not 16-64 of A-Z a-z 0-9 - _",
    );
  }
  const signedAt = Date.parse(time);
  if (!Number.isFinite(signedAt) || Math.abs(signedAt - options.now()) > AUTH_WINDOW_MS) {
    throw new DuisError("signatureInvalid", `time ${time} is not within 5 minutes of the DCC's clock`);
  }
  const record = await options.users.get(user);
  if (record === undefined) throw new DuisError("certificateUnknown", `no user ${user}`);
  const payload = Buffer.from(authPayload(request.method, request.url, time, nonce, rawBody), "utf8");
  const raw = Buffer.from(signature, "base64");
  const ok = record.certificates.some((c) => {
    if (c.usage === "ka" || c.pem === undefined) return false;
    try {
      return verify(
        "sha256",
        payload,
        { key: new X509Certificate(c.pem).publicKey, dsaEncoding: "ieee-p1363" },
        raw,
      );
    } catch {
      return false;
    }
  });
  if (!ok) throw new DuisError("signatureInvalid", "the Authorization signature does not verify");
  // Only a verified header spends its nonce (a forged one cannot block the real user's call). It is
  // remembered until the signed time leaves the window; after that the time check refuses it.
  if (!(await options.nonces.use(user, nonce, signedAt + AUTH_WINDOW_MS, options.now()))) {
    throw new DuisError("userApiReplayed", `nonce ${nonce} was used already`);
  }
  return user;
}

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  const e = error instanceof DuisError ? error : new DuisError("internal", undefined, { cause: error });
  return reply.code(e.httpStatus).type("application/json").send({ error: e.key, message: e.message });
}

export const duisRoutes: FastifyPluginAsync<DuisRoutesOptions> = async (app, options) => {
  // DUIS bodies are taken as bytes: the signature is checked over exactly what arrived.
  app.addContentTypeParser(["application/xml", "text/xml"], { parseAs: "buffer" }, (_request, body, done) =>
    done(null, body),
  );
  // JSON bodies keep their text too: the user-API signature covers the bytes sent.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, { raw: body, value: JSON.parse(body as string) as unknown });
    } catch {
      done(Object.assign(new Error("body is not JSON"), { statusCode: 400 }));
    }
  });

  for (const webService of WEB_SERVICES) {
    app.post(`/api/v1/${webService}`, async (request, reply) => {
      const type = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/xml" && type !== "text/xml") {
        const refused = new DuisError("unsupportedMediaType", `got '${type || "none"}'`);
        return reply.code(refused.httpStatus).type("text/plain").send(`${refused.message}\n`);
      }
      // request.ip: the peer's address (no proxy is trusted), kept in the audit line.
      const result = await options.pipeline.submit(webService, request.body as Buffer, {
        clientAddress: request.ip,
      });
      if (result.retryAfterSeconds !== undefined) {
        reply.header("retry-after", String(result.retryAfterSeconds));
      }
      return reply
        .code(result.httpStatus)
        .type(result.contentType === "application/xml" ? "application/xml; charset=utf-8" : "text/plain")
        .send(result.body);
    });
  }

  app.get("/api/v1/responses", async (request, reply) => {
    try {
      const user = await authenticate(request, "", options);
      const query = request.query as { ack?: string };
      const ack = (query.ack ?? "").split(",").filter((id) => id.length > 0);
      const entries = await options.delivery.pull(user, ack);
      return reply.send({
        responses: entries.map((e) => ({
          id: e.id,
          kind: e.kind,
          requestId: e.requestId,
          body: e.body,
          createdAt: new Date(e.createdAt).toISOString(),
        })),
      });
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.get("/api/v1/users/:eui/receive-url", async (request, reply) => {
    try {
      const user = await authenticate(request, "", options);
      const target = (request.params as { eui: string }).eui.replaceAll("-", "").toLowerCase();
      if (target !== user)
        throw new DuisError("certificateNotOriginator", "a user may read only its own URL");
      const record = await options.users.get(user);
      if (record === undefined) throw new DuisError("certificateUnknown", `no user ${user}`);
      return reply.send({ user, receiveResponseUrl: record.receiveResponseUrl });
    } catch (error) {
      return sendError(reply, error);
    }
  });

  app.put("/api/v1/users/:eui/receive-url", async (request, reply) => {
    try {
      const body = request.body as { raw: string; value: unknown } | undefined;
      const user = await authenticate(request, body?.raw ?? "", options);
      const target = (request.params as { eui: string }).eui.replaceAll("-", "").toLowerCase();
      if (target !== user) throw new DuisError("certificateNotOriginator", "a user may set only its own URL");
      if (!options.usersSetReceiveUrl) throw new DuisError("receiveUrlByOperator");
      const url = await checkedReceiveUrl(body?.value, options.receiveUrls);
      const record = await options.users.get(user);
      if (record === undefined) throw new DuisError("certificateUnknown", `no user ${user}`);
      await options.users.put({ ...record, receiveResponseUrl: url });
      await options.audit?.append({
        at: options.now(),
        kind: "user.receive-url.set",
        actor: user,
        requestId: null,
        detail: { user, url, previous: record.receiveResponseUrl, by: "user" },
      });
      options.delivery.kick();
      return reply.send({ user, receiveResponseUrl: url });
    } catch (error) {
      return sendError(reply, error);
    }
  });
};

/**
 * The `url` of a receive-URL request body (`{ "url": "http…" | null }`) once the receive-URL policy
 * passes it; null means pull only. Throws DuisError `receiveUrlRefused` with the reason. Shared with
 * the admin API.
 */
export async function checkedReceiveUrl(
  value: unknown,
  policy: Pick<ReceiveUrlPolicy, "check">,
): Promise<string | null> {
  const url = typeof value === "object" && value !== null && "url" in value ? value.url : undefined;
  if (url === null) return null;
  if (typeof url !== "string" || url.length > 2048) {
    throw new DuisError(
      "receiveUrlRefused",
      "url must be an http(s) URL of at most 2048 characters, or null",
    );
  }
  const refusal = await policy.check(url);
  if (refusal !== null) throw new DuisError("receiveUrlRefused", refusal);
  return url;
}
