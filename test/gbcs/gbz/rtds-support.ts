/**
 * Test helpers for the RTDS reference messages: read a message, decode its frame, build the
 * PayloadContext that the dispatcher would, and a decrypt hook from the RTDS keystore.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  decryptPayloadData,
  deriveKey,
  encryptPayloadData,
  payloadKdfInfo,
  payloadParties,
} from "../../../src/gbcs/crypto/index.js";
import { fromHex } from "../../../src/gbcs/cursor.js";
import { decodeFrame, type GbcsFrame } from "../../../src/gbcs/frame.js";
import type { DecryptResult, PayloadContext } from "../../../src/gbcs/payload-context.js";
import { reference } from "../../support/reference.js";

export interface RtdsMessage {
  readonly folder: string;
  readonly file: string;
  readonly frame: GbcsFrame;
}

/** Every RTDS 4.5.0 GBCS message, decoded to its frame. */
export function rtdsMessages(): RtdsMessage[] {
  const root = reference("rtds-4.5.0-gbcs");
  const out: RtdsMessage[] = [];
  for (const folder of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      const frame = decodeFrame(fromHex(readFileSync(join(root, folder, file), "utf8")));
      out.push({ folder, file, frame });
    }
  }
  return out;
}

export function rtdsMessage(folder: string, file: string): GbcsFrame {
  return decodeFrame(fromHex(readFileSync(reference("rtds-4.5.0-gbcs", folder, file), "utf8")));
}

/** xDLMS APDU tags that start a DLMS payload (the DLMS codec's, not ours). */
const DLMS_TAGS = new Set([0xd9, 0xda, 0x0f, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc7, 0xd8, 0xdb]);

export function isDlmsContent(content: Uint8Array): boolean {
  return content.length > 0 && DLMS_TAGS.has(content[0]!);
}

export function isGbzContent(content: Uint8Array): boolean {
  return content.length >= 2 && content[0] === 0x01 && content[1] === 0x09;
}

/** The PayloadContext of `frame`, optionally with a decrypt hook. */
export function contextOf(frame: GbcsFrame, decrypt?: PayloadContext["decrypt"]): PayloadContext {
  return {
    messageCode: frame.messageCode,
    cra: frame.cra,
    useCase: undefined,
    originator: frame.originator,
    recipient: frame.recipient,
    counter: frame.counter,
    ...(decrypt === undefined ? {} : { decrypt }),
  };
}

/**
 * A decrypt hook for `frame` with the RTDS keystore: the remote party's KA private key and the
 * device's KA certificate; undefined when the private key is not published.
 */
export function rtdsDecrypt(frame: GbcsFrame): PayloadContext["decrypt"] {
  const [device, party] = payloadParties(frame);
  const keyFile = reference("rtds-keystore", `${party.toLowerCase()}-ka.key`);
  // Only the DCC-side private keys are published: messages to a device cannot be opened.
  if (!existsSync(keyFile)) return undefined;
  const privateKey = createPrivateKey(readFileSync(keyFile));
  const publicKey = createPublicKey(
    readFileSync(reference("rtds-keystore", `${device.toLowerCase()}-ka.pem`)),
  );
  const key = deriveKey({ ...payloadKdfInfo(frame), privateKey, publicKey });
  return (ciphertextAndTag: Uint8Array, aad?: Uint8Array): DecryptResult => {
    const plaintext = decryptPayloadData(key, frame.originator, ciphertextAndTag, aad);
    return plaintext === undefined ? { ok: false, reason: "authentication failed" } : { ok: true, plaintext };
  };
}

/** An encrypt hook for a response `frame` with the RTDS keystore (the same key the decrypt hook uses). */
export function rtdsEncrypt(frame: GbcsFrame): (plaintext: Uint8Array, aad: Uint8Array) => Uint8Array {
  const [device, party] = payloadParties(frame);
  const privateKey = createPrivateKey(
    readFileSync(reference("rtds-keystore", `${party.toLowerCase()}-ka.key`)),
  );
  const publicKey = createPublicKey(
    readFileSync(reference("rtds-keystore", `${device.toLowerCase()}-ka.pem`)),
  );
  const key = deriveKey({ ...payloadKdfInfo(frame), privateKey, publicKey });
  return (plaintext, aad) => encryptPayloadData(key, frame.originator, plaintext, aad);
}
