/**
 * Device credentials derived on demand from one secret, for fleets too large to write two files
 * per key (a million premises would be ten million files). Every process holding the secret and
 * the issuing CA gets the same key pair for the same (EUI, usage), so the DCC and the simulator
 * agree without sharing files; a credential costs a key derivation, a scalar multiplication and a
 * signature, when first asked for.
 *
 *   private scalar d = (HKDF-SHA256(secret, "meterway device key", "<eui>-<usage>", 40 bytes)
 *                       mod (n − 1)) + 1                     (FIPS 186-5 A.2.1, extra random bits)
 *   serial           = HKDF(…, "<eui>-<usage>-serial", 16 bytes), top bits 01
 *
 * The certificate has the shape `issueDevices` writes (empty subject, SAN hardwareModuleName with
 * the EUI, device policy), valid from 2020-01-01; its signature differs per issuance (ECDSA), its
 * key and serial do not. The secret lives in `<pki>/ca/device-secret` beside the CA's key.
 */
import { createPrivateKey, hkdfSync, type KeyObject, randomBytes, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DeviceTbsTemplate,
  hexBytes,
  keyIdentifier,
  type P256KeyPair,
  p256KeyPairFromScalar,
  pem,
  signCertificate,
  type TestCa,
} from "./test-pki.js";

/** The order n of the P-256 group. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** Device certificates derived here are valid from this instant (fixed, so every process agrees). */
export const DERIVED_NOT_BEFORE = new Date(Date.UTC(2020, 0, 1));

const SECRET_FILE = "device-secret";
const SALT = Buffer.from("meterway device key");

function euiHex(eui: string): string {
  const hex = eui.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new RangeError(`not an EUI-64: '${eui}'`);
  return hex;
}

/** A derived credential, in the forms a key store and the RTDS files use. */
export interface DerivedCredential {
  readonly eui: string;
  readonly usage: "ds" | "ka";
  readonly keys: P256KeyPair;
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
  readonly certificate: X509Certificate;
}

export class DerivedDeviceKeys {
  private readonly templates: { readonly ds: DeviceTbsTemplate; readonly ka: DeviceTbsTemplate };

  constructor(
    private readonly ca: TestCa,
    private readonly secret: Uint8Array,
  ) {
    if (secret.length < 32) throw new RangeError("the device secret needs at least 32 bytes");
    this.templates = {
      ds: new DeviceTbsTemplate(ca, "ds", DERIVED_NOT_BEFORE),
      ka: new DeviceTbsTemplate(ca, "ka", DERIVED_NOT_BEFORE),
    };
  }

  /** The derivation over the CA folder's secret, created (32 random bytes) when missing. */
  static async open(ca: TestCa): Promise<DerivedDeviceKeys> {
    const path = join(ca.dir, "ca", SECRET_FILE);
    if (!existsSync(path)) await writeFile(path, randomBytes(32), { mode: 0o600, flag: "wx" });
    return new DerivedDeviceKeys(ca, new Uint8Array(await readFile(path)));
  }

  private hkdf(info: string, length: number): Uint8Array {
    return new Uint8Array(hkdfSync("sha256", this.secret, SALT, Buffer.from(info), length));
  }

  /** The private scalar of (eui, usage): 32 bytes, 1 ≤ d < n. */
  scalar(eui: string, usage: "ds" | "ka"): Uint8Array {
    const okm = this.hkdf(`${euiHex(eui)}-${usage}`, 40);
    const d = (BigInt(`0x${Buffer.from(okm).toString("hex")}`) % (P256_ORDER - 1n)) + 1n;
    return hexBytes(d.toString(16).padStart(64, "0"));
  }

  /** The key pair of (eui, usage). */
  keyPair(eui: string, usage: "ds" | "ka"): P256KeyPair {
    return p256KeyPairFromScalar(this.scalar(eui, usage));
  }

  /** The certificate serial of (eui, usage): 16 bytes, positive, the same in every process. */
  serial(eui: string, usage: "ds" | "ka"): Uint8Array {
    const serial = this.hkdf(`${euiHex(eui)}-${usage}-serial`, 16);
    serial[0] = (serial[0]! & 0x7f) | 0x40;
    return serial;
  }

  /** The credential of (eui, usage), its certificate issued now by the test CA. */
  credential(eui: string, usage: "ds" | "ka"): DerivedCredential {
    const hex = euiHex(eui);
    const keys = this.keyPair(hex, usage);
    const tbs = this.templates[usage].fill(
      this.serial(hex, usage),
      keys.point,
      keyIdentifier(keys.spki),
      hexBytes(hex),
    );
    const certificatePem = pem(signCertificate(tbs, this.ca.issuingKey));
    return {
      eui: hex,
      usage,
      keys,
      privateKey: createPrivateKey(keys.pkcs8Pem),
      certificatePem,
      certificate: new X509Certificate(certificatePem),
    };
  }
}
