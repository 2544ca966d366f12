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
import { ConfigError, DEFAULTS, type MeterwayConfig, resolveConfig } from "../config/config.js";
import { ACB_EUI } from "../dcc/fleet.js";
import { redactPostgresUrl } from "../store/postgres-url.js";
import { euiToDuis } from "../store/types.js";
import type { Command, CommandIo } from "./command.js";
import { type ComposeOptions, compose, type Dcc, type ProgressReporter } from "./compose.js";

const USAGE = `usage: meterway start [options]

Runs the embedded DCC: DUIS web services, the dashboard, and a simulated SMETS2 fleet.

options:
  --premises N    simulated premises to provision (default ${DEFAULTS.premises}; each a CHF, GPF, ESME, GSME and IHD)
  --port P        HTTP port for DUIS and the dashboard (default ${DEFAULTS.port}; 0 = any free port)
  --host H        address to listen on (default ${DEFAULTS.host})
  --data DIR      data folder: store, keys, state kept across restarts (default ${DEFAULTS.dataDir})
  --store URL     SQLite file (default DIR/meterway.db), or postgres://user:password@host:port/db (schema migrated at start)
  --bus URL       message bus (default in process), or nats://host:4222[?prefix=name] (NATS with JetStream;
                  several servers: nats://a:4222,b:4222)
  --pki DIR       use an existing key folder in RTDS layout instead of generating one
  --profile NAME  identities and test devices: demo (default) or rtds
  --seed N        seed of the random models (default ${DEFAULTS.seed})
  --wan-time-scale F  multiply the CSP regions' modelled WAN delays (default 1; 0.1 = ten times faster)
  --node-id ID    this node's name on the work it owns (default HOST:DATA-FOLDER; keep it the same
                  across restarts, different for every node sharing a store)
  -h, --help      this text`;

/** Parses `meterway start` flags into a configuration; throws ConfigError on bad input. */
export function parseStartArgs(args: readonly string[], cwd = process.cwd()): MeterwayConfig | "help" {
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
      ...(v.store === undefined ? {} : { store: v.store }),
      ...(v.bus === undefined ? {} : { bus: v.bus }),
      ...(v.pki === undefined ? {} : { pki: v.pki }),
      ...(v.profile === undefined ? {} : { profile: v.profile }),
      ...(v["node-id"] === undefined ? {} : { nodeId: v["node-id"] }),
    },
    cwd,
  );
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
      bus: { type: "string" },
      pki: { type: "string" },
      profile: { type: "string" },
      seed: { type: "string" },
      "wan-time-scale": { type: "string" },
      "node-id": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
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
  lines.push(
    `  DUIS services  ${baseUrl}/api/v1/serviceS   ${baseUrl}/api/v1/serviceT   ${baseUrl}/api/v1/serviceD`,
  );
  lines.push(`  metrics        ${baseUrl}/metrics   health ${baseUrl}/healthz`);
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
      dcc.config.port === DEFAULTS.port ? "" : ` --url ${baseUrl}`,
    ].join("");
    lines.push("");
    lines.push(`Read a meter: node bin/meterway.js request 4.1.1 --device ${euiToDuis(esme.eui)}${flags}`);
  }
  return `${lines.join("\n")}\n`;
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
    config = parseStartArgs(args);
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
