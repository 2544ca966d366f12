/**
 * Transform: a DUIS Service Request becomes the GBCS command for its device (DUIS §3.7, GBCS §6).
 *
 * Each SRV maps, per device type, to a GBCS use case; the use case builds the payload (the
 * "content" of the General Signing grouping header). This module then builds the grouping header
 * (originator = the Service User's EUI, recipient = the device, originator counter = the DUIS
 * RequestID counter, the use case's message code) and has the Access Control Broker MAC it: the MAC
 * key comes from the GBCS KDF over the ECDH secret of the ACB's KA private key and the device's KA
 * public key (GBCS §6.2.3, "Command Cryptographic Protection II").
 *
 * The map is a keyed table (`TRANSFORMS`): SRV → device type → use case, so the types of the body a
 * use case reads follow from the SRV. An SRV or device type without an entry is "not supported
 * yet", which the pipeline answers as such, never with a made-up command.
 */
import { isCriticalSrv, type Srv } from "../../catalogue/index.js";
import { ACB_EUI, type GbcsKeys } from "../../gbcs/crypto/keys.js";
import { macKey, protectFrame } from "../../gbcs/crypto/mac.js";
import { encodeFrame, type GbcsFrame } from "../../gbcs/frame.js";
import type { DeviceType } from "../../store/types.js";
import { ecs17b } from "./ecs17b.js";
import { gcs32, gcs39 } from "./gas-supply.js";
import { gcs13a } from "./gcs13a.js";
import { ecs42, ecs43, ecs44 } from "./supply.js";

/** What a use-case transform reads: the request's identity and body, and the device's facts. */
export interface TransformInput<B = unknown> {
  /** The Service User's EUI (16 hex): the command's originator. */
  readonly originator: string;
  /** The device's EUI (16 hex): the command's recipient. */
  readonly device: string;
  /** The DUIS RequestID counter: the command's originator counter (transaction id). */
  readonly counter: bigint;
  /** The request body, as the DUIS model typed it. */
  readonly body: B;
  /** The DCC's time of the transform (ms since the epoch): GBZ Issuer Event IDs are made from it. */
  readonly at: number;
}

/** One use case's transform. */
export interface UseCaseTransform<B = unknown> {
  readonly useCase: string;
  readonly messageCode: number;
  build(input: TransformInput<B>): Uint8Array;
}

/**
 * SRV → device type → use case. Only what is implemented is here: 4.1.1 to an ESME (ECS17b) and to
 * a GSME (GCS13a); the critical 7.1, 7.2 and 7.3 to an ESME (ECS42, ECS43, ECS44) and 7.2, 7.3 to a
 * GSME (GCS32, GCS39). 4.1.1 to the GPF (GCS13a answered from the GPF's mirror) is not supported yet.
 */
export const TRANSFORMS: Partial<Record<Srv, Partial<Record<DeviceType, UseCaseTransform>>>> = {
  "4.1.1": { ESME: ecs17b, GSME: gcs13a },
  "7.1": { ESME: ecs42 },
  "7.2": { ESME: ecs43, GSME: gcs32 },
  "7.3": { ESME: ecs44, GSME: gcs39 },
};

/** The device types an SRV applies to, supported or not (from the GBCS use-case prefixes). */
export const SRV_DEVICE_TYPES: Partial<Record<Srv, readonly DeviceType[]>> = {
  "4.1.1": ["ESME", "GSME", "GPF"],
  "7.1": ["ESME"],
  "7.2": ["ESME", "GSME"],
  "7.3": ["ESME", "GSME"],
};

/** Why no command could be built: a negative answer, as data. */
export type TransformRefusal = { readonly ok: false; readonly reason: string };

export type TransformResult =
  | {
      readonly ok: true;
      readonly useCase: string;
      readonly messageCode: number;
      /** The unMACed frame (what a pre-command would be, for critical commands). */
      readonly frame: GbcsFrame;
      /** The command as sent: MAC Header, grouping header, payload, empty signature, MAC. */
      readonly bytes: Uint8Array;
    }
  | TransformRefusal;

export class CommandTransformer {
  constructor(
    /** The DCC's keys: the ACB's KA private key and the devices' KA certificates. */
    private readonly keys: GbcsKeys,
    private readonly table: typeof TRANSFORMS = TRANSFORMS,
  ) {}

  /** The use-case transform for an SRV on a device type, if implemented. */
  find(srv: string, deviceType: DeviceType): UseCaseTransform | undefined {
    return this.table[srv as Srv]?.[deviceType];
  }

  /**
   * Builds the Pre-Command of a critical request (CV4): the grouping header and the use case's
   * content, with no signature field and no MAC, exactly what the user signs (GBCS §6.2.4).
   */
  preCommand(srv: string, deviceType: DeviceType, input: TransformInput): TransformResult {
    const useCase = this.find(srv, deviceType);
    if (useCase === undefined) {
      return { ok: false, reason: `SRV ${srv} to a ${deviceType} is not supported yet` };
    }
    // The same flag as the pipeline's CV4 gate: the SRV's criticality (catalogue `isCriticalSrv`).
    if (!isCriticalSrv(srv)) return { ok: false, reason: `SRV ${srv} is not critical: no Pre-Command` };
    const frame = this.frame(useCase, input);
    const { signature: _none, ...unsigned } = frame;
    return {
      ok: true,
      useCase: useCase.useCase,
      messageCode: useCase.messageCode,
      frame: unsigned,
      bytes: encodeFrame(unsigned),
    };
  }

  /**
   * The command as sent for a user-signed Pre-Command (CV5): the ACB's MAC over the signed frame
   * (GBCS §6.2.3, Command Cryptographic Protection II), or a refusal when the ACB shares no key with
   * the device.
   */
  protectSigned(signed: GbcsFrame): { ok: true; bytes: Uint8Array } | TransformRefusal {
    const { received: _received, mac: _mac, ...frame } = signed;
    const z = this.keys.sharedSecret(ACB_EUI, frame.recipient);
    if (z === undefined) {
      return { ok: false, reason: `no key agreement between the ACB and device ${frame.recipient}` };
    }
    return { ok: true, bytes: encodeFrame(protectFrame(frame, macKey(frame, z))) };
  }

  /** Builds the MACed GBCS command for a non-critical request. */
  transform(srv: string, deviceType: DeviceType, input: TransformInput): TransformResult {
    const useCase = this.find(srv, deviceType);
    if (useCase === undefined) {
      return { ok: false, reason: `SRV ${srv} to a ${deviceType} is not supported yet` };
    }
    if (isCriticalSrv(srv)) {
      return {
        ok: false,
        reason: `SRV ${srv} (${useCase.useCase}) is critical: send CV4 for its Pre-Command, then the signed CV5`,
      };
    }
    const frame = this.frame(useCase, input);
    const z = this.keys.sharedSecret(ACB_EUI, frame.recipient);
    if (z === undefined) {
      return { ok: false, reason: `no key agreement between the ACB and device ${frame.recipient}` };
    }
    const bytes = encodeFrame(protectFrame(frame, macKey(frame, z)));
    return { ok: true, useCase: useCase.useCase, messageCode: useCase.messageCode, frame, bytes };
  }

  /** The command's frame: grouping header (originator, recipient, counter, message code) and content. */
  private frame(useCase: UseCaseTransform, input: TransformInput): GbcsFrame {
    return {
      cra: 1,
      counter: input.counter,
      originator: input.originator.toUpperCase(),
      recipient: input.device.toUpperCase(),
      dateTime: null,
      messageCode: useCase.messageCode,
      content: useCase.build(input),
      signature: new Uint8Array(0),
    };
  }
}
