/**
 * A key store in the RTDS folder layout (as the DCC's test tools use it):
 *
 *   <eui>-ds.pem     the device or organisation digital-signing certificate
 *   <eui>-ka.pem     the key-agreement certificate
 *   <eui>-pp-ka.pem  the prepayment key-agreement certificate (suppliers)
 *   <eui>-<usage>.key  the PKCS#8 private key for that usage
 *
 * with <eui> in lowercase hex. Files are read when first asked for, and what was found (or not)
 * is kept. Keys can also be added in memory (the simulator and the DCC build stores from keys they
 * generate). ECDH shared secrets are cached per key pair, so a message check costs one KDF hash,
 * not an elliptic-curve multiplication.
 *
 * One instance per set of keys; nothing is shared between instances.
 */
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedSecret } from "../gbcs/crypto/kdf.js";
import type { GbcsKeys, KaUsage } from "../gbcs/crypto/keys.js";
import { type KeyUsage, keyUsages, normaliseEui } from "./keys-layout.js";

export type { KeyUsage } from "./keys-layout.js";

/** What the store knows of one (eui, usage) pair. */
interface Entry {
  certificate: X509Certificate | undefined;
  publicKey: KeyObject | undefined;
  privateKey: KeyObject | undefined;
}

export interface KeyStoreOptions {
  /** Folders in RTDS layout, searched in order. */
  readonly directories?: readonly string[];
}

/** Keys to add in memory: a certificate or a public key, and/or a private key. */
export interface KeyStoreEntry {
  readonly eui: string;
  readonly usage: KeyUsage;
  readonly certificate?: X509Certificate | string | Uint8Array;
  readonly publicKey?: KeyObject;
  readonly privateKey?: KeyObject;
}

export class KeyStore implements GbcsKeys {
  private readonly directories: readonly string[];
  private readonly entries = new Map<string, Entry>();
  private readonly secrets = new Map<string, Uint8Array | null>();

  constructor(options: KeyStoreOptions = {}) {
    this.directories = options.directories ?? [];
  }

  /** A store over one RTDS-layout folder. */
  static fromDirectory(dir: string): KeyStore {
    return new KeyStore({ directories: [dir] });
  }

  /** Adds or replaces keys in memory (they take precedence over files). */
  add(entry: KeyStoreEntry): this {
    const eui = normaliseEui(entry.eui);
    let certificate: X509Certificate | undefined;
    if (entry.certificate !== undefined) {
      certificate =
        entry.certificate instanceof X509Certificate
          ? entry.certificate
          : new X509Certificate(
              typeof entry.certificate === "string" ? entry.certificate : Buffer.from(entry.certificate),
            );
    }
    const publicKey =
      entry.publicKey ??
      certificate?.publicKey ??
      (entry.privateKey !== undefined ? createPublicKey(entry.privateKey) : undefined);
    const prior = this.entry(eui, entry.usage);
    // drop the aliases (other spellings of this EUI) so that lookups see the new keys
    for (const [key, value] of this.entries) if (value === prior) this.entries.delete(key);
    this.entries.set(`${eui}-${entry.usage}`, {
      certificate: certificate ?? (entry.publicKey === undefined ? prior?.certificate : undefined),
      publicKey: publicKey ?? prior?.publicKey,
      privateKey: entry.privateKey ?? prior?.privateKey,
    });
    // secrets that involved this party may change (cached under any spelling of its EUI)
    this.secrets.clear();
    return this;
  }

  /** The certificate of `eui` for `usage`, or undefined. */
  certificate(eui: string, usage: KeyUsage): X509Certificate | undefined {
    return this.entry(eui, usage).certificate;
  }

  /** The public key of `eui` for `usage` (from its certificate, or from its private key), or undefined. */
  publicKey(eui: string, usage: KeyUsage): KeyObject | undefined {
    return this.entry(eui, usage).publicKey;
  }

  /** The private key of `eui` for `usage`, or undefined when not held. */
  privateKey(eui: string, usage: KeyUsage): KeyObject | undefined {
    return this.entry(eui, usage).privateKey;
  }

