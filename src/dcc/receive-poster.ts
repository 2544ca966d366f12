/**
 * POSTs a signed DUIS message to a user's receive URL, with node:http and node:https, under the
 * {@link ReceiveUrlPolicy}:
 *
 * - the address connected to is checked at connect time (the policy's `lookup` for names; literal
 *   addresses here, since Node does not look those up), so DNS rebinding does not get through;
 * - redirects are never followed: a 3xx is returned as it is, and delivery counts it as a failed
 *   attempt (re-POSTing a signed body wherever a `Location` points is what an attacker would want);
 * - the reply body is read up to {@link PosterLimits.maxReplyBytes}, then the connection is dropped:
 *   an endpoint cannot make the DCC hold a large reply in memory;
 * - the connection, the response headers and the reply body each have a time limit, and the whole
 *   attempt ends within the `timeoutMs` delivery gives (which its lease outlasts).
 *
 * Connections are kept alive per poster (one agent for http, one for https), so a busy endpoint is
 * not reconnected for every message; `close()` drops them.
 */
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { connectHost, type ReceiveUrlPolicy, ReceiveUrlRefused } from "./receive-url.js";

export interface PosterLimits {
  /** How long the TCP (and TLS) connection may take, ms. */
  readonly connectTimeoutMs: number;
  /** How long reading the reply body may take once the headers arrived, ms. */
  readonly bodyTimeoutMs: number;
  /** Reply bytes read at most; beyond them the connection is dropped. */
  readonly maxReplyBytes: number;
}

export const DEFAULT_POSTER_LIMITS: PosterLimits = {
  connectTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  maxReplyBytes: 64 * 1024,
};

/** How a message is POSTed: resolves with the HTTP status, or rejects on a network error or timeout. */
export interface Poster {
  post(url: string, body: string, timeoutMs: number): Promise<number>;
  /** Drops kept-alive connections (on stop). */
  close?(): void;
}

/** A POST attempt that ran out of time; the message says which limit. */
export class PostTimeout extends Error {
  override readonly name = "PostTimeout";
}

export class ReceivePoster implements Poster {
  private readonly limits: PosterLimits;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly policy: ReceiveUrlPolicy,
    limits: Partial<PosterLimits> = {},
  ) {
    this.limits = { ...DEFAULT_POSTER_LIMITS, ...limits };
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  }

  post(url: string, body: string, timeoutMs: number): Promise<number> {
    const parsed = this.policy.parse(url);
    if (!parsed.ok) return Promise.reject(new ReceiveUrlRefused(`${url}: ${parsed.reason}`));
    const target = parsed.url;
    const host = connectHost(target);
    // Node connects to a literal address without calling `lookup`: check it here.
    const literal = isIP(host) === 0 ? null : this.policy.refusal(host);
    if (literal !== null) return Promise.reject(new ReceiveUrlRefused(literal));
    const payload = Buffer.from(body, "utf8");
    const secure = target.protocol === "https:";
    const { connectTimeoutMs, bodyTimeoutMs, maxReplyBytes } = this.limits;

    return new Promise<number>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      let settled = false;
      const finish = (error: Error | null, status?: number): void => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        if (error === null) resolve(status!);
        else {
          request.destroy();
          reject(error);
        }
      };
      const limit = (ms: number, what: string): void => {
        timers.push(setTimeout(() => finish(new PostTimeout(`${what} within ${ms} ms`)), ms));
      };

      const options: http.RequestOptions = {
        method: "POST",
        agent: secure ? this.httpsAgent : this.httpAgent,
        lookup: this.policy.lookup,
        headers: {
          "content-type": "application/xml; charset=utf-8",
          "content-length": String(payload.length),
        },
      };
      const request = (secure ? https : http).request(target, options);
      limit(timeoutMs, "no complete answer");
      request.on("socket", (socket) => {
        if (!socket.connecting) return; // a kept-alive connection
        limit(Math.min(connectTimeoutMs, timeoutMs), "no connection");
        const connected = timers[timers.length - 1]!;
        socket.once(secure ? "secureConnect" : "connect", () => clearTimeout(connected));
      });
      request.on("error", (error) => finish(error));
      request.on("response", (response) => {
        const status = response.statusCode ?? 0;
        limit(Math.min(bodyTimeoutMs, timeoutMs), "reply body not read");
        let read = 0;
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > maxReplyBytes) {
            // Enough: the status is what counts. Drop the connection rather than read the rest.
            finish(null, status);
            response.destroy();
            request.destroy();
          }
        });
        response.on("end", () => finish(null, status));
        response.on("error", (error) => finish(error));
        response.on("aborted", () => finish(new Error("the endpoint closed the connection mid-reply")));
      });
      request.end(payload);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
