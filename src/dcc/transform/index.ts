/**
 * Transform: a DUIS Service Request becomes the GBCS command for its device (DUIS §3.7, GBCS §6).
 *
 * The commands are data (`commands/`, one `CommandSpec` per SRV × use case): the transformer finds
 * the specs of the SRV for the device's type, lets the body pick the variant where there are
 * several, builds the payload tree and encodes it with the codec of its family. It then builds the
 * grouping header (originator = the Service User's EUI, recipient = the device, originator counter =
 * the DUIS RequestID counter, the use case's message code) and has the Access Control Broker MAC it:
 * the MAC key comes from the GBCS KDF over the ECDH secret of the ACB's KA private key and the
 * device's KA public key (GBCS §6.2.3, "Command Cryptographic Protection II").
 *
 * A request that cannot be transformed gets a refusal that says which of the different reasons it
 * is (`TransformRefusal.kind`), so that the pipeline answers each with its own code: the SRV does
 * not apply to the device's type (E11), the body selects no command or lacks a field the command
 * needs, the ACB shares no key with the device, the SRV is critical and needs CV4, or the command is
 * genuinely not implemented.
 */
import { isCriticalSrv, type Srv, srvAppliesTo } from "../../catalogue/index.js";
import { type DuisElement, el } from "../../duis/model/element.js";
import type { RequestBody } from "../../duis/model/request.js";
import { ACB_EUI, type GbcsKeys } from "../../gbcs/crypto/keys.js";
import { macKey, protectFrame } from "../../gbcs/crypto/mac.js";
import { encodeFrame, type GbcsFrame } from "../../gbcs/frame.js";
import { encodePayload } from "../../gbcs/payload.js";
import type { DeviceType, UserRole } from "../../store/types.js";
import {
  BodyFieldError,
  type CommandContext,
  type CommandSpec,
  type DeviceRecords,
  NO_RECORDS,
} from "./command-spec.js";
import { COMMAND_SPECS } from "./commands/index.js";

export {
  BodyFieldError,
  type CommandContext,
  type CommandSpec,
  type DeviceRecords,
  NO_RECORDS,
} from "./command-spec.js";
export { COMMAND_SPECS } from "./commands/index.js";

/** What a transform reads: the request's identity and body, and the DCC's time. */
export interface TransformInput {
  /** The Service User's EUI (16 hex): the command's originator. */
  readonly originator: string;
  /** The device's EUI (16 hex): the command's recipient. */
  readonly device: string;
  /** The DUIS RequestID counter: the command's originator counter (transaction id). */
  readonly counter: bigint;
  /** The request body: as the DUIS model typed it, or its element. */
  readonly body: RequestBody | DuisElement;
  /** The DCC's time of the transform (ms since the epoch): GBZ Issuer Event IDs are made from it. */
  readonly at: number;
  /** The DCC's records of other devices the body names (default: none known). */
  readonly records?: DeviceRecords;
  /** The role the user acts in (the access check's), where known. */
  readonly role?: UserRole;
}

/** Why no command could be built, as data: `kind` tells the reasons apart, `reason` says it in words. */
export interface TransformRefusal {
  readonly ok: false;
  readonly kind: /** The SRV does not apply to this type of device (DUIS E11). */
    | "deviceType"
    /** The SRV applies to this device type but the DCC does not build its command yet. */
    | "notImplemented"
    /** The body selects none of the SRV's commands for this device type. */
    | "noVariant"
    /** A field the command needs is missing or unreadable (`path` says which). */
    | "body"
    /** The ACB holds no key agreement with the device: it cannot MAC a command to it. */
    | "noKeyAgreement"
    /** A critical SRV sent without its Pre-Command round trip, or a Pre-Command asked of a non-critical one. */
    | "criticality";
  readonly reason: string;
  readonly path?: string;
}

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

/** The body element a command reads, whatever the DUIS model made of the body. */
export function bodyElement(body: RequestBody | DuisElement): DuisElement {
  if (!("kind" in body)) return body;
  switch (body.kind) {
    case "generic":
      return body.element;
    case "ReadInstantaneousImportRegisters":
      return el(
        body.kind,
        body.executionDateTime === undefined ? [] : [el("ExecutionDateTime", body.executionDateTime)],
      );
    default:
      // ReadInventory (non-device) and SignedPreCommand (already a command) are never transformed.
      return el(body.kind);
  }
}

/** The specs indexed by `srv|deviceType`, in table order. */
function index(specs: readonly CommandSpec[]): ReadonlyMap<string, readonly CommandSpec[]> {
  const map = new Map<string, CommandSpec[]>();
  for (const spec of specs) {
    for (const type of spec.deviceTypes) {
      const key = `${spec.srv}|${type}`;
      const list = map.get(key) ?? [];
      list.push(spec);
      map.set(key, list);
    }
  }
  return map;
}