  signingPublicKey(eui: string): KeyObject | undefined {
    return this.publicKey(eui, "ds");
  }

  /** The DS certificate of `eui` (for validity checks at a given instant). */
  signingCertificate(eui: string): X509Certificate | undefined {
    return this.certificate(eui, "ds");
  }

  signingPrivateKey(eui: string): KeyObject | undefined {
    return this.privateKey(eui, "ds");
  }

  /**
   * ECDH shared secret between `a`'s `usage` key-agreement key and `b`'s KA key, using whichever
   * private key is held. Cached per pair; undefined when it cannot be computed.
   */
  sharedSecret(a: string, b: string, usage: KaUsage = "ka"): Uint8Array | undefined {
    // the key as given first: no normalising on the hot path of a message check
    const rawKey = `${a}/${b}/${usage}`;
    const hit = this.secrets.get(rawKey);
    if (hit !== undefined) return hit ?? undefined;
    const ea = normaliseEui(a);
    const eb = normaliseEui(b);
    const cacheKey = `${ea}/${eb}/${usage}`;
    let z = this.secrets.get(cacheKey);
    if (z === undefined) {
      z = this.computeSecret(ea, eb, usage);
      this.secrets.set(cacheKey, z);
    }
    this.secrets.set(rawKey, z);
    return z ?? undefined;
  }

  private computeSecret(ea: string, eb: string, usage: KaUsage): Uint8Array | null {
    const privA = this.privateKey(ea, usage);
    const pubB = privA !== undefined ? this.publicKey(eb, "ka") : undefined;
    if (privA !== undefined && pubB !== undefined) return sharedSecret(privA, pubB);
    const privB = this.privateKey(eb, "ka");
    const pubA = privB !== undefined ? this.publicKey(ea, usage) : undefined;
    if (privB !== undefined && pubA !== undefined) return sharedSecret(privB, pubA);
    return null;
  }

  private entry(eui: string, usage: KeyUsage): Entry {
    // the EUI as given first (no normalising on a message check's hot path), then its canonical form
    const raw = `${eui}-${usage}`;
    const hit = this.entries.get(raw);
    if (hit !== undefined) return hit;
    const id = `${normaliseEui(eui)}-${usage}`;
    let entry = this.entries.get(id);
    if (entry === undefined) {
      entry = this.load(id);
      this.entries.set(id, entry);
    }
    this.entries.set(raw, entry);
    return entry;
  }

  /** Reads `<id>.pem` and `<id>.key` from the first folder that has them. */
  private load(id: string): Entry {
    const file = id.toLowerCase();
    let certificate: X509Certificate | undefined;
    let bareKey: KeyObject | undefined;
    let privateKey: KeyObject | undefined;
    for (const dir of this.directories) {
      if (certificate === undefined && bareKey === undefined) {
        const path = join(dir, `${file}.pem`);
        const pem = readIfExists(path);
        // a certificate as a rule; some test folders hold a bare public key (SPKI PEM) instead
        if (pem !== undefined) {
          try {
            if (pem.includes("-----BEGIN CERTIFICATE-----")) certificate = new X509Certificate(pem);
            else bareKey = createPublicKey(pem);
          } catch (error) {
            throw new Error(`key store: cannot read ${path}`, { cause: error });
          }
        }
      }
      if (privateKey === undefined) {
        const key = readIfExists(join(dir, `${file}.key`));
        if (key !== undefined) privateKey = createPrivateKeyFromPem(key);
      }
    }
    const publicKey =
      certificate?.publicKey ?? (privateKey !== undefined ? createPublicKey(privateKey) : undefined);
    return { certificate, publicKey, privateKey };
  }

  /** The usages a store knows: for documentation and listings. */
  static readonly usages = keyUsages;
}

function createPrivateKeyFromPem(pem: Buffer): KeyObject {
  return createPrivateKey(pem);
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if (error instanceof Error && "code" in error && (error.code === "ENOENT" || error.code === "ENOTDIR")) {
      return undefined;
    }
    throw error;
  }
}
