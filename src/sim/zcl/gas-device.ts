/**
 * A simulated ZigBee gas device (GSME or GPF) that speaks GBCS GBZ: the command checks every
 * simulated device makes (`CommandChecker`; the supplier's signature too for critical use cases),
 * then the ZCL interpreter over its attribute store, and a response with the same originator
 * counter and message code, sent to the command's originator: sensitive components ciphered for it
 * (GBCS §7.2.10: KDF with CRA flag 4, Additional Header, Security Control 0x31, invocation counter
 * 0), MACed with the key shared with it, or signed with the device's DS key when the command was
 * critical and the device has one (as the RTDS responses to critical commands are).
 */
import { deriveKeyFromSecret } from "../../gbcs/crypto/kdf.js";
import { macKey, protectFrame } from "../../gbcs/crypto/mac.js";
import { encryptPayloadData, PAYLOAD_AAD, payloadKdfInfo } from "../../gbcs/crypto/payload-encryption.js";
import { signFrame } from "../../gbcs/crypto/signature.js";
import { Writer } from "../../gbcs/cursor.js";
import { DecodeError } from "../../gbcs/errors.js";
import { encodeFrame, type GbcsFrame, toCosemDateTime } from "../../gbcs/frame.js";
import {
  decodeGbzPayload,
  encodeGbz,
  GBZ_AE_MAC_LENGTH,
  GBZ_PROFILE_ID,
  type GbzComponent,
  type GbzPayload,
} from "../../gbcs/gbz/index.js";
import { encodeZclPayload } from "../../gbcs/gbz/zcl-frame.js";
import { messageCodeInfo } from "../../gbcs/message-codes.js";
import type { Asn1Identity } from "../asn1/device.js";
import { Asn1Handler } from "../asn1/handler.js";
import { CommandChecker } from "../command-check.js";
import type { CommandOutcome, SimDevice } from "../device.js";
import type { DeviceKeyring } from "../keyring.js";
import type { ZclAnswer, ZclInterpreter } from "./interpreter.js";
import { isDatedResponse } from "./layout.js";

export interface ZclGasDeviceOptions {
  readonly keys: DeviceKeyring;
  readonly now: () => number;
  readonly interpreter: ZclInterpreter;
  /** Its trust anchors, certificates and device log, for the ASN.1 use cases (CS02, CS03, GCS28…). */
  readonly asn1?: Asn1Identity;
}

export abstract class ZclGasDevice implements SimDevice {
  abstract readonly type: "GSME" | "GPF";
  readonly eui: string;
  protected readonly keys: DeviceKeyring;
  protected readonly now: () => number;
  private readonly checker: CommandChecker;
  private readonly interpreter: ZclInterpreter;
  /** The ASN.1 use cases (security credentials, joins, device log, time). */
  readonly asn1: Asn1Handler;

  constructor(options: ZclGasDeviceOptions) {
    this.eui = options.keys.eui;
    this.keys = options.keys;
    this.now = options.now;
    this.interpreter = options.interpreter;
    this.checker = new CommandChecker(options.keys);
    this.asn1 = new Asn1Handler({
      keys: options.keys,
      now: options.now,
      counters: this.checker,
      ...options.asn1,
    });
  }

  async handle(_bytes: Uint8Array, frame: GbcsFrame): Promise<CommandOutcome> {
    if (Asn1Handler.handles(frame)) return this.asn1.handle(frame);
    const info = messageCodeInfo(frame.messageCode);
    if (info === undefined || info.family !== "gbz") return { dropped: "unsupported" };
    const checked = this.checker.check(frame, {
      critical: info.critical,
      deviceOriginated: info.deviceOriginated,
    });
    if (!checked.ok) return { dropped: checked.dropped };
    let payload: GbzPayload;
    try {
      payload = decodeGbzPayload(frame.content, {
        messageCode: frame.messageCode,
        cra: frame.cra,
        useCase: info.useCase,
        originator: frame.originator,
        recipient: frame.recipient,
        counter: frame.counter,
      });
    } catch (error) {
      if (error instanceof DecodeError) return { dropped: "malformed" };
      throw error;
    }
    if (payload.kind !== "components") return { dropped: "malformed" };
    const at = this.now();
    const answers = this.interpreter.answer(payload, frame.messageCode, at);
    const header = {
      cra: 2,
      counter: frame.counter,
      originator: this.eui,
      recipient: checked.originator,
    } as const;
    const dataKey = deriveKeyFromSecret(checked.z, payloadKdfInfo(header));
    const content = encodeGbz({
      family: "gbz",
      kind: "components",
      profileId: GBZ_PROFILE_ID,
      components: answers.map((a, i) =>
        component(a, i === answers.length - 1, (plaintext) =>
          encryptPayloadData(dataKey, this.eui, plaintext),
        ),
      ),
    });
    const response: GbcsFrame = {
      ...header,
      dateTime: isDatedResponse(frame.messageCode) ? toCosemDateTime(new Date(at)) : null,
      messageCode: frame.messageCode,
      content,
      signature: new Uint8Array(0),
    };
    const ds = info.critical ? this.keys.signingPrivateKey(this.eui) : undefined;
    return {
      response: encodeFrame(
        ds === undefined ? protectFrame(response, macKey(response, checked.z)) : signFrame(response, ds),
      ),
    };
  }
}

/** A response component: the frame in clear, or its ZCL payload ciphered (header in clear). */
function component(
  answer: ZclAnswer,
  last: boolean,
  encrypt: (plaintext: Uint8Array) => Uint8Array,
): GbzComponent {
  const { clusterId, frame } = answer;
  if (!answer.encrypt) {
    return { clusterId, lastMessage: last, reservedControlBits: 0, body: { encrypted: false, frame } };
  }
  const w = new Writer(64);
  encodeZclPayload(w, clusterId, frame.header, frame.payload);
  const sealed = encrypt(w.finish());
  return {
    clusterId,
    lastMessage: last,
    reservedControlBits: 0,
    body: {
      encrypted: true,
      additionalHeaderControl: 0,
      additionalHeaderFrameCounter: 0,
      header: frame.header,
      ciphered: {
        securityControl: PAYLOAD_AAD[0]!,
        invocationCounter: 0,
        ciphertext: sealed.slice(0, sealed.length - GBZ_AE_MAC_LENGTH),
        aeMac: sealed.slice(sealed.length - GBZ_AE_MAC_LENGTH),
      },
    },
  };
}
