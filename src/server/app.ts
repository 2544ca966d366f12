/**
 * The Fastify app factory. It takes its dependencies (nothing is built here) so that the
 * composition root, tests (`app.inject()`) and benchmarks assemble it the same way.
 *
 * Routes of its own: `GET /healthz` and `GET /metrics`. Everything else comes in as plugins: the
 * DUIS web services (`src/server/duis-routes.ts`) and the dashboard (`src/server/dashboard.ts`)
 * are Fastify plugins registered by the composition root through `plugins`, each in its own
 * encapsulated context (so a plugin's content-type parsers and hooks stay its own).
 *
 * What the app does for every route: the HTTP limits (timeouts for headers, the whole request and
 * idle connections, a connection cap), TLS when given, and the per-address rate limits, checked in
 * the first hook, before a body is read, so that a flood costs a 429 and nothing else. `/metrics`
 * sits behind the operator guard when one is given; `/healthz` is always open.
 */
import type { ServerOptions as HttpsServerOptions } from "node:https";
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginOptions,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  type onRequestHookHandler,
} from "fastify";
import { DEFAULT_LIMITS, type HttpLimitsConfig } from "../config/config.js";
import { DuisError } from "../duis/errors.js";
import { checkHealth, type HealthCheck } from "./health.js";
import { type DccMetrics, PROMETHEUS_CONTENT_TYPE } from "./metrics.js";
import { retryAfterSeconds, type TokenBuckets } from "./rate-limit.js";

/** A plugin with its options, ready to register (build one with `appPlugin`). */
export interface AppPlugin {
  readonly name: string;
  register(app: FastifyInstance): Promise<void>;
}

/** Pairs a Fastify plugin with its options, keeping the options' type checked against the plugin. */
export function appPlugin<O extends FastifyPluginOptions>(
  name: string,
  plugin: FastifyPluginAsync<O>,
  options: O,
): AppPlugin {
  return {
    name,
    async register(app) {
      await app.register(plugin, options);
    },
  };
}

export interface AppDeps {
  readonly metrics: DccMetrics;
  /** What `/healthz` checks (the store and the bus, at least). */
  readonly health: readonly HealthCheck[];
  /** Route plugins: DUIS web services, dashboard, JSON API. */
  readonly plugins?: readonly AppPlugin[];
  /** Largest request body accepted, bytes (default 1 MiB; a DUIS request is a few KiB). */
  readonly bodyLimit?: number;
  /** Fastify logger option (default off; `meterway start` passes its own). */
  readonly logger?: FastifyServerOptions["logger"];
  /** Run on close, after the server stops taking requests (close the pipeline, the store...). */
  readonly onClose?: () => Promise<void>;
  /** TLS (Node's https server options: key, cert, and ca with requestCert for mutual TLS). */
  readonly https?: HttpsServerOptions;
  /** Timeouts and the connection cap (defaults: `DEFAULT_LIMITS`). */
  readonly limits?: Partial<
    Pick<
      HttpLimitsConfig,
      "requestTimeoutMs" | "headersTimeoutMs" | "idleTimeoutMs" | "keepAliveTimeoutMs" | "maxConnections"
    >
  >;
  /** Per-client-address rate limits (none when left out). */
  readonly addressLimits?: AddressLimits;
  /** The operator guard for `/metrics` (open when left out). */
  readonly operatorGuard?: onRequestHookHandler;
  /**
   * Told of every answer with a 4xx/5xx status, with its path (no query) and body, whoever sent it
   * (a route, a rate limit, Fastify's body limit): the dashboard lists the refusals on DUIS routes.
   */
  readonly onRefusal?: (path: string, status: number, payload: unknown) => void;
}

/** Rate limits by client address, applied to every route but `/healthz`. */
export interface AddressLimits {
  /** Every request takes a token, before its body is read. */
  readonly requests?: TokenBuckets;
  /**
   * Every refused request (a 4xx answer other than 429) takes a token after the fact; an address
   * whose bucket is empty gets 429 until it refills, so junk costs the sender more than the DCC.
   */
  readonly refusals?: TokenBuckets;
}

