/**
 * SRV 8.7.1/8.7.2 Join Service: which GBCS join method a pair of devices uses, and
 * the JoinDeviceCommand (GBCS §13.3.3, CS03). The method follows from the two devices' types:
 *
 * - Method A (CBKE between the devices): an ESME with a PPMID or HCALCS. The ESME is the initiator
 *   (CS03A1, "Join (Meter)"), the PPMID or HCALCS the responder (CS03A2, "Join (non Meter)").
 * - Method B: a GSME with its GPF (CS03B); the GSME trusts the GPF through the Communications Hub.
 * - Method C (certificates, the GSME cannot do CBKE on battery): a GSME with a PPMID, either way
 *   round (CS03C), carrying the other device's key agreement certificate.
 *
 * The DUIS body names only the other device (`OtherDeviceID`); its type and certificate are the
 * Smart Metering Inventory's. The command specs have no inventory to read (`CommandContext` carries
 * the body and the target alone), so 8.7.x rows are not registered yet: `joinCommand` builds the
 * command once those facts are at hand.
 */
import { messageCodeOf } from "../../catalogue/index.js";
import { type Asn1Payload, DeviceType as GbcsDeviceType, JoinMethodAndRole } from "../../gbcs/asn1/index.js";
import type { DeviceType } from "../../store/types.js";
import { asn1 } from "./asn1-fields.js";

/** The other device of a join, as the inventory knows it. */
export interface JoinPartner {
  /** Its EUI-64 (16 hex). */
  readonly eui: string;
  readonly type: DeviceType;
  /** Its key agreement certificate (DER): required for Method C. */
  readonly kaCertificate?: Uint8Array;
}

/** GBCS DeviceType of the SMI types that take part in joins. */
const GBCS_DEVICE_TYPES: Partial<Record<DeviceType, number>> = {
  GSME: GbcsDeviceType.gsme,
  ESME: GbcsDeviceType.esme,
  CHF: GbcsDeviceType.chf,
  GPF: GbcsDeviceType.gpf,
  HCALCS: GbcsDeviceType.hcalcs,
  PPMID: GbcsDeviceType.ppmid,
};

type JoinUseCase = "CS03A1" | "CS03A2" | "CS03B" | "CS03C";

/** The join use case of a (target, other device) pair, and the target's method and role in it. */
const JOIN_METHODS: readonly {
  readonly target: readonly DeviceType[];
  readonly other: readonly DeviceType[];
  readonly useCase: JoinUseCase;
  readonly methodAndRole: number;
}[] = [
  {
    target: ["ESME"],
    other: ["PPMID", "HCALCS"],
    useCase: "CS03A1",
    methodAndRole: JoinMethodAndRole.methodAInitiator,
  },
  {
    target: ["PPMID", "HCALCS"],
    other: ["ESME"],
    useCase: "CS03A2",
    methodAndRole: JoinMethodAndRole.methodAResponder,
  },
  { target: ["GSME"], other: ["GPF"], useCase: "CS03B", methodAndRole: JoinMethodAndRole.methodB },
  { target: ["GSME"], other: ["PPMID"], useCase: "CS03C", methodAndRole: JoinMethodAndRole.methodC },
  { target: ["PPMID"], other: ["GSME"], useCase: "CS03C", methodAndRole: JoinMethodAndRole.methodC },
];

export type JoinCommand =
  | {
      readonly ok: true;
      readonly useCase: JoinUseCase;
      readonly messageCode: number;
      readonly payload: Asn1Payload;
    }
  | { readonly ok: false; readonly reason: string };

/** The join use case of a device of type `target` with a device of type `other`, if they join. */
export function joinUseCaseFor(target: DeviceType, other: DeviceType): JoinUseCase | undefined {
  return JOIN_METHODS.find((m) => m.target.includes(target) && m.other.includes(other))?.useCase;
}

/** The CS03 command that joins `other` to a device of type `target`, or why there is none. */
export function joinCommand(target: DeviceType, other: JoinPartner): JoinCommand {
  const method = JOIN_METHODS.find((m) => m.target.includes(target) && m.other.includes(other.type));
  const otherType = GBCS_DEVICE_TYPES[other.type];
  if (method === undefined || otherType === undefined) {
    return { ok: false, reason: `a ${other.type} does not join a ${target}` };
  }
  if (method.methodAndRole === JoinMethodAndRole.methodC && other.kaCertificate === undefined) {
    return { ok: false, reason: `Method C needs the ${other.type}'s key agreement certificate` };
  }
  return {
    ok: true,
    useCase: method.useCase,
    messageCode: messageCodeOf(method.useCase),
    payload: asn1("JoinDeviceCommand", {
      joinMethodAndRole: method.methodAndRole,
      otherDeviceEntityIdentifier: Uint8Array.from(Buffer.from(other.eui, "hex")),
      otherDeviceType: otherType,
      ...(method.methodAndRole === JoinMethodAndRole.methodC && other.kaCertificate !== undefined
        ? { otherDeviceCertificate: other.kaCertificate }
        : {}),
    }),
  };
}
