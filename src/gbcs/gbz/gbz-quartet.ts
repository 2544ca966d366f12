/**
 * The rest of the GBZ codec quartet: `isValidGbzPayload` says whether a value can be encoded and
 * decoded back to itself, and `randomGbzPayload` draws one (for property tests, and for a
 * simulator that needs plausible traffic). Encode and decode are in gbz-payload.ts.
 */
import { GBZ_AE_MAC_LENGTH, GBZ_PROFILE_ID, type GbzComponent, type GbzPayload } from "./gbz-payload.js";
import { findZclCommand, ZclCluster, ZclGlobalCommand, zclCommands } from "./zcl-commands.js";
import { isValidZclValue, type RandomInt, randomZclValue, zclDataTypeCodes } from "./zcl-data-types.js";
import { fieldsAreValid, randomFields } from "./zcl-fields.js";
import type { ZclFrame, ZclHeader, ZclPayload } from "./zcl-frame.js";

const isU8 = (n: unknown): boolean => typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xff;
const isU16 = (n: unknown): boolean => typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffff;
const isU32 = (n: unknown): boolean =>
  typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

function headerIsValid(h: ZclHeader): boolean {
  const fc = h.frameControl;
  if (!isU8(h.transactionSequenceNumber) || !isU8(h.commandId)) return false;
  if (!(fc.reserved >= 0 && fc.reserved <= 7 && Number.isInteger(fc.reserved))) return false;
  return fc.manufacturerSpecific ? isU16(h.manufacturerCode) : h.manufacturerCode === undefined;
}

/** The global command id each global payload kind is sent with. */
const globalIds: Partial<Record<ZclPayload["kind"], number>> = {
  readAttributes: ZclGlobalCommand.readAttributes,
  readAttributesResponse: ZclGlobalCommand.readAttributesResponse,
  writeAttributes: ZclGlobalCommand.writeAttributes,
  writeAttributesUndivided: ZclGlobalCommand.writeAttributesUndivided,
  writeAttributesResponse: ZclGlobalCommand.writeAttributesResponse,
  writeAttributesNoResponse: ZclGlobalCommand.writeAttributesNoResponse,
  reportAttributes: ZclGlobalCommand.reportAttributes,
  defaultResponse: ZclGlobalCommand.defaultResponse,
};

/** True when `p` is the payload the decoder would give for `header` in cluster `clusterId`. */
export function zclPayloadIsValid(clusterId: number, header: ZclHeader, p: ZclPayload): boolean {
  const fc = header.frameControl;
  if (p.kind === "opaque") {
    // Opaque is what the decoder gives for what it does not know: not for a known command.
    if (fc.manufacturerSpecific) return true;
    if (fc.frameType === "global") return !Object.values(globalIds).includes(header.commandId);
    return findZclCommand(clusterId, fc.direction, header.commandId) === undefined;
  }
  if (fc.manufacturerSpecific) return false;
  if (p.kind === "command") {
    const spec =
      fc.frameType === "clusterSpecific"
        ? findZclCommand(clusterId, fc.direction, header.commandId)
        : undefined;
    return spec !== undefined && spec.name === p.name && fieldsAreValid(spec.fields, p.fields);
  }
  if (fc.frameType !== "global" || globalIds[p.kind] !== header.commandId) return false;
  switch (p.kind) {
    case "readAttributes":
      return p.attributeIds.every(isU16);
    case "readAttributesResponse":
      return p.records.every((r) =>
        r.status === 0
          ? isU16(r.attributeId) && r.value !== undefined && isValidZclValue(r.value)
          : isU16(r.attributeId) && isU8(r.status) && r.value === undefined,
      );
    case "writeAttributes":
    case "writeAttributesUndivided":
    case "writeAttributesNoResponse":
    case "reportAttributes":
      return p.records.every((r) => isU16(r.attributeId) && isValidZclValue(r.value));
    case "writeAttributesResponse":
      // Either one success status alone, or status records each with an attribute id.
      return (
        (p.records.length === 1 && p.records[0]!.status === 0 && p.records[0]!.attributeId === undefined) ||
        ((p.records.length !== 1 || p.records[0]!.attributeId !== undefined) &&
          p.records.every((r) => isU8(r.status) && isU16(r.attributeId)))
      );
    case "defaultResponse":
      return isU8(p.commandId) && isU8(p.status);
  }
}

function componentIsValid(c: GbzComponent): boolean {
  if (!isU16(c.clusterId) || (c.reservedControlBits & ~0xec) !== 0) return false;
  if (c.fromDateTime !== undefined && (!isU32(c.fromDateTime) || c.body.encrypted)) return false;
  const b = c.body;
  if (!b.encrypted)
    return headerIsValid(b.frame.header) && zclPayloadIsValid(c.clusterId, b.frame.header, b.frame.payload);
  const ci = b.ciphered;
  return (
    isU8(b.additionalHeaderControl) &&
    isU8(b.additionalHeaderFrameCounter) &&
    headerIsValid(b.header) &&
    isU8(ci.securityControl) &&
    isU32(ci.invocationCounter) &&
    ci.aeMac.length === GBZ_AE_MAC_LENGTH &&
    (b.plaintext === undefined || zclPayloadIsValid(c.clusterId, b.header, b.plaintext))
  );
}

/**
 * True when `p` encodes, and decodes back to an equal value (given the same message code and CRA
 * flag, and for ciphered components the same decrypt hook). Length limits are not checked here:
 * the encoder refuses a component longer than 65535 bytes.
 */
