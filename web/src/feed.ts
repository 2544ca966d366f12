/**
 * Keeps the page fed: a server-sent-events stream while it works, polling when it does not, and a
 * backing-off retry when the server cannot be reached at all.
 *
 *   stream open ──(error or silence)──▶ poll once ──ok──▶ reopen the stream (or keep polling if the
 *        ▲                                  │                stream keeps failing: a buffering proxy)
 *        └──────────────ok─────────────── fail: unreachable, retry in 1, 2, 4 … 15 s
 *
 * A 401 means the operator's session ended (expired, or the token changed): the feed stops and says
 * so, and the page sends the browser to the login form.
 */
import type { ResponsesJson, SummaryJson } from "../../src/server/dashboard-api.js";

export type FeedState =
  /** Before the first data. */
  | { readonly kind: "connecting" }
  /** Data arriving by stream or by polling. */
  | { readonly kind: "live"; readonly via: "stream" | "polling" }
  /** The server answers but cannot read its store. */
  | { readonly kind: "degraded"; readonly message: string }
  /** No answer; the next try is at `retryAt` (ms since epoch). */
  | { readonly kind: "unreachable"; readonly retryAt: number; readonly attempts: number };

export interface FeedHandlers {
  summary(summary: SummaryJson): void;
  responses(responses: ResponsesJson): void;
  state(state: FeedState): void;
  /** The server wants the operator's credential again (HTTP 401). */
  signedOut(): void;
}

export interface FeedOptions {
  /** Where the API is, relative to the page (the page may sit under a path prefix). */
  readonly base: URL;
  readonly responses: number;
  /** Polling interval when the stream is not used. */
  readonly pollMs: number;
  /** A stream silent this long is taken for dead (the server pushes every couple of seconds). */
  readonly silenceMs: number;
  readonly maxBackoffMs: number;
  /** How long one poll may take before it counts as a failure. */
  readonly requestTimeoutMs: number;
}

/** After this many stream failures with the server otherwise fine, stop trying the stream. */
const STREAM_STRIKES = 3;

class SourceUnavailable extends Error {}
class SignedOut extends Error {}

export class Feed {
  readonly #options: FeedOptions;
  readonly #handlers: FeedHandlers;
  #stream: EventSource | undefined;
  #silence: number | undefined;
  #timer: number | undefined;
  #failures = 0;
  #streamStrikes = 0;
  #stopped = false;

  constructor(options: FeedOptions, handlers: FeedHandlers) {
    this.#options = options;
    this.#handlers = handlers;
  }

  start(): void {
    this.#handlers.state({ kind: "connecting" });
    if (typeof EventSource === "function") this.#openStream();
    else void this.#poll();
  }

  stop(): void {
    this.#stopped = true;
    this.#closeStream();
    window.clearTimeout(this.#timer);
  }

  /** Try now instead of waiting for the backoff (the banner's "Retry now"). */
  retryNow(): void {
    window.clearTimeout(this.#timer);
    void this.#poll();
  }

  #url(path: string): string {
    return new URL(path, this.#options.base).toString();
  }

  #openStream(): void {
    this.#closeStream();
    const stream = new EventSource(this.#url("api/v1/dashboard/events"));
    this.#stream = stream;
    stream.addEventListener("summary", (event) => {
      this.#heard();
      this.#streamStrikes = 0;
      this.#failures = 0;
      this.#handlers.summary(JSON.parse((event as MessageEvent<string>).data) as SummaryJson);
      this.#handlers.state({ kind: "live", via: "stream" });
    });
    stream.addEventListener("responses", (event) => {
      this.#heard();
      this.#handlers.responses(JSON.parse((event as MessageEvent<string>).data) as ResponsesJson);
    });
    stream.addEventListener("unavailable", (event) => {
      this.#heard();
      const { message } = JSON.parse((event as MessageEvent<string>).data) as { message: string };
      this.#handlers.state({ kind: "degraded", message });
    });
    stream.addEventListener("error", () => this.#streamFailed());
    this.#heard();
  }

  #closeStream(): void {
    this.#stream?.close();
    this.#stream = undefined;
    window.clearTimeout(this.#silence);
  }

  /** Restarts the silence watchdog. */
  #heard(): void {
    window.clearTimeout(this.#silence);
    this.#silence = window.setTimeout(() => this.#streamFailed(), this.#options.silenceMs);
  }

  /** The stream dropped or went quiet: EventSource would retry by itself, but blindly; poll instead. */
  #streamFailed(): void {
    if (this.#stream === undefined) return;
    this.#closeStream();
    this.#streamStrikes += 1;
    void this.#poll();
  }

  async #fetchJson<T>(path: string): Promise<T> {
    const response = await fetch(this.#url(path), {
      cache: "no-store",
      headers: { accept: "application/json" },
    });
    if (response.ok) return (await response.json()) as T;
    if (response.status === 401) throw new SignedOut("the operator session ended");
    const body = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
    if (body.error === "source unavailable")
      throw new SourceUnavailable(body.message ?? "source unavailable");
    throw new Error(`HTTP ${response.status}`);
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    try {
      const [summary, responses] = await Promise.all([
        this.#fetchJson<SummaryJson>("api/v1/dashboard/summary"),
        this.#fetchJson<ResponsesJson>(`api/v1/dashboard/responses?limit=${this.#options.responses}`),
      ]);
      if (this.#stopped) return;
      this.#failures = 0;
      this.#handlers.summary(summary);
      this.#handlers.responses(responses);
      const useStream = typeof EventSource === "function" && this.#streamStrikes < STREAM_STRIKES;
      this.#handlers.state({ kind: "live", via: useStream ? "stream" : "polling" });
      if (useStream) this.#openStream();
      else this.#schedule(this.#options.pollMs);
    } catch (error) {
      if (this.#stopped) return;
      if (error instanceof SignedOut) {
        this.stop();
        this.#handlers.signedOut();
        return;
      }
      if (error instanceof SourceUnavailable) {
        this.#handlers.state({ kind: "degraded", message: error.message });
        this.#schedule(this.#options.pollMs);
        return;
      }
      this.#failures += 1;
      const wait = Math.min(this.#options.maxBackoffMs, 1000 * 2 ** (this.#failures - 1));
      this.#handlers.state({ kind: "unreachable", retryAt: Date.now() + wait, attempts: this.#failures });
      this.#schedule(wait);
    }
  }

  #schedule(ms: number): void {
    window.clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => void this.#poll(), ms);
  }
}
