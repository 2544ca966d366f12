/**
 * The dashboard: the page at `/` (built by Vite into web/dist) and the JSON it reads.
 *
 *   GET /                                  the page (index.html, not cached)
 *   GET /assets/*                          its script and styles (hashed names, cached for a year)
 *   GET /api/v1/dashboard/summary          SummaryJson: instance, devices, request rates, latency, queue
 *   GET /api/v1/dashboard/responses?limit  ResponsesJson: the latest responses, newest first
 *   GET /api/v1/dashboard/events           server-sent events `summary` and `responses` every few
 *                                          seconds, so an open page is live without polling
 *
 * Register it once, without a prefix: `app.register(dashboardPlugin, { source, staticDir, guard })`.
 * It is encapsulated, so its @fastify/static decorators and its guard do not reach the app's other
 * routes. The guard (`operatorGuard` in operator-auth.ts) covers every route here: the page, its
 * assets, the JSON and the event stream. Event streams are capped in all and per client address,
 * since each holds a connection for as long as the viewer stays.
 */

import { existsSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, onRequestHookHandler } from "fastify";
import { clientAddress, tooManyRequests } from "./app.js";
import type { CountJson, ResponseJson, ResponsesJson, SummaryJson } from "./dashboard-api.js";
import type { DashboardSource, KeyCount, ResponseRecord } from "./dashboard-source.js";

export interface DashboardOptions {
  readonly source: DashboardSource;
  /** The built page: web/dist (must contain index.html; the page says how to build it if not). */
  readonly staticDir: string;
  /** Server time; the composition root passes its clock. */
  readonly clock?: () => Date;
  /** How far back the request-rate chart and latency percentiles look (default 10 minutes). */
  readonly windowSeconds?: number;
  /** Width of one bucket of the request-rate chart (default 5 s). */
  readonly bucketSeconds?: number;
  /** How often the events stream pushes (default 2 s). */
  readonly pushIntervalMs?: number;
  /** How many responses the events stream sends each push (default 20, the page's table size). */
  readonly streamResponses?: number;
  /** Lets only the operator in (every route of the plugin); none: open (tests of the page alone). */
  readonly guard?: onRequestHookHandler;
  /** Event streams open at most (default 64), and per client address (default 8). */
  readonly maxStreams?: number;
  readonly maxStreamsPerAddress?: number;
}

/** The most responses one request may ask for; keeps a careless `?limit=` from loading the store. */
export const MAX_RESPONSES = 500;
export const DEFAULT_RESPONSES = 20;
/** Default caps on open event streams: in all, and per client address. */
export const DEFAULT_MAX_STREAMS = 64;
export const DEFAULT_MAX_STREAMS_PER_ADDRESS = 8;

/** Known orders for display: SMI statuses by lifecycle, CSP regions north to south. */
const STATUS_ORDER = [
  "Pending",
  "Whitelisted",
  "InstalledNotCommissioned",
  "Commissioned",
  "Suspended",
  "Recovery",
  "Recovered",
  "Decommissioned",
  "Withdrawn",
];
const REGION_ORDER = ["North", "Central", "South", "4G North", "4G Central", "4G South"];

function ordered(counts: readonly KeyCount[], order: readonly string[]): CountJson[] {
  const rank = (key: string): number => {
    const i = order.indexOf(key);
    return i < 0 ? order.length : i;
  };
  return [...counts]
    .map(({ key, count }) => ({ key, count }))
    .sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
}

function responseJson(r: ResponseRecord): ResponseJson {
  return {
    at: r.at.toISOString(),
    requestId: r.requestId,
    srv: r.srv,
    deviceId: r.deviceId,
    responseCode: r.responseCode,
    latencyMs: r.latencyMs,
    ...(r.error === undefined ? {} : { error: r.error }),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
  };
}

/** Reads the source and shapes the JSON; one instance per plugin registration. */
export class DashboardReader {
  readonly #source: DashboardSource;
  readonly #clock: () => Date;
  readonly #windowSeconds: number;
  readonly #bucketSeconds: number;

