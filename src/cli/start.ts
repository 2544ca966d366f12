/**
 * `meterway start`: the embedded DCC with a simulated fleet and the dashboard, on one port.
 *
 * On first run it creates the data folder with the test PKI, the demo users and the fleet; later
 * runs reuse them. It prints where everything is, then serves until Ctrl-C or SIGTERM, and shuts
 * down cleanly (server, service, bus, WAN, store).
 */
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { redactNatsUrl } from "../bus/nats-url.js";
import {
  ConfigError,
  DEFAULT_LIMITS,
  DEFAULTS,
  type HttpLimitsConfig,
  type MeterwayConfig,
  parseRateLimit,
  type RateLimitConfig,
  resolveConfig,
} from "../config/config.js";
import { ACB_EUI } from "../dcc/fleet.js";
import { redactPostgresUrl } from "../store/postgres-url.js";
import { euiToDuis } from "../store/types.js";
import type { Command, CommandIo } from "./command.js";
import { type ComposeOptions, compose, type Dcc, type ProgressReporter } from "./compose.js";
import { premisesNotice } from "./premises-notice.js";

const USAGE = `usage: meterway start [options]

Runs the embedded DCC: DUIS web services, the dashboard, and a simulated SMETS2 fleet.

options:
  --premises N    simulated premises to provision (default ${DEFAULTS.premises}; each a CHF, GPF, ESME, GSME and IHD)
  --port P        HTTP port for DUIS and the dashboard (default ${DEFAULTS.port}; 0 = any free port)
  --host H        address to listen on (default ${DEFAULTS.host}: this machine only; 0.0.0.0 opens it to the network)
  --data DIR      data folder: store, keys, state kept across restarts (default ${DEFAULTS.dataDir})
  --store URL     SQLite file (default DIR/meterway.db), or postgres://user@host:port/db (schema migrated at start);
                  also from METERWAY_STORE
  --store-password-file FILE  the PostgreSQL password, first line of FILE (else METERWAY_STORE_PASSWORD
                  or PGPASSWORD from the environment; never put it in --store, where ps shows it)
  --retention-days N  keep answered and failed requests N days (default ${DEFAULTS.requestRetentionDays}; 0 = for ever)
  --audit-retention-days N  keep audit lines N days (default ${DEFAULTS.auditRetentionDays}; 0 = for ever)
  --bus URL       message bus (default in process), or nats://host:4222[?prefix=name] (NATS with JetStream;
                  several servers: nats://a:4222,b:4222)
  --pki DIR       use an existing key folder in RTDS layout instead of generating one
  --profile NAME  identities and test devices: demo (default) or rtds
  --seed N        seed of the random models (default ${DEFAULTS.seed})
  --wan-time-scale F  multiply the CSP regions' modelled WAN delays (default 1; 0.1 = ten times faster)

TLS and the operator (dashboard, its feeds, /metrics and admin need the operator's credential):
  --tls                 serve HTTPS with a server certificate issued by the test CA (DIR/tls/server.pem)
  --tls-cert FILE       serve HTTPS with this certificate (PEM, chain after it) ...
  --tls-key FILE        ... and this private key
  --tls-client-ca FILE  mutual TLS: clients must present a certificate this CA issued
  --operator-token-file FILE  the operator token (default DIR/operator-token, generated on first run)
  --operator-ca FILE          under mutual TLS, client certificates this CA issued are the operator's
  --operator-cert-sha256 FP   under mutual TLS, the client certificate with this SHA-256 fingerprint is
                              the operator's (repeatable)

Limits (times in seconds; rates as RATE/BURST per second, 0 = none):
  --request-timeout S   whole request, headers and body (default ${DEFAULT_LIMITS.requestTimeoutMs / 1000})
  --headers-timeout S   headers, and a TLS handshake (default ${DEFAULT_LIMITS.headersTimeoutMs / 1000})
  --idle-timeout S      a connection with nothing moving (default ${DEFAULT_LIMITS.idleTimeoutMs / 1000})
  --keep-alive-timeout S  an idle keep-alive connection (default ${DEFAULT_LIMITS.keepAliveTimeoutMs / 1000})
  --max-connections N   open connections (default ${DEFAULT_LIMITS.maxConnections})
  --max-streams N       dashboard event streams in all (default ${DEFAULT_LIMITS.maxStreams}) ...
  --max-streams-per-address N  ... and per client address (default ${DEFAULT_LIMITS.maxStreamsPerAddress})
  --address-rate R[/B]  requests per client address (default ${rateText(DEFAULT_LIMITS.addressRate)})
  --refusal-rate R[/B]  refused requests (4xx) per client address (default ${rateText(DEFAULT_LIMITS.refusalRate)})
  --user-rate R[/B]     DUIS requests per user, after its signature (default ${rateText(DEFAULT_LIMITS.userRate)})

Delivery:
  --receive-url-allow LIST  what users' receive URLs may point at although not public, comma-separated:
                  loopback, addresses, CIDR ranges, host names; none for nothing (default: loopback
                  in embedded mode, none with --store postgres:// or --bus nats://)
  --user-receive-url allow|refuse  whether users set their own receive URL with the signed user API
                  (default: allow in embedded mode, refuse in cluster mode: the operator sets them)
  --max-pending-per-user N  responses and alerts waiting per user before its new requests are
                  refused (default ${DEFAULTS.maxPendingPerUser})

Cluster:
  --node-id ID    this node's name on the work it owns (default HOST:DATA-FOLDER; keep it the same
                  across restarts, different for every node sharing a store)
  -h, --help      this text

environment:
  METERWAY_STORE            the --store URL, when --store is not given
  METERWAY_STORE_PASSWORD   the PostgreSQL password (PGPASSWORD is read too)`;

