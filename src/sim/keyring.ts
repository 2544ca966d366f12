/**
 * What a simulated device knows of keys, as a real SMETS2 device does: its own key-agreement (KA)
 * private key, and the public keys of the remote parties installed in its trust-anchor cells (the
 * ACB, its supplier, its network operator…). Nothing else: it cannot derive a key with a party it
 * has no certificate for, exactly like a meter whose supplier certificate was never placed.
 *
 * Implements the gbcs `GbcsKeys` port, so the gbcs MAC, encryption and signature functions work for
 * the device the same way they work for the DCC and for users.
 */
import type { KeyObject } from "node:crypto";
import { sharedSecret } from "../gbcs/crypto/kdf.js";
import type { GbcsKeys, KaUsage } from "../gbcs/crypto/keys.js";
import type { KeyStore } from "../smki/keystore.js";

export interface DeviceKeyMaterial {
  /** The device's EUI (16 hex, either case). */
  readonly eui: string;
  /** The device's KA private key. */
  readonly kaPrivateKey?: KeyObject;
  /**
   * Shared secrets Z with remote parties, when they are known without the device's private key: a
   * test that has a party's private key and only the device's certificate (as RTDS publishes them)
   * computes the same Z from the other side, ECDH being symmetric.
   */
  readonly sharedSecrets?: ReadonlyMap<string, Uint8Array>;
  /** Remote parties' KA public keys by EUI (their trust-anchor cells). */
  readonly remoteKa: ReadonlyMap<string, KeyObject>;
  /** Remote parties' DS public keys by EUI (to check signed, critical commands). */
  readonly remoteDs?: ReadonlyMap<string, KeyObject>;
  /** The device's own DS private key (it signs its responses to critical commands). */
  readonly dsPrivateKey?: KeyObject;
}

export class DeviceKeyring implements GbcsKeys {
  readonly eui: string;
  private readonly kaPrivateKey: KeyObject | undefined;
  private readonly remoteKa: Map<string, KeyObject>;
  private readonly remoteDs: Map<string, KeyObject>;
  private readonly dsPrivateKey: KeyObject | undefined;
  /** Z per remote party: the same for every message between the two, so computed once. */
  private readonly secrets = new Map<string, Uint8Array>();

  constructor(material: DeviceKeyMaterial) {
    this.eui = material.eui.toUpperCase();
    this.kaPrivateKey = material.kaPrivateKey;
    this.remoteKa = new Map([...material.remoteKa].map(([eui, key]) => [eui.toUpperCase(), key]));
    this.remoteDs = new Map(
      [...(material.remoteDs ?? new Map())].map(([eui, key]) => [eui.toUpperCase(), key]),
    );
    this.dsPrivateKey = material.dsPrivateKey;
    for (const [eui, z] of material.sharedSecrets ?? []) this.secrets.set(eui.toUpperCase(), z);
  }

  /**
   * A device's keyring from a key store in RTDS layout: its own KA (and DS, when there) private key,
   * and the KA and DS public keys of the remote parties placed on it (the supplier's DS certificate
   * is how it checks the signature of a critical command). Throws when the device's own key is missing;
   * a remote party without a certificate is simply not trusted.
   */
  static fromKeyStore(store: KeyStore, eui: string, remoteParties: readonly string[]): DeviceKeyring {
    const kaPrivateKey = store.privateKey(eui, "ka");
    if (kaPrivateKey === undefined) throw new Error(`no KA private key for device ${eui}`);
    const remoteKa = new Map<string, KeyObject>();
    const remoteDs = new Map<string, KeyObject>();
    for (const party of remoteParties) {
      const ka = store.publicKey(party, "ka");
      if (ka !== undefined) remoteKa.set(party, ka);
      const ds = store.publicKey(party, "ds");
      if (ds !== undefined) remoteDs.set(party, ds);
    }
    const dsPrivateKey = store.privateKey(eui, "ds");
    return new DeviceKeyring({
      eui,
      kaPrivateKey,
      remoteKa,
      remoteDs,
      ...(dsPrivateKey === undefined ? {} : { dsPrivateKey }),
    });
  }

  /**
   * Places a remote party's public key in the device's trust anchors (a CS02b/g credentials update):
   * the new key replaces the party's old one, and the secret derived from the old one is forgotten.
   */
  trust(eui: string, usage: "ka" | "ds", publicKey: KeyObject): void {
    const party = eui.toUpperCase();
    if (usage === "ds") this.remoteDs.set(party, publicKey);
    else {
      this.remoteKa.set(party, publicKey);
      this.secrets.delete(party);
    }
  }

  /** Removes a remote party's key from the trust anchors (its cell now holds another party's). */
  forget(eui: string, usage: "ka" | "ds"): void {
    const party = eui.toUpperCase();
    if (usage === "ds") this.remoteDs.delete(party);
    else {
      this.remoteKa.delete(party);
      this.secrets.delete(party);
    }
  }

  signingPublicKey(eui: string): KeyObject | undefined {
    return this.remoteDs.get(eui.toUpperCase());
  }

  /** The device's own DS private key (no one else's: a device holds only its own). */
  signingPrivateKey(eui: string): KeyObject | undefined {
    return eui.toUpperCase() === this.eui ? this.dsPrivateKey : undefined;
  }

  sharedSecret(a: string, b: string, usage: KaUsage = "ka"): Uint8Array | undefined {
    if (usage !== "ka") return undefined;
    const A = a.toUpperCase();
    const B = b.toUpperCase();
    const other = A === this.eui ? B : B === this.eui ? A : undefined;
    if (other === undefined) return undefined;
    const cached = this.secrets.get(other);
    if (cached !== undefined) return cached;
    const publicKey = this.remoteKa.get(other);
    if (publicKey === undefined || this.kaPrivateKey === undefined) return undefined;
    const z = sharedSecret(this.kaPrivateKey, publicKey);
    this.secrets.set(other, z);
    return z;
  }
}
