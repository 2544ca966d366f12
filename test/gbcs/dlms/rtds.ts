/**
 * Test support: the RTDS GBCS messages whose grouping-header content is DLMS, with the few header
 * fields the DLMS tests need. The header is parsed here with a small reader of its own, so these
 * tests do not depend on the frame codec.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  diffieHellman,
  X509Certificate,
} from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fromHex, Reader } from "../../../src/gbcs/cursor.js";
import type { DecryptProtected, EncryptProtected } from "../../../src/gbcs/dlms/protection.js";
import { reference } from "../../support/reference.js";

export interface RtdsMessage {
  /** `<folder>/<file>` under rtds-4.5.0-gbcs. */
  readonly name: string;
  readonly cra: number;
  readonly counter: bigint;
  readonly originator: Uint8Array;
  readonly recipient: Uint8Array;
  readonly messageCode: number;
  readonly content: Uint8Array;
}

/** Parses the General Signing header (after an optional General Ciphering wrapper). */
export function parseGroupingHeader(bytes: Uint8Array): Omit<RtdsMessage, "name"> {
  const r = new Reader(bytes);
  if (r.peekU8() === 0xdd) {
    r.skip(7);
    r.derLength();
    r.skip(5);
  }
  if (r.u8() !== 0xdf || r.u8() !== 0x09) throw new Error("not a general signing header");
  const cra = r.u8();
  const counter = r.u64be();
  if (r.u8() !== 8) throw new Error("originator length");
  const originator = r.bytes(8).slice();
  if (r.u8() !== 8) throw new Error("recipient length");
  const recipient = r.bytes(8).slice();
  r.skip(r.u8());
  const other = r.bytes(r.u8());
  const messageCode = (other[0]! << 8) | other[1]!;
  const content = r.bytes(r.derLength()).slice();
  return { cra, counter, originator, recipient, messageCode, content };
}

export function rtdsMessage(name: string): RtdsMessage {
  const hex = readFileSync(reference("rtds-4.5.0-gbcs", name), "utf8");
  return { name, ...parseGroupingHeader(fromHex(hex)) };
}

/** Every RTDS message whose content starts with an xDLMS APDU tag. */
export function rtdsDlmsMessages(): RtdsMessage[] {
  const root = reference("rtds-4.5.0-gbcs");
  const out: RtdsMessage[] = [];
  for (const folder of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      if (!file.endsWith(".HEX")) continue;
      const m = rtdsMessage(`${folder}/${file}`);
      const tag = m.content[0];
      if (tag === 0xd9 || tag === 0xda || tag === 0x0f) out.push(m);
    }
  }
  return out;
}

function privateKa(eui: string) {
  const path = eui.toLowerCase().startsWith("00db")
    ? reference("gbcs-known-answers", `${eui.toLowerCase()}-ka.key`)
    : reference("rtds-keystore", `${eui.toLowerCase()}-ka.key`);
  return createPrivateKey(readFileSync(path));
}

function publicKa(eui: string) {
  return new X509Certificate(readFileSync(reference("rtds-keystore", `${eui.toLowerCase()}-ka.pem`)))
    .publicKey;
}

/** GBCS KDF (SHA-256, counter 1) over ECDH(own, peer) and other info: an AES-128 key. */
export function gbcsKey(ownEui: string, peerEui: string, otherInfo: Uint8Array): Buffer {
  const secret = diffieHellman({ privateKey: privateKa(ownEui), publicKey: publicKa(peerEui) });
  return createHash("sha256")
    .update(Uint8Array.of(0, 0, 0, 1))
    .update(secret)
    .update(otherInfo)
    .digest()
    .subarray(0, 16);
}

/** A decrypter for the key holder `ownEui` talking with `peerEui` (node:crypto AES-128-GCM). */
export function nodeDecrypter(ownEui: string, peerEui: string): DecryptProtected {
  return (content, ciphertext, tag) => {
    const d = createDecipheriv("aes-128-gcm", gbcsKey(ownEui, peerEui, content.kdfOtherInfo), content.iv, {
      authTagLength: tag.length,
    });
    d.setAAD(content.aad);
    d.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([d.update(ciphertext), d.final()]));
  };
}

export function nodeEncrypter(ownEui: string, peerEui: string): EncryptProtected {
  return (content, plaintext) => {
    const c = createCipheriv("aes-128-gcm", gbcsKey(ownEui, peerEui, content.kdfOtherInfo), content.iv, {
      authTagLength: 12,
    });
    c.setAAD(content.aad);
    const ciphertext = new Uint8Array(Buffer.concat([c.update(plaintext), c.final()]));
    return { ciphertext, tag: new Uint8Array(c.getAuthTag()) };
  };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();
