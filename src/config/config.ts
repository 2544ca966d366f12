/**
 * The configuration of one DCC process, resolved once (from flags and environment) and passed to the
 * composition root. Nothing reads flags or the environment after this.
 */
import { readFileSync } from "node:fs";
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
  | {
      readonly kind: "postgres";
      /** The server URL; a password given apart from it (env, file) is kept in `password`, never here. */
      readonly url: string;
      /** The password from --store-password-file, METERWAY_STORE_PASSWORD or PGPASSWORD, if any. */
      readonly password?: string;
    };

/** How the platform's parts talk. */
export type BusConfig = { readonly kind: "memory" } | { readonly kind: "nats"; readonly url: string };

/** The identities and test devices to start with. */
export type Profile = "demo" | "rtds";

/**
 * TLS on the HTTP interface: off (plain HTTP, for DCC Boxed-style local testing), with a
 * certificate and key from files, or with a server certificate meterway issues from its test CA.
 * A client CA turns on mutual TLS: every client must present a certificate that CA issued.
 */
export type TlsConfig =
  | { readonly kind: "off" }
  | {
      readonly kind: "files";
      readonly certFile: string;
      readonly keyFile: string;
      readonly clientCaFile?: string;
    }
  | { readonly kind: "generated"; readonly clientCaFile?: string };

/** The operator's credential (dashboard, its feeds, /metrics, admin endpoints). */
export interface OperatorConfig {
  /** The token file; default `<data>/operator-token`, generated on first run. */
  readonly tokenFile?: string;
  /** Under mutual TLS: CA certificate files whose client certificates are the operator's. */
  readonly caFiles: readonly string[];
  /** Under mutual TLS: SHA-256 fingerprints of the operator's client certificates. */
  readonly certSha256: readonly string[];
}

/** A token-bucket limit: sustained requests per second, and how many may come at once. */
export interface RateLimitConfig {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** Limits on the HTTP interface (time in ms); a null rate limit is off. */
export interface HttpLimitsConfig {
  /** The whole request, headers and body, must arrive within this. */
  readonly requestTimeoutMs: number;
  /** The headers must arrive within this (and a TLS handshake finish within it). */
  readonly headersTimeoutMs: number;
  /** A connection with nothing moving for this long is closed. */
  readonly idleTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections at most; more are dropped as they arrive. */
  readonly maxConnections: number;
  /** Dashboard event streams open at most, in all and per client address. */
  readonly maxStreams: number;
  readonly maxStreamsPerAddress: number;
  /** Requests per client address, before the body is read. */
  readonly addressRate: RateLimitConfig | null;
  /** Refused requests (4xx answers) per client address; past it, the address gets 429 for a while. */
  readonly refusalRate: RateLimitConfig | null;
  /** DUIS requests per user, once its signature is verified. */
  readonly userRate: RateLimitConfig | null;
}

/** Delivery to users' receive URLs: where they may point, who sets them, how much may wait. */
export interface DeliveryConfig {
  /**
   * What receive URLs may point at although not public: `loopback`, addresses, CIDR ranges, host
   * names (checked by the receive-URL policy in src/dcc/receive-url.ts). Default: `loopback` in
   * embedded mode, nothing in cluster mode.
   */
  readonly receiveUrlAllow: readonly string[];
  /** Whether users may set their own receive URL with the signed user API (default: embedded mode only). */
  readonly usersSetReceiveUrl: boolean;
  /** Pending responses and alerts a user may have before its new requests are refused. */
  readonly maxPendingPerUser: number;
}

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
  readonly delivery: DeliveryConfig;
  readonly tls: TlsConfig;
  readonly operator: OperatorConfig;
  readonly limits: HttpLimitsConfig;
  /** How long finished records are kept before the periodic purge removes them. */
  readonly retention: RetentionConfig;
}

/** Retention periods in days; 0 keeps that kind of record for ever. */
export interface RetentionConfig {
  /** Requests in a final state (responded, failed) whose answer has been delivered. */
  readonly requestDays: number;
  /** Audit lines. */
  readonly auditDays: number;
}

/** Defaults, as documented for `meterway start`. */
export const DEFAULTS = {
  premises: 100,
  port: 8079,
  /** This machine only; `--host 0.0.0.0` opens the DCC to the network. */
  host: "127.0.0.1",
  dataDir: "./var",
  seed: 1,
  wanTimeScale: 1,
  requestRetentionDays: 30,
  auditRetentionDays: 90,
  maxPendingPerUser: 10_000,
} as const;

