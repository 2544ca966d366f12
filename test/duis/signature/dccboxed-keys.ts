/**
 * The DCC Boxed test organisation keys and certificates (reference data `dccboxed-keys/`), as tests
 * need them: a certificate lookup by serial, and each EUI's XML-signing key.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { decimalSerial } from "../../../src/duis/signature/certificate.js";
import { reference } from "../../support/reference.js";

export interface DccBoxedKey {
  /** Lower-case hex EUI, as keystore.json writes it. */
  readonly eui: string;
  readonly serial: string;
  readonly name: string;
  readonly role: number;
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
}

interface KeystoreEntry {
  readonly certificate: string;
  readonly privateKey?: string;
  readonly name: string;
  readonly role: number;
}

/** The digital-signature entries of keystore.json. */
export function dccBoxedSigningKeys(): DccBoxedKey[] {
  const json: unknown = JSON.parse(readFileSync(reference("dccboxed-keys", "keystore.json"), "utf8"));
  const out: DccBoxedKey[] = [];
  for (const [eui, usages] of Object.entries(
    json as Record<string, Record<string, Record<string, KeystoreEntry>>>,
  )) {
    for (const [serial, e] of Object.entries(usages.digitalSignature ?? {})) {
      if (e.privateKey === undefined) continue;
      out.push({
        eui,
        serial,
        name: e.name,
        role: e.role,
        certificate: new X509Certificate(e.certificate),
        privateKey: createPrivateKey(e.privateKey),
      });
    }
  }
  return out;
}

/**
 * The key DCC Boxed signs an EUI's XML with (written `90-B3-D5-…` or `90b3d5…`): its `xml-sign-<EUI>-ds`
 * key (or the DSP's), else its first organisation DS key (EUIs such as the load controller have no
 * XML-signing key of their own).
 */
export function xmlSigningKey(eui: string, all: readonly DccBoxedKey[] = dccBoxedSigningKeys()): DccBoxedKey {
  const want = eui.replace(/-/g, "").toLowerCase();
  const keys = all.filter((k) => k.eui === want);
  const key = keys.find((k) => /xml-sign/i.test(k.name)) ?? keys[0];
  if (key === undefined) throw new Error(`no DCC Boxed signing key for ${eui}`);
  return key;
}

/** Every certificate in dccboxed-keys (PEM files and keystore.json), by decimal serial. */
export function dccBoxedCertificates(): Map<string, X509Certificate> {
  const dir = reference("dccboxed-keys");
  const map = new Map<string, X509Certificate>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".pem") || f.includes(".key")) continue;
    const c = new X509Certificate(readFileSync(`${dir}/${f}`));
    map.set(decimalSerial(c), c);
  }
  for (const k of dccBoxedSigningKeys()) map.set(k.serial, k.certificate);
  return map;
}