export class CommandTransformer {
  private readonly bySrvAndType: ReadonlyMap<string, readonly CommandSpec[]>;

  constructor(
    /** The DCC's keys: the ACB's KA private key and the devices' KA certificates. */
    private readonly keys: GbcsKeys,
    specs: readonly CommandSpec[] = COMMAND_SPECS,
  ) {
    this.bySrvAndType = index(specs);
  }

  /** The commands an SRV has for a device type (several where the body picks one). */
  variants(srv: string, deviceType: DeviceType): readonly CommandSpec[] {
    return this.bySrvAndType.get(`${srv}|${deviceType}`) ?? [];
  }

  /** Whether the DCC builds some command of the SRV for the device type. */
  implements(srv: string, deviceType: DeviceType): boolean {
    return this.variants(srv, deviceType).length > 0;
  }

  /**
   * Builds the Pre-Command of a critical request (CV4): the grouping header and the use case's
   * content, with no signature field and no MAC, exactly what the user signs (GBCS §6.2.4).
   */
  preCommand(srv: string, deviceType: DeviceType, input: TransformInput): TransformResult {
    // The same flag as the pipeline's CV4 gate: the SRV's criticality (catalogue `isCriticalSrv`).
    if (!isCriticalSrv(srv)) {
      return { ok: false, kind: "criticality", reason: `SRV ${srv} is not critical: no Pre-Command` };
    }
    const built = this.build(srv, deviceType, input);
    if (!built.ok) return built;
    const { signature: _none, ...unsigned } = built.frame;
    return {
      ok: true,
      useCase: built.spec.useCase,
      messageCode: built.spec.messageCode,
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
    if (z === undefined) return noKeyAgreement(frame.recipient);
    return { ok: true, bytes: encodeFrame(protectFrame(frame, macKey(frame, z))) };
  }

  /** Builds the MACed GBCS command for a non-critical request. */
  transform(srv: string, deviceType: DeviceType, input: TransformInput): TransformResult {
    if (isCriticalSrv(srv)) {
      const useCase = this.variants(srv, deviceType)[0]?.useCase ?? "critical";
      return {
        ok: false,
        kind: "criticality",
        reason: `SRV ${srv} (${useCase}) is critical: send CV4 for its Pre-Command, then the signed CV5`,
      };
    }
    const built = this.build(srv, deviceType, input);
    if (!built.ok) return built;
    const { frame, spec } = built;
    const z = this.keys.sharedSecret(ACB_EUI, frame.recipient);
    if (z === undefined) return noKeyAgreement(frame.recipient);
    const bytes = encodeFrame(protectFrame(frame, macKey(frame, z)));
    return { ok: true, useCase: spec.useCase, messageCode: spec.messageCode, frame, bytes };
  }

  /** The spec the body selects and the unMACed frame it builds, or why not. */
  private build(
    srv: string,
    deviceType: DeviceType,
    input: TransformInput,
  ): { ok: true; spec: CommandSpec; frame: GbcsFrame } | TransformRefusal {
    const variants = this.variants(srv, deviceType);
    if (variants.length === 0) {
      return srvAppliesTo(srv as Srv, deviceType)
        ? {
            ok: false,
            kind: "notImplemented",
            reason: `SRV ${srv} for device type ${deviceType} is not supported yet`,
          }
        : { ok: false, kind: "deviceType", reason: `SRV ${srv} does not apply to device type ${deviceType}` };
    }
    const ctx: CommandContext = {
      originator: input.originator.toUpperCase(),
      device: input.device.toUpperCase(),
      deviceType,
      counter: input.counter,
      body: bodyElement(input.body),
      at: input.at,
      records: input.records ?? NO_RECORDS,
      role: input.role,
    };
    try {
      const spec = variants.find((v) => v.applies === undefined || v.applies(ctx));
      if (spec === undefined) {
        return {
          ok: false,
          kind: "noVariant",
          reason: `the body selects none of SRV ${srv}'s commands for device type ${deviceType} (${variants.map((v) => v.useCase).join(", ")})`,
        };
      }
      const frame: GbcsFrame = {
        cra: 1,
        counter: input.counter,
        originator: ctx.originator,
        recipient: ctx.device,
        dateTime: spec.dateTime?.(ctx) ?? null,
        messageCode: spec.messageCode,
        content: encodePayload(spec.payload(ctx)),
        signature: new Uint8Array(0),
      };
      return { ok: true, spec, frame };
    } catch (error) {
      if (error instanceof BodyFieldError) {
        return { ok: false, kind: "body", reason: error.message, path: error.path };
      }
      throw error;
    }
  }
}

function noKeyAgreement(device: string): TransformRefusal {
  return {
    ok: false,
    kind: "noKeyAgreement",
    reason: `no key agreement between the ACB and device ${device}`,
  };
}
