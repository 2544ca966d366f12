/**
 * The operator's credential: who may see the dashboard, its feeds, `/metrics` and the admin
 * endpoints (the DUIS web services authenticate users by XML signature instead, and `/healthz`
 * stays open for load balancers).
 *
 * Three ways in, any one will do:
 * - `Authorization: Bearer <token>`: the operator token (scripts, Prometheus' `bearer_token_file`);
 * - the session cookie the login routes set once the token is given (a browser): HttpOnly,
 *   SameSite=Strict, Secure under TLS. Its value is an expiry and an HMAC of it keyed by the token,
 *   so any node that holds the token accepts it, nothing is kept per session, and a new token ends
 *   every session;
 * - a TLS client certificate, when mutual TLS is on, whose SHA-256 fingerprint is configured or
 *   that a configured operator CA issued.
 *
 * Tokens and session MACs are compared in constant time. `operatorGuard(auth)` is the Fastify
 * `onRequest` hook a plugin installs with `app.addHook("onRequest", guard)`; `operatorLoginRoutes`
 * serves `/login` and `/logout`.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual, type X509Certificate } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { TLSSocket } from "node:tls";
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onRequestHookHandler,
} from "fastify";

/** Where the login form is; a browser sent to a guarded page without a credential goes there. */
export const LOGIN_PATH = "/login";
/** The session cookie's name. */
export const SESSION_COOKIE = "meterway_operator";
/** A token shorter than this is refused: it could be guessed. */
export const MIN_TOKEN_LENGTH = 16;
/** How long a browser session lasts (default 12 hours). */
export const DEFAULT_SESSION_SECONDS = 12 * 3600;
const SESSION_LABEL = "meterway operator session";

export interface OperatorCertificates {
  /** SHA-256 fingerprints of accepted client certificates (hex; colons and case do not matter). */
  readonly sha256?: readonly string[];
  /** CAs whose certificates are accepted (the certificate must be issued and signed by one). */
  readonly cas?: readonly X509Certificate[];
}

export interface OperatorAuthOptions {
  readonly token: string;
  /** Mark the session cookie Secure (the server runs TLS). */
  readonly secureCookie: boolean;
  readonly sessionSeconds?: number;
  /** Client certificates accepted as the operator (mutual TLS only). */
  readonly certificates?: OperatorCertificates;
  /** Clock in ms (default Date.now). */
  readonly now?: () => number;
}

/** How a request proved it is the operator. */
export type OperatorCredential = "bearer" | "session" | "certificate";

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function normaliseFingerprint(text: string): string {
  return text.replaceAll(":", "").trim().toLowerCase();
}

export class OperatorAuth {
  readonly #tokenDigest: Buffer;
  readonly #sessionKey: Buffer;
  readonly #secure: boolean;
  readonly #sessionSeconds: number;
  readonly #fingerprints: ReadonlySet<string>;
  readonly #cas: readonly X509Certificate[];
  readonly #now: () => number;
  /** Client-certificate verdicts per TLS connection: a certificate cannot change on a socket. */
  readonly #certificateVerdicts = new WeakMap<TLSSocket, boolean>();

  constructor(options: OperatorAuthOptions) {
    if (options.token.length < MIN_TOKEN_LENGTH) {
      throw new RangeError(`the operator token must have at least ${MIN_TOKEN_LENGTH} characters`);
    }
    this.#tokenDigest = digest(options.token);
    // The session MAC key is derived from the token: the same token on every node, the same sessions.
    this.#sessionKey = createHmac("sha256", options.token).update(SESSION_LABEL).digest();
    this.#secure = options.secureCookie;
    this.#sessionSeconds = options.sessionSeconds ?? DEFAULT_SESSION_SECONDS;
    this.#fingerprints = new Set((options.certificates?.sha256 ?? []).map(normaliseFingerprint));
    this.#cas = options.certificates?.cas ?? [];
    this.#now = options.now ?? Date.now;
  }

