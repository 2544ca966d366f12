/**
 * The Fastify app factory. It takes its dependencies (nothing is built here) so that the
 * composition root, tests (`app.inject()`) and benchmarks assemble it the same way.
 *
 * Routes of its own: `GET /healthz` and `GET /metrics`. Everything else comes in as plugins: the
 * DUIS web services (`src/server/duis-routes.ts`) and the dashboard (`src/server/dashboard.ts`)
 * are Fastify plugins registered by the composition root through `plugins`, each in its own
 * encapsulated context (so a plugin's content-type parsers and hooks stay its own).
 */
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginOptions,
  type FastifyServerOptions,
} from "fastify";
import { checkHealth, type HealthCheck } from "./health.js";
import { type DccMetrics, PROMETHEUS_CONTENT_TYPE } from "./metrics.js";

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
}

/** Default body limit: DUIS requests are small; large bodies are refused with 413. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Builds the app (not listening). Call `app.listen` to serve and `app.close` to stop gracefully. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Graceful close: stop accepting, let in-flight requests finish, end idle keep-alive sockets.
    forceCloseConnections: "idle",
    return503OnClosing: true,
  });

  app.get("/healthz", async (_request, reply) => {
    const report = await checkHealth(deps.health);
    return reply.code(report.status === "ok" ? 200 : 503).send(report);
  });

  app.get("/metrics", async (_request, reply) => {
    const text = await deps.metrics.registry.render();
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
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