function rateText(rate: RateLimitConfig | null): string {
  return rate === null ? "0" : `${rate.ratePerSecond}/${rate.burst}`;
}

/** Parses `meterway start` flags into a configuration; throws ConfigError on bad input. */
export function parseStartArgs(
  args: readonly string[],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = {},
): MeterwayConfig | "help" {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  if (v.help === true) return "help";
  if (parsed.positionals.length > 0) throw new ConfigError(`unexpected argument '${parsed.positionals[0]}'`);
  return resolveConfig(
    {
      ...(v.premises === undefined ? {} : { premises: integer("--premises", v.premises) }),
      ...(v.port === undefined ? {} : { port: integer("--port", v.port) }),
      ...(v.seed === undefined ? {} : { seed: integer("--seed", v.seed) }),
      ...(v["wan-time-scale"] === undefined
        ? {}
        : { wanTimeScale: decimal("--wan-time-scale", v["wan-time-scale"]) }),
      ...(v.host === undefined ? {} : { host: v.host }),
      ...(v.data === undefined ? {} : { dataDir: v.data }),
      // The store URL from the environment keeps a URL with a password out of `ps`.
      ...(v.store === undefined
        ? env.METERWAY_STORE === undefined || env.METERWAY_STORE === ""
          ? {}
          : { store: env.METERWAY_STORE }
        : { store: v.store }),
      ...(v["store-password-file"] === undefined ? {} : { storePasswordFile: v["store-password-file"] }),
      ...((env.METERWAY_STORE_PASSWORD ?? env.PGPASSWORD) === undefined
        ? {}
        : { storePassword: env.METERWAY_STORE_PASSWORD ?? env.PGPASSWORD }),
      ...(v["retention-days"] === undefined
        ? {}
        : { requestRetentionDays: integer("--retention-days", v["retention-days"]) }),
      ...(v["audit-retention-days"] === undefined
        ? {}
        : { auditRetentionDays: integer("--audit-retention-days", v["audit-retention-days"]) }),
      ...(v.bus === undefined ? {} : { bus: v.bus }),
      ...(v.pki === undefined ? {} : { pki: v.pki }),
      ...(v.profile === undefined ? {} : { profile: v.profile }),
      ...(v.tls === true ? { tls: true } : {}),
      ...(v["tls-cert"] === undefined ? {} : { tlsCert: v["tls-cert"] }),
      ...(v["tls-key"] === undefined ? {} : { tlsKey: v["tls-key"] }),
      ...(v["tls-client-ca"] === undefined ? {} : { tlsClientCa: v["tls-client-ca"] }),
      ...(v["operator-token-file"] === undefined ? {} : { operatorTokenFile: v["operator-token-file"] }),
      ...(v["operator-ca"] === undefined ? {} : { operatorCa: v["operator-ca"] }),
      ...(v["operator-cert-sha256"] === undefined ? {} : { operatorCertSha256: v["operator-cert-sha256"] }),
      limits: limitFlags(v),
      ...(v["receive-url-allow"] === undefined ? {} : { receiveUrlAllow: allowList(v["receive-url-allow"]) }),
      ...(v["user-receive-url"] === undefined
        ? {}
        : { usersSetReceiveUrl: allowOrRefuse("--user-receive-url", v["user-receive-url"]) }),
      ...(v["max-pending-per-user"] === undefined
        ? {}
        : { maxPendingPerUser: integer("--max-pending-per-user", v["max-pending-per-user"]) }),
      ...(v["node-id"] === undefined ? {} : { nodeId: v["node-id"] }),
    },
    cwd,
  );
}