export function isValidGbzPayload(p: GbzPayload): boolean {
  if (p.family !== "gbz" || !isU16(p.profileId) || p.profileId !== GBZ_PROFILE_ID) return false;
  switch (p.kind) {
    case "components":
    case "alert":
      if (p.kind === "alert" && !(isU16(p.alert.alertCode) && isU32(p.alert.timestamp))) return false;
      return p.components.length <= 0xff && p.components.every(componentIsValid);
    case "futureDatedAlert":
      return (
        isU8(p.componentCount) &&
        isU16(p.messageCode) &&
        p.originatorCounter >= 0n &&
        p.originatorCounter < 1n << 64n &&
        isU16(p.clusterId) &&
        isU8(p.commandId)
      );
    case "firmwareDistributionReceiptAlert":
      return isU8(p.componentCount) && p.calculatedManufacturerHash.length <= 0xff;
    case "meterIntegrityIssueWarningAlert":
      return isU8(p.componentCount) && isU16(p.meterIntegrityIssueWarning);
  }
}

/** A random ZCL frame: a global command with random attribute records, or any known ZSE command. */
export function randomZclFrame(rnd: RandomInt): { readonly clusterId: number; readonly frame: ZclFrame } {
  const header = (
    frameType: "global" | "clusterSpecific",
    direction: "clientToServer" | "serverToClient",
    commandId: number,
  ): ZclHeader => ({
    frameControl: {
      frameType,
      manufacturerSpecific: false,
      direction,
      disableDefaultResponse: rnd(2) === 1,
      reserved: 0,
    },
    transactionSequenceNumber: rnd(256),
    commandId,
  });
  const value = () => randomZclValue(zclDataTypeCodes[rnd(zclDataTypeCodes.length)]!, rnd);
  const count = rnd(5);
  const meteringLike = [ZclCluster.metering, ZclCluster.price, ZclCluster.prepayment, ZclCluster.calendar];
  const clusterId = meteringLike[rnd(meteringLike.length)]!;
  switch (rnd(6)) {
    case 0:
      return {
        clusterId,
        frame: {
          header: header("global", "clientToServer", ZclGlobalCommand.readAttributes),
          payload: {
            kind: "readAttributes",
            attributeIds: Array.from({ length: count }, () => rnd(0x10000)),
          },
        },
      };
    case 1:
      return {
        clusterId,
        frame: {
          header: header("global", "serverToClient", ZclGlobalCommand.readAttributesResponse),
          payload: {
            kind: "readAttributesResponse",
            records: Array.from({ length: count }, () =>
              rnd(4) === 0
                ? { attributeId: rnd(0x10000), status: 0x86 }
                : { attributeId: rnd(0x10000), status: 0, value: value() },
            ),
          },
        },
      };
    case 2:
      return {
        clusterId,
        frame: {
          header: header("global", "clientToServer", ZclGlobalCommand.writeAttributes),
          payload: {
            kind: "writeAttributes",
            records: Array.from({ length: count }, () => ({ attributeId: rnd(0x10000), value: value() })),
          },
        },
      };
    case 3:
      return {
        clusterId,
        frame: {
          header: header("global", "serverToClient", ZclGlobalCommand.writeAttributesResponse),
          payload: {
            kind: "writeAttributesResponse",
            records:
              count === 0
                ? [{ status: 0 }]
                : Array.from({ length: count + 1 }, () => ({ status: 0x87, attributeId: rnd(0x10000) })),
          },
        },
      };
    case 4:
      return {
        clusterId,
        frame: {
          header: header("global", "serverToClient", ZclGlobalCommand.defaultResponse),
          payload: { kind: "defaultResponse", commandId: rnd(256), status: rnd(256) },
        },
      };
    default: {
      const spec = zclCommands[rnd(zclCommands.length)]!;
      return {
        clusterId: spec.cluster,
        frame: {
          header: header("clusterSpecific", spec.direction, spec.id),
          payload: { kind: "command", name: spec.name, fields: randomFields(spec.fields, rnd) },
        },
      };
    }
  }
}

function randomComponent(rnd: RandomInt, last: boolean): GbzComponent {
  const { frame, clusterId } = randomZclFrame(rnd);
  if (rnd(4) === 0) {
    return {
      clusterId,
      lastMessage: last,
      reservedControlBits: 0,
      body: {
        encrypted: true,
        additionalHeaderControl: 0,
        additionalHeaderFrameCounter: rnd(256),
        header: frame.header,
        ciphered: {
          securityControl: 0x31,
          invocationCounter: 0,
          ciphertext: Uint8Array.from({ length: rnd(40) }, () => rnd(256)),
          aeMac: Uint8Array.from({ length: GBZ_AE_MAC_LENGTH }, () => rnd(256)),
        },
      },
    };
  }
  const from = rnd(3) === 0 ? { fromDateTime: rnd(0x1_0000_0000) } : {};
  return { clusterId, lastMessage: last, reservedControlBits: 0, ...from, body: { encrypted: false, frame } };
}

/**
 * A random valid GBZ payload: a command/response (decode it with CRA 1 or 2) or an alert with
 * components (CRA 3, a message code without a bespoke alert layout). Ciphered components carry
 * random bytes: there is no plaintext without keys.
 */
export function randomGbzPayload(rnd: RandomInt): GbzPayload {
  const n = rnd(5);
  const components = Array.from({ length: n }, (_, i) => randomComponent(rnd, i === n - 1));
  if (rnd(3) === 0) {
    return {
      family: "gbz",
      kind: "alert",
      profileId: GBZ_PROFILE_ID,
      alert: { alertCode: 0x8000 + rnd(0x1000), timestamp: rnd(0x1_0000_0000) },
      components,
    };
  }
  return { family: "gbz", kind: "components", profileId: GBZ_PROFILE_ID, components };
}