/**
 * Default HTTP limits: generous for DUIS clients and the benchmarks (16 clients of one user), tight
 * enough that slow or endless senders and floods cannot hold the server.
 */
export const DEFAULT_LIMITS: HttpLimitsConfig = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 10_000,
  maxConnections: 1024,
  maxStreams: 64,
  maxStreamsPerAddress: 8,
  addressRate: { ratePerSecond: 1000, burst: 4000 },
  refusalRate: { ratePerSecond: 10, burst: 100 },
  userRate: { ratePerSecond: 500, burst: 2000 },
};

/** Reads a rate limit flag, `RATE[/BURST]` (burst defaults to twice the rate); `0` turns it off. */
export function parseRateLimit(flag: string, text: string): RateLimitConfig | null {
  const match = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(text.trim());
  if (match === null)
    throw new ConfigError(`${flag} ${text}: expected RATE or RATE/BURST, e.g. 500/2000, or 0 for none`);
  const ratePerSecond = Number(match[1]);
  if (ratePerSecond === 0) return null;
  const burst = match[2] === undefined ? Math.max(1, Math.ceil(ratePerSecond * 2)) : Number(match[2]);
  if (burst < 1) throw new ConfigError(`${flag} ${text}: the burst must be at least 1`);
  return { ratePerSecond, burst };
}

/** A configuration problem the user can fix: the message says how. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Turns a `--store` value into a StoreConfig: empty → `<dataDir>/meterway.db`; a file path or
 * `sqlite:PATH` → SQLite, with `?synchronous=full` for power-loss durability; `postgres://` →
 * PostgreSQL.
 */
export function parseStoreUrl(
  url: string | undefined,
  dataDir: string,
  cwd = process.cwd(),
  password?: string,
): StoreConfig {
  if (url === undefined || url === "") {
    return { kind: "sqlite", file: join(dataDir, "meterway.db"), synchronous: "NORMAL" };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    return password === undefined ? { kind: "postgres", url } : { kind: "postgres", url, password };
  }
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
  readonly receiveUrlAllow?: readonly string[];
  readonly usersSetReceiveUrl?: boolean;
  readonly maxPendingPerUser?: number;
  /** `--tls`: a server certificate from the test CA. */
  readonly tls?: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsClientCa?: string;
  readonly operatorTokenFile?: string;
  readonly operatorCa?: readonly string[];
  readonly operatorCertSha256?: readonly string[];
  readonly limits?: Partial<HttpLimitsConfig>;
  /** The PostgreSQL password from the environment (METERWAY_STORE_PASSWORD, else PGPASSWORD). */
  readonly storePassword?: string;
  /** A file holding the PostgreSQL password (first line); wins over `storePassword`. */
  readonly storePasswordFile?: string;
  readonly requestRetentionDays?: number;
  readonly auditRetentionDays?: number;
}

/**
 * The PostgreSQL password given apart from the URL, so that it is not on the command line (where
 * `ps` shows it): the file's first line, else the environment's. A password in the URL as well as in
 * a file is refused (which one was meant?); one in the URL is used as given otherwise.
 */