/** The limit flags given, as a partial limits configuration. */
function limitFlags(v: ReturnType<typeof parse>["values"]): Partial<HttpLimitsConfig> {
  const limits: { -readonly [K in keyof HttpLimitsConfig]?: HttpLimitsConfig[K] } = {};
  const seconds = (flag: string, text: string | undefined) =>
    text === undefined ? undefined : Math.round(decimal(flag, text) * 1000);
  const count = (flag: string, text: string | undefined) =>
    text === undefined ? undefined : integer(flag, text);
  const set = <K extends keyof HttpLimitsConfig>(key: K, value: HttpLimitsConfig[K] | undefined) => {
    if (value !== undefined) limits[key] = value;
  };
  set("requestTimeoutMs", seconds("--request-timeout", v["request-timeout"]));
  set("headersTimeoutMs", seconds("--headers-timeout", v["headers-timeout"]));
  set("idleTimeoutMs", seconds("--idle-timeout", v["idle-timeout"]));
  set("keepAliveTimeoutMs", seconds("--keep-alive-timeout", v["keep-alive-timeout"]));
  set("maxConnections", count("--max-connections", v["max-connections"]));
  set("maxStreams", count("--max-streams", v["max-streams"]));
  set("maxStreamsPerAddress", count("--max-streams-per-address", v["max-streams-per-address"]));
  if (v["address-rate"] !== undefined)
    limits.addressRate = parseRateLimit("--address-rate", v["address-rate"]);
  if (v["refusal-rate"] !== undefined)
    limits.refusalRate = parseRateLimit("--refusal-rate", v["refusal-rate"]);
  if (v["user-rate"] !== undefined) limits.userRate = parseRateLimit("--user-rate", v["user-rate"]);
  return limits;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      premises: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      data: { type: "string" },
      store: { type: "string" },
      "store-password-file": { type: "string" },
      "retention-days": { type: "string" },
      "audit-retention-days": { type: "string" },
      bus: { type: "string" },
      pki: { type: "string" },
      profile: { type: "string" },
      seed: { type: "string" },
      "wan-time-scale": { type: "string" },
      tls: { type: "boolean" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-client-ca": { type: "string" },
      "operator-token-file": { type: "string" },
      "operator-ca": { type: "string", multiple: true },
      "operator-cert-sha256": { type: "string", multiple: true },
      "request-timeout": { type: "string" },
      "headers-timeout": { type: "string" },
      "idle-timeout": { type: "string" },
      "keep-alive-timeout": { type: "string" },
      "max-connections": { type: "string" },
      "max-streams": { type: "string" },
      "max-streams-per-address": { type: "string" },
      "address-rate": { type: "string" },
      "refusal-rate": { type: "string" },
      "user-rate": { type: "string" },
      "receive-url-allow": { type: "string" },
      "user-receive-url": { type: "string" },
      "max-pending-per-user": { type: "string" },
      "node-id": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** `--receive-url-allow`: comma-separated entries, `none` for an empty list. */
function allowList(text: string): string[] {
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  return entries.length === 1 && entries[0] === "none" ? [] : entries;
}

function allowOrRefuse(flag: string, text: string): boolean {
  if (text !== "allow" && text !== "refuse") throw new ConfigError(`${flag} ${text}: allow or refuse`);
  return text === "allow";
}

function decimal(flag: string, text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new ConfigError(`${flag} ${text}: expected a number such as 0.1`);
  return Number(text);
}

function integer(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text)) throw new ConfigError(`${flag} ${text}: expected a whole number`);
  return Number(text);
}