/** Paths that are never rate limited: a load balancer's health probe must always get through. */
const UNLIMITED_PATHS = new Set(["/healthz"]);

/** The client's address, with an IPv4-mapped IPv6 address written as IPv4. */
export function clientAddress(request: FastifyRequest): string {
  const ip = request.ip;
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

/**
 * A 429 with `Retry-After`, the connection closed after it (a flooding client's body is not read,
 * and its connection does not keep a slot).
 */
export function tooManyRequests(reply: FastifyReply, retryAfterMs: number): FastifyReply {
  return reply
    .code(429)
    .header("retry-after", String(retryAfterSeconds(retryAfterMs)))
    .header("connection", "close")
    .type("text/plain; charset=utf-8")
    .send(`${new DuisError("rateLimited").message}\n`);
}

/** Default body limit: DUIS requests are small; large bodies are refused with 413. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Builds the app (not listening). Call `app.listen` to serve and `app.close` to stop gracefully. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  // Node checks the header and request timeouts on a timer (30 s by default): check often enough
  // that a timeout means what it says.
  const serverOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(
      50,
      Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2)),
    ),
  };
  const common = {
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Graceful close: stop accepting, let in-flight requests finish, end idle keep-alive sockets.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  } as const;
  // An https server is driven exactly like an http one here; Fastify types them apart only by the
  // server object, which nothing outside reads but `maxConnections` and `address()`.
  const app =
    deps.https === undefined
      ? Fastify({ ...common, http: serverOptions })
      : (Fastify({
          ...common,
          https: { ...deps.https, ...serverOptions, handshakeTimeout: limits.headersTimeoutMs },
        }) as unknown as FastifyInstance);
  app.server.maxConnections = limits.maxConnections;

  const onRefusal = deps.onRefusal;
  if (onRefusal !== undefined) {
    // onSend sees the body, which names the registry error; added first, so every route has it.
    app.addHook("onSend", async (request, reply, payload) => {
      if (reply.statusCode >= 400) onRefusal(request.url.split("?", 1)[0]!, reply.statusCode, payload);
      return payload;
    });
  }

  const { requests, refusals } = deps.addressLimits ?? {};
  if (requests !== undefined || refusals !== undefined) {
    app.addHook("onRequest", async (request, reply) => {
      if (UNLIMITED_PATHS.has(request.url.split("?", 1)[0]!)) return;
      const address = clientAddress(request);
      const refused = refusals?.peek(address);
      if (refused !== undefined && !refused.ok) {
        deps.metrics.rateLimited.inc({ limit: "refusals" });
        return tooManyRequests(reply, refused.retryAfterMs);
      }
      const verdict = requests?.take(address);
      if (verdict !== undefined && !verdict.ok) {
        deps.metrics.rateLimited.inc({ limit: "address" });
        return tooManyRequests(reply, verdict.retryAfterMs);
      }
    });
    if (refusals !== undefined) {
      app.addHook("onResponse", async (request, reply) => {
        const code = reply.statusCode;
        if (code >= 400 && code < 500 && code !== 429) refusals.charge(clientAddress(request));
      });
    }
  }

  app.get("/healthz", async (_request, reply) => {
    const report = await checkHealth(deps.health);
    return reply.code(report.status === "ok" ? 200 : 503).send(report);
  });

  await app.register(async (scope) => {
    if (deps.operatorGuard !== undefined) scope.addHook("onRequest", deps.operatorGuard);
    scope.get("/metrics", async (_request, reply) => {
      const text = await deps.metrics.registry.render();
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
    });
  });

  for (const plugin of deps.plugins ?? []) await plugin.register(app);

  if (deps.onClose !== undefined) {
    const onClose = deps.onClose;
    app.addHook("onClose", async () => {
      await onClose();
    });
  }
  await app.ready();
  return app;
}
