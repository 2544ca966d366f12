/**
 * Test support: the RTDS GBCS messages whose grouping-header content is DLMS (an xDLMS APDU tag
 * first), their frames, and key-holding contexts built with the GBCS crypto functions and the RTDS
 * test keys.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  decryptPayloadData,
  deriveKey,
  encryptPayloadData,
  payloadKdfInfo,
} from "../../../src/gbcs/crypto/index.js";
import { fromHex } from "../../../src/gbcs/cursor.js";
import { isDlmsContent } from "../../../src/gbcs/dlms/index.js";
import { decodeFrame, type GbcsFrame } from "../../../src/gbcs/frame.js";
import type { PayloadContext } from "../../../src/gbcs/payload-context.js";
import { reference } from "../../support/reference.js";

export interface RtdsMessage {
  /** `<folder>/<file>` under rtds-4.5.0-gbcs. */
  readonly name: string;
  readonly frame: GbcsFrame;
}

export function rtdsMessage(name: string): RtdsMessage {
  const hex = readFileSync(reference("rtds-4.5.0-gbcs", name), "utf8");
  return { name, frame: decodeFrame(fromHex(hex)) };
}

/** Every RTDS message whose content starts with an xDLMS APDU tag. */
export function rtdsDlmsMessages(): RtdsMessage[] {
  const root = reference("rtds-4.5.0-gbcs");
  const out: RtdsMessage[] = [];
  for (const folder of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      if (!file.endsWith(".HEX")) continue;
      const m = rtdsMessage(`${folder}/${file}`);
      if (isDlmsContent(m.frame.content)) out.push(m);
    }
  }
  return out;
}

/** The RTDS device's KA key is only in gbcs-known-answers; the parties' keys are in rtds-keystore. */
function privateKa(eui: string): KeyObject {
  const lower = eui.toLowerCase();
  const path =
    lower === "00db1234567890a0"
      ? reference("gbcs-known-answers", `${lower}-ka.key`)
      : reference("rtds-keystore", `${lower}-ka.key`);
  return createPrivateKey(readFileSync(path));
}

function publicKa(eui: string): KeyObject {
  return new X509Certificate(readFileSync(reference("rtds-keystore", `${eui.toLowerCase()}-ka.pem`)))
    .publicKey;
}

/** The payload context of `frame` for the holder of `ownEui`'s KA key (the payload's other party is the peer). */
export function keyedContext(frame: GbcsFrame, ownEui: string): PayloadContext {
  const info = payloadKdfInfo(frame);
  const peer = ownEui.toUpperCase() === frame.originator ? info.recipient : frame.originator;
  return {
    messageCode: frame.messageCode,
    cra: frame.cra,
    useCase: undefined,
    originator: frame.originator,
    recipient: frame.recipient,
    counter: frame.counter,
    decrypt: (ciphertextAndTag, aad) => {
      const key = deriveKey({ ...info, privateKey: privateKa(ownEui), publicKey: publicKa(peer) });
      const plaintext = decryptPayloadData(key, frame.originator, ciphertextAndTag, aad);
      return plaintext ? { ok: true, plaintext } : { ok: false, reason: "authentication failed" };
    },
  };
}

/** The device-side encrypter for a response frame with these header values (GBCS crypto functions). */
export function deviceEncrypter(
  frame: Pick<GbcsFrame, "counter" | "originator" | "recipient" | "supplementary">,
): (plaintext: Uint8Array, aad: Uint8Array) => Uint8Array {
  const info = payloadKdfInfo(frame);
  return (plaintext, aad) => {
    const key = deriveKey({
      ...info,
      privateKey: privateKa(frame.originator),
      publicKey: publicKa(info.recipient),
    });
    return encryptPayloadData(key, frame.originator, plaintext, aad);
  };
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

/** 8 bytes of a 16-hex EUI. */
export const eui = (s: string): Uint8Array => fromHex(s);