  constructor(source: DashboardSource, clock: () => Date, windowSeconds: number, bucketSeconds: number) {
    this.#source = source;
    this.#clock = clock;
    this.#windowSeconds = windowSeconds;
    this.#bucketSeconds = bucketSeconds;
  }

  async summary(): Promise<SummaryJson> {
    const now = this.#clock();
    const bucketMs = this.#bucketSeconds * 1000;
    const buckets = Math.max(1, Math.round(this.#windowSeconds / this.#bucketSeconds));
    // Buckets end at the last whole bucket boundary: a half-filled bucket would draw as a false dip.
    const to = new Date(Math.floor(now.getTime() / bucketMs) * bucketMs);
    const from = new Date(to.getTime() - buckets * bucketMs);
    const source = this.#source;
    const [instance, byStatus, byRegion, series, latency, delivery] = await Promise.all([
      source.instance(),
      source.devicesByStatus(),
      source.devicesByRegion(),
      source.responseCounts({ from, bucketMs, buckets }),
      source.latency(new Date(now.getTime() - this.#windowSeconds * 1000), now),
      source.deliveryQueue(),
    ]);
    return {
      at: now.toISOString(),
      instance: {
        name: instance.name,
        version: instance.version,
        mode: instance.mode,
        ...(instance.node === undefined ? {} : { node: instance.node }),
        startedAt: instance.startedAt.toISOString(),
        premises: instance.premises,
      },
      devices: {
        total: byStatus.reduce((sum, c) => sum + c.count, 0),
        byStatus: ordered(byStatus, STATUS_ORDER),
        byRegion: ordered(byRegion, REGION_ORDER),
      },
      requests: {
        from: from.toISOString(),
        bucketSeconds: this.#bucketSeconds,
        buckets,
        series: series.map((s) => ({ code: s.code, counts: [...s.counts] })),
      },
      latency: { ...latency, windowSeconds: this.#windowSeconds },
      delivery: { pending: delivery.pending, failed: delivery.failed },
    };
  }

  async responses(limit: number): Promise<ResponsesJson> {
    const now = this.#clock();
    const rows = await this.#source.latestResponses(limit);
    return { at: now.toISOString(), responses: rows.slice(0, limit).map(responseJson) };
  }
}

/**
 * The open event streams, fed from one timer: each push reads the source once for all viewers, and
 * the timer runs only while someone is watching.
 */
class EventHub {
  readonly #clients = new Set<ServerResponse>();
  /** Open streams per client address (for the per-address cap). */
  readonly #perAddress = new Map<string, number>();
  readonly #reader: DashboardReader;
  readonly #intervalMs: number;
  readonly #responses: number;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(reader: DashboardReader, intervalMs: number, responses: number) {
    this.#reader = reader;
    this.#intervalMs = intervalMs;
    this.#responses = responses;
  }

  /** Open streams, in all and from `address`. */
  open(address: string): { readonly total: number; readonly fromAddress: number } {
    return { total: this.#clients.size, fromAddress: this.#perAddress.get(address) ?? 0 };
  }

  async add(raw: ServerResponse, address: string): Promise<void> {
    raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    // Tell EventSource how soon to reconnect after the stream drops.
    raw.write(`retry: ${this.#intervalMs}\n\n`);
    this.#clients.add(raw);
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    raw.on("close", () => this.#remove(raw, address));
    // A viewer that vanished mid-write is just gone; never let its socket error escape.
    raw.on("error", () => this.#remove(raw, address));
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#push(), this.#intervalMs);
      this.#timer.unref();
    }
    await this.#push(raw);
  }

  /** Ends every stream, so that the server can close (an open stream would hold it forever). */
  closeAll(): void {
    for (const raw of this.#clients) raw.end();
    this.#clients.clear();
    this.#perAddress.clear();
    this.#stop();
  }

  #remove(raw: ServerResponse, address: string): void {
    // "close" and "error" may both come: count a stream out once.
    if (!this.#clients.delete(raw)) return;
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(address, left);
    else this.#perAddress.delete(address);
    if (this.#clients.size === 0) this.#stop();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Sends to one new client, or to all on a tick (skipped while the previous tick is still reading). */
  async #push(only?: ServerResponse): Promise<void> {
    if (only === undefined && this.#busy) return;
    if (only === undefined) this.#busy = true;
    let frames: string;
    try {
      const [summary, responses] = await Promise.all([
        this.#reader.summary(),
        this.#reader.responses(this.#responses),
      ]);
      frames = `event: summary\ndata: ${JSON.stringify(summary)}\n\nevent: responses\ndata: ${JSON.stringify(responses)}\n\n`;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      frames = `event: unavailable\ndata: ${JSON.stringify({ message })}\n\n`;
    } finally {
      if (only === undefined) this.#busy = false;
    }
    for (const raw of only === undefined ? this.#clients : [only]) {
      if (!raw.writableEnded && !raw.destroyed) raw.write(frames);
    }
  }
}

function sourceUnavailable(reply: FastifyReply, error: unknown): FastifyReply {
  const message = error instanceof Error ? error.message : String(error);
  reply.log.warn({ err: error }, "dashboard source failed");
  return reply.code(503).header("cache-control", "no-store").send({ error: "source unavailable", message });
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>meterway</title>
<p>The dashboard page is not built. Run <code>npm run build</code> and restart.</p>
<p>Its data is at <a href="api/v1/dashboard/summary">api/v1/dashboard/summary</a>.</p>`;

export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (
  app: FastifyInstance,
  options: DashboardOptions,
) => {
  const reader = new DashboardReader(
    options.source,
    options.clock ?? (() => new Date()),
    options.windowSeconds ?? 600,
    options.bucketSeconds ?? 5,
  );
  const hub = new EventHub(
    reader,
    options.pushIntervalMs ?? 2000,
    options.streamResponses ?? DEFAULT_RESPONSES,
  );
  app.addHook("preClose", async () => hub.closeAll());
  if (options.guard !== undefined) app.addHook("onRequest", options.guard);
  const maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
  const maxStreamsPerAddress = options.maxStreamsPerAddress ?? DEFAULT_MAX_STREAMS_PER_ADDRESS;

  app.get("/api/v1/dashboard/summary", async (_request, reply) => {
    try {
      const summary = await reader.summary();
      return reply.header("cache-control", "no-store").send(summary);
    } catch (error) {
      return sourceUnavailable(reply, error);
    }
  });

  app.get<{ Querystring: { limit?: number } }>(
    "/api/v1/dashboard/responses",
    {
      schema: {
        querystring: {
          type: "object",
          properties: { limit: { type: "integer", minimum: 1, maximum: MAX_RESPONSES } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      try {
        const responses = await reader.responses(request.query.limit ?? DEFAULT_RESPONSES);
        return reply.header("cache-control", "no-store").send(responses);
      } catch (error) {
        return sourceUnavailable(reply, error);
      }
    },
  );

  app.get("/api/v1/dashboard/events", async (request, reply) => {
    const address = clientAddress(request);
    const open = hub.open(address);
    // Past a cap the page falls back to polling the JSON (see web/src/feed.ts), which holds nothing.
    if (open.total >= maxStreams || open.fromAddress >= maxStreamsPerAddress) {
      return tooManyRequests(reply, options.pushIntervalMs ?? 2000);
    }
    reply.hijack();
    await hub.add(reply.raw, address);
    request.log.debug("dashboard events stream opened");
  });

  const index = join(options.staticDir, "index.html");
  const assets = join(options.staticDir, "assets");
  await app.register(fastifyStatic, {
    root: assets,
    prefix: "/assets/",
    dotfiles: "ignore",
    immutable: true,
    maxAge: "365d",
  });
  app.get("/", async (_request, reply) => {
    if (!existsSync(index)) return reply.code(503).type("text/html; charset=utf-8").send(NOT_BUILT);
    return reply
      .header("cache-control", "no-cache")
      .header(
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
      )
      .sendFile("index.html", options.staticDir, { cacheControl: false });
  });
};