/** Progress bars on a terminal, a line per task elsewhere. */
function progressReporter(stream: NodeJS.WritableStream): ProgressReporter {
  const tty = "isTTY" in stream && stream.isTTY === true;
  return {
    start(task, total) {
      if (!tty) {
        stream.write(`  ${task}: ${total} to check\n`);
        return { update: () => {}, stop: () => {} };
      }
      const bar = new cliProgress.SingleBar(
        { stream, format: `  ${task.padEnd(12)} [{bar}] {value}/{total} {eta}s left`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return { update: (done) => bar.update(done), stop: () => bar.stop() };
    },
  };
}

function where(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") ? path : `./${rel}`;
}

/** The startup summary: URLs, demo users and their keys, the DCC's keys, the fleet by region. */
export async function describeDcc(dcc: Dcc, baseUrl: string, cwd = process.cwd()): Promise<string> {
  const lines: string[] = [];
  const { config } = dcc;
  const storeText =
    config.store.kind === "sqlite"
      ? `SQLite ${where(config.store.file, cwd)}`
      : `PostgreSQL ${redactPostgresUrl(config.store.url)}`;
  const busText =
    config.bus.kind === "memory" ? "in-process bus" : `NATS JetStream bus ${redactNatsUrl(config.bus.url)}`;
  lines.push(
    `meterway DCC ${dcc.firstRun ? "created and started" : "started"} (embedded: ${storeText}, ${busText})`,
  );
  lines.push("");
  lines.push(`  dashboard      ${baseUrl}/`);
  // The link logs a browser in (a session cookie); scripts send the token as a Bearer header.
  lines.push(
    `  operator login ${baseUrl}/login?token=${encodeURIComponent(dcc.operator.token)}   (token in ${where(dcc.operator.path, cwd)}${dcc.operator.created ? ", new" : ""})`,
  );
  lines.push(
    `  DUIS services  ${baseUrl}/api/v1/serviceS   ${baseUrl}/api/v1/serviceT   ${baseUrl}/api/v1/serviceD`,
  );
  lines.push(`  metrics        ${baseUrl}/metrics   health ${baseUrl}/healthz`);
  lines.push(`  listening on   ${listeningText(config.host)}`);
  if (dcc.tls !== undefined) {
    const { tls } = dcc;
    const trust =
      tls.rootPath === undefined ? "" : `; clients trust the test root ${where(tls.rootPath, cwd)}`;
    lines.push(
      `  TLS            ${where(tls.certificatePath, cwd)}${tls.issued ? " (issued now)" : ""}${trust}${tls.mutual ? "; client certificates required" : ""}`,
    );
  } else {
    lines.push("  TLS            off (plain HTTP; --tls or --tls-cert/--tls-key to turn it on)");
  }
  lines.push(`  data           ${where(config.dataDir, cwd)}${dcc.firstRun ? " (new)" : " (reused)"}`);
  lines.push(`  node           ${config.nodeId}`);
  lines.push(
    `  keys           ${where(dcc.pki.dir, cwd)} (RTDS layout: <eui>-ds.pem, <eui>-ka.pem, <eui>-<usage>.key)`,
  );
  lines.push("");
  lines.push("Service users (sign DUIS requests with the ds key; the certificate serial names it):");
  for (const user of dcc.users) {
    lines.push(`  ${euiToDuis(user.eui)}  ${user.name.padEnd(22)} roles ${user.roles.join(", ")}`);
    for (const c of dcc.pki.organisations.get(user.eui) ?? []) {
      lines.push(
        `      ${c.usage.padEnd(5)} ${where(c.certificatePath, cwd)}  key ${where(c.keyPath, cwd)}  serial ${c.serial}`,
      );
    }
  }
  lines.push("");
  lines.push(`DCC: ACB ${euiToDuis(ACB_EUI)}`);
  if (dcc.pki.xmlSigning !== undefined) {
    lines.push(`  XML signing  ${where(dcc.pki.xmlSigning.certificatePath, cwd)}`);
  }
  if (dcc.pki.rootCertificate !== undefined) {
    lines.push(`  test root CA ${where(dcc.pki.rootCertificate, cwd)}`);
  }
  const byRegion = new Map<string, number>();
  let total = 0;
  for (const c of await dcc.store.devices.counts()) {
    byRegion.set(c.region, (byRegion.get(c.region) ?? 0) + c.count);
    total += c.count;
  }
  const regions = [...byRegion].map(([region, n]) => `${region} ${n}`).join(", ");
  lines.push("");
  lines.push(
    `Fleet: ${dcc.fleet.premises} premises, ${total} devices${regions === "" ? "" : ` (${regions})`}`,
  );
  if (dcc.fleet.added > 0 && !dcc.firstRun) lines.push(`  ${dcc.fleet.added} premises added this run`);
  // A first meter read for a new user: the command to copy, with the flags this instance needs.
  const [esme] = await dcc.store.devices.list({ type: "ESME", limit: 1 });
  if (esme !== undefined && dcc.config.profile === "demo") {
    const flags = [
      resolve(dcc.config.dataDir) === resolve(DEFAULTS.dataDir)
        ? ""
        : ` --data ${where(dcc.config.dataDir, cwd)}`,
      dcc.config.port === DEFAULTS.port && dcc.tls === undefined ? "" : ` --url ${baseUrl}`,
    ].join("");
    lines.push("");
    lines.push(`Read a meter: node bin/meterway.js request 4.1.1 --device ${euiToDuis(esme.eui)}${flags}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Who can reach the DCC, in words. */
function listeningText(host: string): string {
  if (host === "127.0.0.1" || host === "::1" || host === "localhost") {
    return `${host}: this machine only (--host 0.0.0.0 opens it to the network)`;
  }
  if (host === "0.0.0.0" || host === "::")
    return `${host}: every network interface, reachable from other machines`;
  return host;
}

export interface RunStartOptions extends ComposeOptions {
  /** Stops the DCC when aborted (tests); `meterway start` uses SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
  /** Called once the DCC is listening (tests learn the URL). */
  readonly onListening?: (dcc: Dcc, baseUrl: string) => void;
}

/** Runs a configured DCC until `signal` aborts; resolves with the exit code. */
export async function runStart(
  config: MeterwayConfig,
  io: CommandIo,
  options: RunStartOptions = {},
): Promise<number> {
  const log = (line: string) => io.stderr.write(`${line}\n`);
  if (options.signal?.aborted) return 0;
  let dcc: Dcc;
  try {
    dcc = await compose(config, { progress: progressReporter(io.stderr), log, ...options });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`meterway start: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    let address: string;
    try {
      address = await dcc.listen();
    } catch (error) {
      const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
      if (code === "EADDRINUSE" || code === "EACCES") {
        io.stderr.write(
          `meterway start: cannot listen on ${config.host}:${config.port} (${code === "EADDRINUSE" ? "in use" : "not allowed"}); choose another with --port\n`,
        );
        return 1;
      }
      throw error;
    }
    const baseUrl = address.replace("://0.0.0.0", "://localhost").replace("://[::]", "://localhost");
    io.stdout.write(await describeDcc(dcc, baseUrl));
    io.stdout.write(premisesNotice(config, dcc));
    io.stdout.write("\nCtrl-C to stop.\n");
    options.onListening?.(dcc, baseUrl);
    await new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      options.signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    io.stdout.write("stopping...\n");
    return 0;
  } finally {
    await dcc.close();
  }
}

export const start: Command = async (args, io) => {
  let config: MeterwayConfig | "help";
  try {
    config = parseStartArgs(args, process.cwd(), io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`meterway start: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (config === "help") {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await runStart(config, io, { signal: stop.signal });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
};
