/**
 * The `--bus nats://…` URL, apart from the NATS client so that reading or showing a URL does not
 * load it.
 */

export const DEFAULT_NATS_PREFIX = "meterway.";

/** Why a NATS bus could not be opened, in words for the person who gave the URL. */
export class NatsConnectError extends Error {
  override readonly name = "NatsConnectError";
}

/** Checks a subject prefix: dot-separated tokens of letters, digits, `_` and `-`, ending in a dot. */
export function checkNatsPrefix(prefix: string): string {
  if (!/^(?:[A-Za-z0-9_-]+\.)+$/.test(prefix)) {
    throw new NatsConnectError(
      `subject prefix ${JSON.stringify(prefix)}: expected tokens of letters, digits, _ or - each followed by a dot, e.g. meterway.`,
    );
  }
  return prefix;
}

/**
 * `nats://host:port[,host:port…][?prefix=a.b]` → the servers and the subject prefix. The prefix
 * lets several DCCs share one NATS server without sharing queues.
 */
export function parseNatsUrl(url: string): { servers: string[]; prefix: string } {
  const q = url.indexOf("?");
  const base = q < 0 ? url : url.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  let prefix = DEFAULT_NATS_PREFIX;
  for (const [key, value] of params) {
    if (key !== "prefix") throw new NatsConnectError(`unknown option ${key}; the one option is prefix`);
    prefix = checkNatsPrefix(value.endsWith(".") ? value : `${value}.`);
  }
  const scheme = /^(nats|tls):\/\//.exec(base)?.[1];
  if (scheme === undefined) throw new NatsConnectError("expected nats://host:port");
  const servers = base
    .slice(scheme.length + 3)
    .split(",")
    .map((s) => s.trim());
  if (servers.some((s) => s === "")) throw new NatsConnectError("expected nats://host:port[,host:port…]");
  return { servers: servers.map((s) => (s.includes("://") ? s : `${scheme}://${s}`)), prefix };
}

/** A URL with any password replaced, for messages and logs. */
export function redactNatsUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/g, "//$1:***@");
}
