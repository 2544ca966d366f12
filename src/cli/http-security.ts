/**
 * The HTTP interface's protections, built from the configuration for the composition root: TLS (a
 * certificate from files, or one the test CA issues for `--tls`; mutual TLS with a client CA), the
 * operator's credential, and the rate limiters.
 */
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ServerOptions as HttpsServerOptions } from "node:https";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError, type HttpLimitsConfig, type MeterwayConfig } from "../config/config.js";
import type { UserRateLimit } from "../dcc/pipeline.js";
import type { AddressLimits } from "../server/app.js";
import type { DccMetrics } from "../server/metrics.js";
import { loadOperatorToken, OperatorAuth, type OperatorToken } from "../server/operator-auth.js";
import { TokenBuckets } from "../server/rate-limit.js";
import { issueTlsServerCertificate, openTestCa } from "../smki/test-pki.js";

/** What `meterway start` says about TLS. */
export interface TlsInfo {
  /** The certificate (chain) served. */
  readonly certificatePath: string;
  /** The test root a client must trust, when meterway issued the certificate. */
  readonly rootPath?: string;
  /** Whether this run issued the certificate (`--tls`). */
  readonly issued: boolean;
  /** Whether clients must present a certificate (mutual TLS). */
  readonly mutual: boolean;
}

export interface HttpSecurity {
  /** Node's https options; undefined: plain HTTP. */
  readonly https?: HttpsServerOptions;
  readonly tls?: TlsInfo;
  readonly operatorToken: OperatorToken;
  readonly operatorAuth: OperatorAuth;
}

/** Host names a generated server certificate covers: this machine by every usual name, and --host. */
function serverNames(host: string): string[] {
  const names = ["localhost", "127.0.0.1", "::1"];
  const wildcard = host === "0.0.0.0" || host === "::" || host === "";
  // Listening on every interface: the machine's own name is how others will reach it.
  names.push(wildcard ? hostname() : host);
  return [...new Set(names)];
}

async function readConfigFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${flag} ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Builds TLS options and the operator's credential. `testCaDir` is the generated PKI's folder
 * (its CA issues the `--tls` certificate), or undefined when the keys were given (then a CA of its
 * own is made under `<data>/tls`, never in the given folder).
 */
export async function prepareHttpSecurity(
  config: MeterwayConfig,
  testCaDir: string | undefined,
  now: () => number,
): Promise<HttpSecurity> {
  let https: HttpsServerOptions | undefined;
  let tls: TlsInfo | undefined;
  const { tls: tlsConfig } = config;
  if (tlsConfig.kind !== "off") {
    let cert: string;
    let key: string;
    if (tlsConfig.kind === "files") {
      cert = await readConfigFile("--tls-cert", tlsConfig.certFile);
      key = await readConfigFile("--tls-key", tlsConfig.keyFile);
      tls = { certificatePath: tlsConfig.certFile, issued: false, mutual: false };
    } else {
      const tlsDir = join(config.dataDir, "tls");
      const ca = await openTestCa(testCaDir ?? tlsDir, new Date(now()));
      const issued = await issueTlsServerCertificate(ca, tlsDir, serverNames(config.host), new Date(now()));
      cert = await readFile(issued.certificatePath, "utf8");
      key = await readFile(issued.keyPath, "utf8");
      tls = {
        certificatePath: issued.certificatePath,
        rootPath: issued.rootPath,
        issued: issued.issued,
        mutual: false,
      };
    }
    https = { cert, key };
    if (tlsConfig.clientCaFile !== undefined) {
      const cas = [await readConfigFile("--tls-client-ca", tlsConfig.clientCaFile)];
      // The operator's CA must get through the handshake too.
      for (const file of config.operator.caFiles) cas.push(await readConfigFile("--operator-ca", file));
      https = { ...https, ca: cas, requestCert: true, rejectUnauthorized: true };
      tls = { ...tls, mutual: true };
    }
  }

  let operatorToken: OperatorToken;
  try {
    operatorToken = await loadOperatorToken({
      dataDir: config.dataDir,
      ...(config.operator.tokenFile === undefined ? {} : { tokenFile: config.operator.tokenFile }),
    });
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const operatorCas: X509Certificate[] = [];
  for (const file of config.operator.caFiles) {
    try {
      operatorCas.push(new X509Certificate(await readConfigFile("--operator-ca", file)));
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`--operator-ca ${file}: not a PEM certificate`);
    }
  }
  const operatorAuth = new OperatorAuth({
    token: operatorToken.token,
    secureCookie: https !== undefined,
    certificates: { sha256: config.operator.certSha256, cas: operatorCas },
    now,
  });
  return {
    ...(https === undefined ? {} : { https }),
    ...(tls === undefined ? {} : { tls }),
    operatorToken,
    operatorAuth,
  };
}

/** The rate limiters the limits ask for, counting their refusals in the metrics. Real time, always: limits are about load. */
export function rateLimiters(
  limits: HttpLimitsConfig,
  metrics: DccMetrics,
): { readonly address: AddressLimits; readonly user?: UserRateLimit } {
  const address: AddressLimits = {
    ...(limits.addressRate === null ? {} : { requests: new TokenBuckets(limits.addressRate) }),
    ...(limits.refusalRate === null ? {} : { refusals: new TokenBuckets(limits.refusalRate) }),
  };
  if (limits.userRate === null) return { address };
  const buckets = new TokenBuckets(limits.userRate);
  return {
    address,
    user: {
      take(user) {
        const verdict = buckets.take(user);
        if (!verdict.ok) metrics.rateLimited.inc({ limit: "user" });
        return verdict;
      },
    },
  };
}
