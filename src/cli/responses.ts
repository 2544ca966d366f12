/**
 * `meterway responses`: the pull API (`GET /api/v1/responses`, signed as the user) from the command
 * line. Each entry has the DCC's signature checked and is decoded as `meterway listen` does, and is
 * written as one JSON line with its queue id. With --ack, what was written is acknowledged on the
 * next call (`?ack=`), never before: an entry lost on the way to the output is still queued. A
 * run without --follow goes on calling until nothing new comes; --follow keeps polling.
 * An entry whose signature does not verify is reported on stderr and never acknowledged.
 */
import { parseArgs } from "node:util";
import { DEFAULTS } from "../config/config.js";
import type { Command, CommandIo } from "./command.js";
import {
  describeMessage,
  inspectMessage,
  USER_FLAG_OPTIONS,
  UsageError,
  userIdentityOf,
  userSetup,
} from "./duis-inbox.js";
import { type UserIdentity, userApiAuthorization } from "./request-client.js";

const USAGE = `usage: meterway responses [options]

Takes a Service User's queued DUIS responses and alerts from a running DCC (the pull API), checks
the DCC's signature on each, decodes it as \`meterway listen\` does and writes one JSON line each.

options:
  --url URL       the DCC (default http://127.0.0.1:${DEFAULTS.port})
  --user EUI      the user (default the demo supplier)
  --data DIR      the DCC's data folder, for the keys in DIR/pki (default ${DEFAULTS.dataDir})
  --pki DIR       the key folder (RTDS layout) instead of DIR/pki
  --keys DIR      the user's GBCS keys for decoding, instead of the key folder
  --key FILE      the user's DUIS signing key (PEM; default in the key folder)
  --cert FILE     its certificate (PEM)
  --ack           acknowledge what was written (on the next call), so the DCC forgets it
  --follow        keep polling until Ctrl-C
  --interval S    seconds between polls with --follow (default 5)
  -h, --help      this text
exit status: 0, or 1 when an entry's signature does not verify or the DCC refuses`;

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: {
      url: { type: "string" },
      ...USER_FLAG_OPTIONS,
      ack: { type: "boolean" },
      follow: { type: "boolean" },
      interval: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
}

interface PulledEntry {
  readonly id: string;
  readonly createdAt: string;
  readonly body: string;
}

export interface RunResponsesOptions {
  /** Stops --follow when aborted (tests); `meterway responses` uses SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
}

export async function runResponses(
  args: readonly string[],
  io: CommandIo,
  options: RunResponsesOptions = {},
): Promise<number> {
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values } = parsed;
    if (values.help === true) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const base = (values.url ?? `http://127.0.0.1:${DEFAULTS.port}`).replace(/\/+$/, "");
    if (!URL.canParse(base)) throw new UsageError(`--url '${values.url}' is not the DCC's URL`);
    const intervalMs = Number(values.interval ?? "5") * 1000;
    if (!Number.isFinite(intervalMs) || intervalMs <= 0)
      throw new UsageError(`--interval '${values.interval}' is not a positive number of seconds`);
    const setup = userSetup(values);
    const user = userIdentityOf(setup, values);
    if (setup.dccCertificate === undefined)
      io.stderr.write(`meterway responses: DCC signatures NOT checked: no ${setup.dccCertificatePath}\n`);

    let failed = false;
    // Written and not yet acknowledged (sent with the next call); written at all (the DCC
    // returns an entry until it is acknowledged: written once only).
    let toAck: string[] = [];
    const written = new Set<string>();
    for (;;) {
      const entries = await pull(base, user, values.ack === true ? toAck : []);
      toAck = [];
      let fresh = 0;
      for (const entry of entries) {
        if (written.has(entry.id)) continue;
        written.add(entry.id);
        fresh++;
        const inspected = inspectMessage(entry.body, setup);
        if (inspected.signature === "invalid") {
          failed = true;
          io.stderr.write(
            `meterway responses: entry ${entry.id}, ${describeMessage(inspected)}: the DCC signature does not verify (${inspected.detail}); not acknowledged\n`,
          );
        }
        io.stdout.write(
          `${JSON.stringify({ id: entry.id, createdAt: entry.createdAt, ...inspected.json })}\n`,
        );
        if (inspected.signature !== "invalid") toAck.push(entry.id);
      }
      if (values.follow !== true) {
        // Nothing new: done, after acknowledging what the last call gave.
        if (fresh === 0 || values.ack !== true) break;
        continue;
      }
      if (fresh === 0 && (await stopped(intervalMs, options.signal))) break;
    }
    if (values.ack === true && toAck.length > 0) await pull(base, user, toAck);
    return failed ? 1 : 0;
  } catch (error) {
    const usage = error instanceof UsageError;
    io.stderr.write(`meterway responses: ${error instanceof Error ? error.message : String(error)}\n`);
    return usage ? 2 : 1;
  }
}

/** One call of the pull API, acknowledging `ack`. */
async function pull(base: string, user: UserIdentity, ack: readonly string[]): Promise<PulledEntry[]> {
  const path = `/api/v1/responses${ack.length === 0 ? "" : `?ack=${ack.map(encodeURIComponent).join(",")}`}`;
  const response = await fetch(`${base}${path}`, {
    headers: { authorization: userApiAuthorization(user, "GET", path, "") },
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the DCC refused: HTTP ${response.status}: ${text.trim()}`);
  const value: unknown = JSON.parse(text);
  const list =
    typeof value === "object" && value !== null && "responses" in value && Array.isArray(value.responses)
      ? (value.responses as unknown[])
      : undefined;
  if (list === undefined) throw new Error(`the DCC answered without responses: ${text.slice(0, 200)}`);
  return list.map((item) => {
    const e = item as Record<string, unknown>;
    if (typeof e.id !== "string" || typeof e.body !== "string")
      throw new Error(`an entry without id or body: ${JSON.stringify(item).slice(0, 200)}`);
    return { id: e.id, createdAt: typeof e.createdAt === "string" ? e.createdAt : "", body: e.body };
  });
}

/** Waits `ms`; true when `signal` aborted meanwhile (or before). */
function stopped(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted === true) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export const responses: Command = async (args, io) => {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await runResponses(args, io, { signal: stop.signal });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
};
