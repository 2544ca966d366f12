/**
 * Every node sharing a store must hold the same DCC keys: the first node records a fingerprint of
 * them in the store, and a node whose keys give another fingerprint refuses to start, saying which
 * key differs. Without this check a node with another key folder would run: its users' requests
 * refused, its DUIS signatures unverifiable by users, its ACB MACs rejected by the devices.
 *
 * What is fingerprinted: the public halves (SubjectPublicKeyInfo DER, so a certificate re-issued
 * for the same key still matches) of
 * - the ACB's key-agreement key: devices check every command's MAC with it (GBCS KDF over ECDH);
 * - the ACB's digital-signing key, when the folder holds one: devices check the DCC's signatures;
 * - the DCC's XML-signing key: users check every acknowledgement, response and alert with it.
 * These are the DCC's own identity, which users and devices hold copies of; a node that differs in
 * any of them breaks them all. The organisations' certificates the DCC trusts are left out: they
 * are kept in the store (users.put), which the nodes share, so they cannot differ between nodes;
 * and the devices' certificates are many (one per device, read lazily), shared with the fleet, and
 * a wrong one shows at that device alone.
 */
import { createHash, type KeyObject } from "node:crypto";
import { ConfigError } from "../config/config.js";
import { ACB_EUI } from "../gbcs/crypto/keys.js";
import type { MetaRepository } from "../store/port.js";

/** The meta key the fingerprint is kept under. */
export const KEY_FINGERPRINT_KEY = "dcc.keyFingerprint";

/** A fingerprint: SHA-256 over the parts, and each part's own SHA-256 (to say which differs). */
export interface KeyFingerprint {
  readonly sha256: string;
  readonly parts: Readonly<Record<string, string>>;
}

/** The keys fingerprinted, by what they are. */
export interface DccPublicKeys {
  readonly publicKey: (eui: string, usage: "ka" | "ds") => KeyObject | undefined;
  readonly xmlSigningKey: KeyObject;
}

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/** The fingerprint of the DCC's public key material (see the module comment for what and why). */
export function keyFingerprint(keys: DccPublicKeys): KeyFingerprint {
  const spki = (key: KeyObject | undefined) =>
    key === undefined ? "none" : sha256(key.export({ type: "spki", format: "der" }));
  const parts: Record<string, string> = {
    "ACB key agreement": spki(keys.publicKey(ACB_EUI, "ka")),
    "ACB digital signing": spki(keys.publicKey(ACB_EUI, "ds")),
    "DCC XML signing": spki(keys.xmlSigningKey),
  };
  const all = Object.entries(parts)
    .map(([name, hash]) => `${name}=${hash}\n`)
    .join("");
  return { sha256: sha256(all), parts };
}

/**
 * Records `fingerprint` when the store has none (the first node), or checks it against the recorded
 * one; a mismatch is a ConfigError naming the keys that differ and where this node's keys are.
 */
export async function checkKeyFingerprint(
  meta: MetaRepository,
  fingerprint: KeyFingerprint,
  keyFolder: string,
): Promise<"recorded" | "matched"> {
  const recorded = await meta.get(KEY_FINGERPRINT_KEY);
  if (recorded === undefined) {
    await meta.set(KEY_FINGERPRINT_KEY, JSON.stringify(fingerprint));
    return "recorded";
  }
  const theirs = parseFingerprint(recorded);
  if (theirs?.sha256 === fingerprint.sha256) return "matched";
  const differing = Object.keys(fingerprint.parts).filter(
    (name) => theirs?.parts[name] !== fingerprint.parts[name],
  );
  throw new ConfigError(
    `the keys in ${keyFolder} are not the keys of the DCC this store belongs to: ` +
      `${differing.length > 0 ? differing.join(", ") : "the key fingerprint"} differ` +
      ` (store ${theirs?.sha256.slice(0, 16) ?? "unreadable"}…, this node ${fingerprint.sha256.slice(0, 16)}…). ` +
      "Every node sharing a store must use the same key folder (--pki); a store for other keys needs its own database.",
  );
}

function parseFingerprint(text: string): KeyFingerprint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { sha256: hash, parts } = value as { sha256?: unknown; parts?: unknown };
  if (typeof hash !== "string" || typeof parts !== "object" || parts === null) return undefined;
  const entries = Object.entries(parts).filter((e): e is [string, string] => typeof e[1] === "string");
  return { sha256: hash, parts: Object.fromEntries(entries) };
}