function storePassword(input: ConfigInput, cwd: string): string | undefined {
  if (input.storePasswordFile !== undefined) {
    if (input.store === undefined || !/^postgres(ql)?:\/\//.test(input.store)) {
      throw new ConfigError(
        "--store-password-file: only a PostgreSQL store (--store postgres://…) has a password",
      );
    }
    if (input.store !== undefined && /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(input.store)) {
      throw new ConfigError("--store-password-file: the --store URL has a password already; give it once");
    }
    const path = resolvePath(cwd, input.storePasswordFile);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new ConfigError(
        `--store-password-file ${path}: cannot read it (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const password = text.split(/\r?\n/)[0] ?? "";
    if (password === "") throw new ConfigError(`--store-password-file ${path}: the first line is empty`);
    return password;
  }
  return input.storePassword === "" ? undefined : input.storePassword;
}

function retentionDays(flag: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 36_500) {
    throw new ConfigError(`${flag} ${value}: whole days, 0 (keep for ever) to 36500`);
  }
  return value;
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
  const maxPendingPerUser = input.maxPendingPerUser ?? DEFAULTS.maxPendingPerUser;
  if (!Number.isInteger(maxPendingPerUser) || maxPendingPerUser < 1) {
    throw new ConfigError(`--max-pending-per-user ${maxPendingPerUser}: a whole number, 1 or more`);
  }
  const store = parseStoreUrl(input.store, dataDir, cwd, storePassword(input, cwd));
  const bus = parseBusUrl(input.bus);
  // Embedded (a laptop, a test rig): users register loopback endpoints themselves, as DCC Boxed
  // users do. Cluster: receive URLs are the operator's, and internal addresses are refused.
  const embedded = store.kind === "sqlite" && bus.kind === "memory";
  const nodeId = input.nodeId ?? defaultNodeId(hostname(), dataDir);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/.test(nodeId)) {
    throw new ConfigError(
      `--node-id ${nodeId}: letters, digits and . _ : @ / - (up to 200), starting with a letter or digit`,
    );
  }
  const pkiGiven = input.pki !== undefined;
  const pkiDir = pkiGiven ? resolvePath(cwd, input.pki!) : join(dataDir, "pki");
  const tls = resolveTls(input, cwd);
  const operator: OperatorConfig = {
    ...(input.operatorTokenFile === undefined
      ? {}
      : { tokenFile: resolvePath(cwd, input.operatorTokenFile) }),
    caFiles: (input.operatorCa ?? []).map((file) => resolvePath(cwd, file)),
    certSha256: (input.operatorCertSha256 ?? []).map((fp) => {
      const hex = fp.replaceAll(":", "").toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(hex)) {
        throw new ConfigError(`--operator-cert-sha256 ${fp}: a SHA-256 fingerprint is 64 hex digits`);
      }
      return hex;
    }),
  };
  if ((operator.caFiles.length > 0 || operator.certSha256.length > 0) && !hasClientCa(tls)) {
    throw new ConfigError(
      "--operator-ca and --operator-cert-sha256 need mutual TLS: give --tls-client-ca too",
    );
  }
  return {
    dataDir,
    port,
    host: input.host ?? DEFAULTS.host,
    premises,
    store,
    bus,
    pkiDir,
    pkiGiven,
    profile,
    seed,
    wanTimeScale,
    tls,
    operator,
    limits: resolveLimits(input.limits ?? {}),
    retention: {
      requestDays: retentionDays(
        "--retention-days",
        input.requestRetentionDays ?? DEFAULTS.requestRetentionDays,
      ),
      auditDays: retentionDays(
        "--audit-retention-days",
        input.auditRetentionDays ?? DEFAULTS.auditRetentionDays,
      ),
    },
    delivery: {
      receiveUrlAllow: [...(input.receiveUrlAllow ?? (embedded ? ["loopback"] : []))],
      usersSetReceiveUrl: input.usersSetReceiveUrl ?? embedded,
      maxPendingPerUser,
    },
    nodeId,
  };
}

function hasClientCa(tls: TlsConfig): boolean {
  return tls.kind !== "off" && tls.clientCaFile !== undefined;
}

function resolveTls(input: ConfigInput, cwd: string): TlsConfig {
  const clientCa =
    input.tlsClientCa === undefined ? {} : { clientCaFile: resolvePath(cwd, input.tlsClientCa) };
  if (input.tlsCert !== undefined || input.tlsKey !== undefined) {
    if (input.tlsCert === undefined || input.tlsKey === undefined) {
      throw new ConfigError("--tls-cert and --tls-key go together");
    }
    if (input.tls === true)
      throw new ConfigError("--tls makes its own certificate: leave out --tls-cert and --tls-key");
    return {
      kind: "files",
      certFile: resolvePath(cwd, input.tlsCert),
      keyFile: resolvePath(cwd, input.tlsKey),
      ...clientCa,
    };
  }
  if (input.tls === true) return { kind: "generated", ...clientCa };
  if (input.tlsClientCa !== undefined) {
    throw new ConfigError("--tls-client-ca needs TLS: give --tls, or --tls-cert and --tls-key");
  }
  return { kind: "off" };
}

function resolveLimits(input: Partial<HttpLimitsConfig>): HttpLimitsConfig {
  const limits: HttpLimitsConfig = { ...DEFAULT_LIMITS, ...input };
  for (const [name, value] of [
    ["--request-timeout", limits.requestTimeoutMs],
    ["--headers-timeout", limits.headersTimeoutMs],
    ["--idle-timeout", limits.idleTimeoutMs],
    ["--keep-alive-timeout", limits.keepAliveTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 1) throw new ConfigError(`${name}: a time above 0`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError("--headers-timeout cannot be longer than --request-timeout");
  }
  for (const [name, value] of [
    ["--max-connections", limits.maxConnections],
    ["--max-streams", limits.maxStreams],
    ["--max-streams-per-address", limits.maxStreamsPerAddress],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigError(`${name} ${value}: a whole number above 0`);
  }
  return limits;
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
