/**
 * Requests refused at the HTTP level, before a DUIS acknowledgement could be signed (not XML, body
 * too large, unknown certificate, replayed counter, rate limits…), made into rows for the dashboard.
 * The pipeline's E-codes reach the dashboard as `request.state` events; these never become requests,
 * so the app reports each answer with a 4xx/5xx status on a DUIS route here, and the dashboard source
 * counts it like a response with the code `HTTP <status>`.
 *
 * The row names the registry key and its message only: never the details (user EUIs, header values)
 * nor the client's address, which the page does not need.
 */
import { type DuisErrorKey, duisErrorKeys, duisErrors } from "../duis/errors.js";
import type { ResponseRecord } from "./dashboard-source.js";

/** The code under which a refusal is counted, as the pipeline's `onAnswered` names it in metrics. */
export function httpCode(status: number): string {
  return `HTTP ${status}`;
}

/** The DUIS web services and the user APIs: the routes whose refusals the dashboard shows. */
export function isDuisPath(path: string): boolean {
  return /^\/api\/v1\/(service[STD]|responses|users\/[^/]+\/receive-url)$/.test(path);
}

function payloadText(payload: unknown): string | null {
  if (typeof payload === "string") return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload).toString("utf8");
  return null;
}

/**
 * The registry key behind a refusal: named in a JSON body (`{ "error": key }`, the user APIs), or
 * the key whose message a text body starts with (the DUIS web services), or the only key with that
 * status (Fastify's own 413). Null when it cannot be told.
 */
export function refusalKey(status: number, payload: unknown): DuisErrorKey | null {
  const body = payloadText(payload);
  const withStatus = duisErrorKeys.filter((k) => duisErrors[k].httpStatus === status);
  if (body !== null) {
    try {
      const json: unknown = JSON.parse(body);
      if (typeof json === "object" && json !== null && "error" in json) {
        const named = withStatus.find((k) => k === json.error);
        if (named !== undefined) return named;
      }
    } catch {
      // Not JSON: a text body.
    }
    const byMessage = withStatus.find((k) => body.startsWith(duisErrors[k].message));
    if (byMessage !== undefined) return byMessage;
  }
  return withStatus.length === 1 ? (withStatus[0] ?? null) : null;
}

/** The dashboard row for a refusal: no request ID, SRV or device (none was read), no latency. */
export function refusalRecord(status: number, payload: unknown, at: Date): ResponseRecord {
  const key = refusalKey(status, payload);
  return {
    at,
    requestId: "",
    srv: "",
    deviceId: null,
    responseCode: httpCode(status),
    latencyMs: null,
    ...(key === null ? {} : { error: key }),
    reason: key === null ? `refused with HTTP ${status}` : duisErrors[key].message,
  };
}

/** Where refusals go: both dashboard sources take them. */
export interface RefusalSink {
  recordRefusal(refusal: ResponseRecord): void;
}

/**
 * The app's `onRefusal` hook for a dashboard source: keeps the refusals on DUIS routes and counts
 * them at the composition root's time.
 */
export function reportRefusals(
  sink: RefusalSink,
  now: () => number,
): (path: string, status: number, payload: unknown) => void {
  return (path, status, payload) => {
    if (status < 400 || !isDuisPath(path)) return;
    sink.recordRefusal(refusalRecord(status, payload, new Date(now())));
  };
}
