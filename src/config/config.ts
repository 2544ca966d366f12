/**
 * The configuration of one DCC process, resolved once (from flags and environment) and passed to the
 * composition root. Nothing reads flags or the environment after this.
 */
import { hostname } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** Where state is kept. `sqlite` with file `:memory:` is a throwaway store (tests). */
export type StoreConfig =
  | {
      readonly kind: "sqlite";
      readonly file: string;
      /** NORMAL (default): commits survive the process dying; FULL: they survive power loss too. */
      readonly synchronous: "NORMAL" | "FULL";
    }
  | { readonly kind: "postgres"; readonly url: string };

/** How the platform's parts talk. */
export type BusConfig = { readonly kind: "memory" } | { readonly kind: "nats"; readonly url: string };

/** The identities and test devices to start with. */
export type Profile = "demo" | "rtds";

export interface MeterwayConfig {
  /** The data folder: store, PKI, anything kept across restarts. */
  readonly dataDir: string;
  /** HTTP port for DUIS and the dashboard (0 = any free port). */
  readonly port: number;
  readonly host: string;
  /** Simulated premises to provision on first run. */
  readonly premises: number;
  readonly store: StoreConfig;
  readonly bus: BusConfig;
  /** The key folder in RTDS layout (`<eui>-ds.pem`, `<eui>-ka.pem`, `<eui>-<usage>.key`). */
  readonly pkiDir: string;
  /** Whether `pkiDir` was given by the user (then it is used as it is, never generated into). */
  readonly pkiGiven: boolean;
  readonly profile: Profile;
  /** Seed for every random model (WAN delays, fleet layout): same seed, same run. */
  readonly seed: number;
  /** Multiplies the CSP regions' modelled WAN delays (1 = as modelled, 0.01 = a hundred times faster). */
  readonly wanTimeScale: number;
  /**
   * This node's identity: the owner written on the requests it works on (see docs/operations.md,
   * "Delivery guarantees and crashes"). Stable across restarts, so a restarted node recovers its own
   * work at once; unique among the nodes sharing a store.
   */
  readonly nodeId: string;
}

/** Defaults, as documented for `meterway start`. */
export const DEFAULTS = {
  premises: 100,
  port: 8079,
  host: "0.0.0.0",
  dataDir: "./var",
  seed: 1,
  wanTimeScale: 1,
} as const;

/** A configuration problem the user can fix: the message says how. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Turns a `--store` value into a StoreConfig: empty → `<dataDir>/meterway.db`; a file path or
 * `sqlite:PATH` → SQLite, with `?synchronous=full` for power-loss durability; `postgres://` →
 * PostgreSQL.
 */
export function parseStoreUrl(url: string | undefined, dataDir: string, cwd = process.cwd()): StoreConfig {
  if (url === undefined || url === "") {
    return { kind: "sqlite", file: join(dataDir, "meterway.db"), synchronous: "NORMAL" };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return { kind: "postgres", url };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith("sqlite:")) {
    throw new ConfigError(`--store ${url}: unknown store; use a SQLite file path or postgres://...`);
  }
  let rest = url.startsWith("sqlite:") ? url.slice("sqlite:".length).replace(/^\/\//, "") : url;
  let synchronous: "NORMAL" | "FULL" = "NORMAL";
  const query = rest.indexOf("?");
  if (query >= 0) {
    const params = new URLSearchParams(rest.slice(query + 1));
    rest = rest.slice(0, query);
    for (const [key, value] of params) {
      if (key !== "synchronous" || !/^(normal|full)$/i.test(value)) {
        throw new ConfigError(`--store ${url}: the only option is synchronous=normal|full`);
      }
      synchronous = value.toUpperCase() as "NORMAL" | "FULL";
    }
  }
  if (rest === "") throw new ConfigError(`--store ${url}: needs a file, e.g. sqlite:./var/meterway.db`);
  return { kind: "sqlite", file: rest === ":memory:" ? rest : resolve(cwd, rest), synchronous };
}

/** Turns a `--bus` value into a BusConfig: empty or `memory` → in process, `nats://` → NATS. */
export function parseBusUrl(url: string | undefined): BusConfig {
  if (url === undefined || url === "" || url === "memory" || url === "memory:") return { kind: "memory" };
  if (url.startsWith("nats://") || url.startsWith("tls://")) return { kind: "nats", url };
  throw new ConfigError(`--bus ${url}: unknown bus; use memory or nats://host:4222`);
}

/** What a user may set; everything else follows from it. */
export interface ConfigInput {
  readonly dataDir?: string;
  readonly port?: number;
  readonly host?: string;
  readonly premises?: number;
  readonly store?: string;
  readonly bus?: string;
  readonly pki?: string;
  readonly profile?: string;
  readonly seed?: number;
  readonly wanTimeScale?: number;
  readonly nodeId?: string;
}

/** Resolves a full configuration from user input (paths made absolute against `cwd`). */
export function resolveConfig(input: ConfigInput, cwd = process.cwd()): MeterwayConfig {
  const dataDir = resolve(cwd, input.dataDir ?? DEFAULTS.dataDir);
  const port = input.port ?? DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--port ${port}: a port is an integer 0-65535`);
  }
  const premises = input.premises ?? DEFAULTS.premises;
  if (!Number.isInteger(premises) || premises < 0 || premises > 10_000_000) {
    throw new ConfigError(`--premises ${premises}: a whole number of premises, 0 to 10000000`);
  }
  const profile = input.profile ?? "demo";
  if (profile !== "demo" && profile !== "rtds") {
    throw new ConfigError(`--profile ${profile}: known profiles are demo and rtds`);
  }
  const seed = input.seed ?? DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new ConfigError(`--seed ${seed}: an integer`);
  const wanTimeScale = input.wanTimeScale ?? DEFAULTS.wanTimeScale;
  if (!Number.isFinite(wanTimeScale) || wanTimeScale < 0 || wanTimeScale > 1000) {
    throw new ConfigError(`--wan-time-scale ${wanTimeScale}: a number from 0 to 1000`);
  }
  const nodeId = input.nodeId ?? defaultNodeId(hostname(), dataDir);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/.test(nodeId)) {
    throw new ConfigError(
      `--node-id ${nodeId}: letters, digits and . _ : @ / - (up to 200), starting with a letter or digit`,
    );
  }
  const pkiGiven = input.pki !== undefined;
  const pkiDir = pkiGiven ? resolvePath(cwd, input.pki!) : join(dataDir, "pki");
  return {
    dataDir,
    port,
    host: input.host ?? DEFAULTS.host,
    premises,
    store: parseStoreUrl(input.store, dataDir, cwd),
    bus: parseBusUrl(input.bus),
    pkiDir,
    pkiGiven,
    profile,
    seed,
    wanTimeScale,
    nodeId,
  };
}

/**
 * The default node id: the host name and the data folder, which together stay the same when a node
 * restarts (so it finds its own work at once) and differ between nodes on one machine (each has its
 * own data folder, as the SQLite lock demands). The port is left out: a node restarted on another
 * port is still the same node.
 */
export function defaultNodeId(host: string, dataDir: string): string {
  const name = host.replace(/[^A-Za-z0-9.-]/g, "_").replace(/^[^A-Za-z0-9]+/, "") || "host";
  return `${name}:${dataDir.replace(/[^A-Za-z0-9._/-]/g, "_")}`.slice(0, 200);
}

function resolvePath(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