  /** Whether `candidate` is the token, in time that does not depend on where they differ. */
  tokenMatches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.#tokenDigest);
  }

  /** The credential `request` carries, or undefined. */
  credentialOf(request: FastifyRequest): OperatorCredential | undefined {
    const authorization = request.headers.authorization;
    if (authorization !== undefined && /^Bearer /i.test(authorization)) {
      return this.tokenMatches(authorization.slice(7).trim()) ? "bearer" : undefined;
    }
    const session = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (session !== undefined && this.#sessionValid(session)) return "session";
    if (this.#certificateAccepted(request)) return "certificate";
    return undefined;
  }

  /** A `Set-Cookie` value that starts a browser session. */
  sessionCookie(): string {
    const expires = Math.floor(this.#now() / 1000) + this.#sessionSeconds;
    const value = `${expires}.${this.#mac(expires).toString("base64url")}`;
    return this.#cookie(value, this.#sessionSeconds);
  }

  /** A `Set-Cookie` value that ends the session. */
  clearedCookie(): string {
    return this.#cookie("", 0);
  }

  #cookie(value: string, maxAge: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${this.#secure ? "; Secure" : ""}`;
  }

  #mac(expires: number): Buffer {
    return createHmac("sha256", this.#sessionKey).update(String(expires)).digest();
  }

  #sessionValid(value: string): boolean {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (match === null) return false;
    const expires = Number(match[1]);
    const given = Buffer.from(match[2]!, "base64url");
    if (given.length !== 32 || !timingSafeEqual(given, this.#mac(expires))) return false;
    return expires * 1000 > this.#now();
  }

  #certificateAccepted(request: FastifyRequest): boolean {
    if (this.#fingerprints.size === 0 && this.#cas.length === 0) return false;
    const socket = request.raw.socket;
    // Only a certificate the TLS handshake verified counts (the server requires and checks it).
    if (!(socket instanceof TLSSocket) || !socket.authorized) return false;
    let verdict = this.#certificateVerdicts.get(socket);
    if (verdict === undefined) {
      verdict = this.#certificateMatches(socket);
      this.#certificateVerdicts.set(socket, verdict);
    }
    return verdict;
  }

  #certificateMatches(socket: TLSSocket): boolean {
    const peer = socket.getPeerX509Certificate();
    if (peer === undefined) return false;
    if (this.#fingerprints.has(normaliseFingerprint(peer.fingerprint256))) return true;
    return this.#cas.some((ca) => peer.checkIssued(ca) && peer.verify(ca.publicKey));
  }
}

/** The value of cookie `name` in a `Cookie` header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Refuses a request without the operator's credential: browsers go to the login form, the rest get 401. */
function refuse(request: FastifyRequest, reply: FastifyReply): void {
  reply.header("cache-control", "no-store");
  const page = request.method === "GET" && (request.headers.accept ?? "").includes("text/html");
  if (page) {
    void reply.code(303).header("location", LOGIN_PATH).send();
    return;
  }
  void reply.code(401).header("www-authenticate", 'Bearer realm="meterway operator"').send({
    error: "operatorUnauthorized",
    message: "the operator token is needed: Authorization: Bearer <token>, or log in at /login",
  });
}

/**
 * The `onRequest` hook that lets only the operator through. Install it in the plugin whose routes
 * it guards: `app.addHook("onRequest", operatorGuard(auth))`.
 */
export function operatorGuard(auth: OperatorAuth): onRequestHookHandler {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (auth.credentialOf(request) !== undefined) {
      done();
      return;
    }
    refuse(request, reply);
  };
}

const PAGE_HEADERS = {
  "cache-control": "no-store",
  // The token may be in this page's URL: never let it travel on in a Referer.
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
} as const;

function page(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>${head}
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input{width:100%;font:inherit;padding:.4rem;box-sizing:border-box}button{margin-top:.8rem;font:inherit;padding:.4rem 1rem}.error{color:#b42318}</style>
</head><body>${body}</body></html>`;
}

function loginForm(error: boolean): string {
  return page(
    "meterway · log in",
    `<h1>meterway</h1>
<p>The dashboard is for the operator. Give the operator token: <code>meterway start</code> prints a
login link with it, and it is kept in the data folder's <code>operator-token</code> file.</p>
${error ? '<p class="error" role="alert">That is not the operator token.</p>' : ""}
<form method="post" action="${LOGIN_PATH}">
<label for="token">Operator token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form>`,
  );
}

/** After a login by link: a page of our own leads on, so the dashboard is a same-site navigation. */
const SIGNED_IN = page(
  "meterway · logged in",
  '<p>Logged in. <a href="/">Open the dashboard</a>.</p>',
  '<meta http-equiv="refresh" content="0;url=/">',
);

export interface OperatorLoginOptions {
  readonly auth: OperatorAuth;
}

/**
 * `GET /login` (the form; with `?token=` it logs in at once: the link `meterway start` prints),
 * `POST /login` (the form's `token`), `POST /logout`.
 */
export const operatorLoginRoutes: FastifyPluginAsync<OperatorLoginOptions> = async (app, options) => {
  const { auth } = options;
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 4096 },
    (_request, body, done) => done(null, new URLSearchParams(body as string)),
  );

  app.get<{ Querystring: { token?: string } }>(LOGIN_PATH, async (request, reply) => {
    reply.headers(PAGE_HEADERS).type("text/html; charset=utf-8");
    const token = request.query.token;
    if (token === undefined) return reply.send(loginForm(false));
    if (!auth.tokenMatches(token)) return reply.code(401).send(loginForm(true));
    return reply.header("set-cookie", auth.sessionCookie()).send(SIGNED_IN);
  });

  app.post(LOGIN_PATH, async (request, reply) => {
    reply.headers(PAGE_HEADERS);
    const token = request.body instanceof URLSearchParams ? request.body.get("token") : null;
    if (token === null || !auth.tokenMatches(token)) {
      return reply.code(401).type("text/html; charset=utf-8").send(loginForm(true));
    }
    return reply.code(303).header("set-cookie", auth.sessionCookie()).header("location", "/").send();
  });

  app.post("/logout", async (_request, reply) =>
    reply
      .code(303)
      .headers(PAGE_HEADERS)
      .header("set-cookie", auth.clearedCookie())
      .header("location", LOGIN_PATH)
      .send(),
  );
};

/** The operator token, and where it is kept. */
export interface OperatorToken {
  readonly token: string;
  readonly path: string;
  /** Whether this run generated it. */
  readonly created: boolean;
}

/**
 * Reads the operator token from `tokenFile`, or from `<dataDir>/operator-token`, generating that
 * file (256 random bits, mode 0600) on first run. Throws an Error saying what to fix.
 */
export async function loadOperatorToken(options: {
  readonly dataDir: string;
  readonly tokenFile?: string;
}): Promise<OperatorToken> {
  const path = options.tokenFile ?? join(options.dataDir, "operator-token");
  if (options.tokenFile === undefined && !existsSync(path)) {
    const token = randomBytes(32).toString("base64url");
    try {
      // Exclusive create, owner-only from the first byte.
      const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await file.writeFile(`${token}\n`);
      } finally {
        await file.close();
      }
      return { token, path, created: true };
    } catch (error) {
      // Another process made it between the check and the create: read theirs.
      if (!(typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST")) {
        throw error;
      }
    }
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read the operator token file ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new Error(
      `the operator token in ${path} must be one word of at least ${MIN_TOKEN_LENGTH} characters`,
    );
  }
  return { token, path, created: false };
}
