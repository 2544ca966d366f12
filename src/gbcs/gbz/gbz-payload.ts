/**
 * The GBZ payload (GBCS §7.2): the ZigBee-based format of commands, responses and alerts for the gas
 * meter (GSME) and Gas Proxy Function (GPF). A GBZ Use Case Header (Profile ID 0x0109, the number
 * of components, and for alerts the alert code and a time stamp) is followed by GBZ Use Case
 * Specific Components, each an Extended Header (control field, cluster id, length, optional From
 * Date Time) and one ZCL frame. Sensitive responses carry the ZCL payload ciphered (GBCS §8.4):
 * Additional Header Control and Frame Counter, the ZCL header in clear, then the ciphered
 * information (Security Control 0x31, Invocation Counter, ciphertext, 12-byte AE MAC).
 *
 * The GBZ headers are big-endian; the ZCL frames inside are little-endian.
 */
import { Reader, Writer } from "../cursor.js";
import { atSegment, DecodeError } from "../errors.js";
import type { DecryptFailure } from "../payload-context.js";
import { type GbzMessageContext, gbzAlertLayout } from "./gbz-context.js";
import {
  decodeFrameControl,
  decodeZclHeader,
  decodeZclPayload,
  encodeFrameControl,
  encodeZclHeader,
  encodeZclPayload,
  type ZclFrame,
  type ZclFrameControl,
  type ZclHeader,
  type ZclPayload,
} from "./zcl-frame.js";

/** GBCS: "Smart Energy Profile", the only Profile ID a GBZ payload carries. */
export const GBZ_PROFILE_ID = 0x0109;

/** Extended Header Control Field bits (GBCS §7.2.3). */
export const GbzControlBits = {
  /** Bit 0: the last component of a response split over several ("last message"). */
  lastMessage: 0x01,
  /** Bit 1: the ZCL payload is ciphered; Additional Header fields follow the Extended Header. */
  encrypted: 0x02,
  /** Bit 4: a From Date Time (UTC, 4 bytes) follows the Extended Header. */
  fromDateTime: 0x10,
  /** Every other bit: reserved (zero in GBCS); kept so that a component re-encodes as received. */
  reservedMask: 0xec,
} as const;

/** The AE MAC (GCM tag) that ends ciphered information: 12 bytes. */
export const GBZ_AE_MAC_LENGTH = 12;

/** Ciphered information (GBCS §8.4) as received; the plaintext is decoded alongside when keys allow. */
export interface GbzCipheredInformation {
  /** Security Control: 0x31 in GBCS (authenticated and encrypted); also the GCM additional data. */
  readonly securityControl: number;
  /** Invocation Counter, the last 4 bytes of the GCM IV (0 in GBCS). */
  readonly invocationCounter: number;
  readonly ciphertext: Uint8Array;
  /** AE MAC: the 12-byte GCM tag. */
  readonly aeMac: Uint8Array;
}

export interface GbzPlainBody {
  readonly encrypted: false;
  readonly frame: ZclFrame;
}

export interface GbzCipheredBody {
  readonly encrypted: true;
  /** Additional Header Control: reserved, 0x00. */
  readonly additionalHeaderControl: number;
  /** Additional Header Frame Counter (GBCS §7.2.10): numbers the parts of a long response. */
  readonly additionalHeaderFrameCounter: number;
  /** The ZCL header, sent in clear. */
  readonly header: ZclHeader;
  readonly ciphered: GbzCipheredInformation;
  /**
   * The deciphered ZCL payload, when the decoder was given a decrypt hook that could open it. Not
   * used by the encoder: the ciphered bytes are written as they are.
   */
  readonly plaintext?: ZclPayload;
  /** Why a decrypt hook could not open the ciphered information (data, not an error). */
  readonly decryptFailure?: DecryptFailure;
}

export interface GbzComponent {
  readonly clusterId: number;
  readonly lastMessage: boolean;
  /** Reserved control bits (mask 0xEC), zero in GBCS. */
  readonly reservedControlBits: number;
  /** From Date Time: UTC seconds since 2000-01-01 (GBCS: 0 = now, 0xFFFFFFFF = never / cancel). */
  readonly fromDateTime?: number;
  readonly body: GbzPlainBody | GbzCipheredBody;
}

/** The GBZ alert header fields (GBCS §7.2.4): alert code (§16) and the time the alert was raised. */
export interface GbzAlertHeader {
  readonly alertCode: number;
  /** UTC seconds since 2000-01-01. */
  readonly timestamp: number;
}

/** A command or response: components only. */
export interface GbzComponentsPayload {
  readonly family: "gbz";
  readonly kind: "components";
  readonly profileId: number;
  readonly components: readonly GbzComponent[];
}

/**
 * A payload of one component in clear, the last one: the shape of the GBCS gas commands and of the
 * responses to them that are not encrypted.
 */
export function singleComponentPayload(clusterId: number, frame: ZclFrame): GbzComponentsPayload {
  return {
    family: "gbz",
    kind: "components",
    profileId: GBZ_PROFILE_ID,
    components: [{ clusterId, lastMessage: true, reservedControlBits: 0, body: { encrypted: false, frame } }],
  };
}

/** An alert whose body is GBZ components (none for Generic (Non) Critical Alerts; one for GCS53). */
export interface GbzAlertPayload {
  readonly family: "gbz";
  readonly kind: "alert";
  readonly profileId: number;
  readonly alert: GbzAlertHeader;
  readonly components: readonly GbzComponent[];
}

/**
 * Future Dated Execution Of Instruction Alert (GBZ), message code 0x00CD: says which future-dated
 * command ran, by its message code and originator counter, cluster, frame control and command id.
 */
export interface GbzFutureDatedAlertPayload {
  readonly family: "gbz";
  readonly kind: "futureDatedAlert";
  readonly profileId: number;
  /** As sent (1 in GBCS), though no GBZ component follows. */
  readonly componentCount: number;
  readonly alert: GbzAlertHeader;
  readonly messageCode: number;
  readonly originatorCounter: bigint;
  readonly clusterId: number;
  readonly frameControl: ZclFrameControl;
  readonly commandId: number;
}

/** Firmware Distribution Receipt Alert (GSME), message code 0x00CF: the hash the device computed. */
export interface GbzFirmwareDistributionReceiptAlertPayload {
  readonly family: "gbz";
  readonly kind: "firmwareDistributionReceiptAlert";
  readonly profileId: number;
  readonly componentCount: number;
  readonly alert: GbzAlertHeader;
  /** Calculated Manufacturer Hash (SHA-256, 32 bytes), sent as a DLMS octet-string (tag 0x09). */
  readonly calculatedManufacturerHash: Uint8Array;
}

/** Meter Integrity Issue Warning Alert (GSME), message code 0x00F2. */
export interface GbzMeterIntegrityIssueWarningAlertPayload {
  readonly family: "gbz";
  readonly kind: "meterIntegrityIssueWarningAlert";
  readonly profileId: number;
  readonly componentCount: number;
  readonly alert: GbzAlertHeader;
  /** Other information: the Meter Integrity Issue Warning code (0 other ... 9 unspecified). */
  readonly meterIntegrityIssueWarning: number;
}

export type GbzPayload =
  | GbzComponentsPayload
  | GbzAlertPayload
  | GbzFutureDatedAlertPayload
  | GbzFirmwareDistributionReceiptAlertPayload
  | GbzMeterIntegrityIssueWarningAlertPayload;

/** Length of the Future Dated Alert payload after its length byte: code 2, counter 8, cluster 2, fc 1, cmd 1. */
const FUTURE_DATED_ALERT_LENGTH = 14;
/** DLMS octet-string tag that GBCS uses for the Calculated Manufacturer Hash. */
const DLMS_OCTET_STRING = 0x09;

/** A ZCL header read at the path segment `header` (no closure on the way). */
function readHeader(c: Reader): ZclHeader {
  try {
    return decodeZclHeader(c);
  } catch (error) {
    throw atSegment(error, "header");
  }
}

function decodeComponent(r: Reader, ctx: GbzMessageContext): GbzComponent {
  const control = r.u8();
  const clusterId = r.u16be();
  const length = r.u16be();
  const c = r.sub(length, "GBZ command length");
  const lastMessage = (control & GbzControlBits.lastMessage) !== 0;
  const reservedControlBits = control & GbzControlBits.reservedMask;
  const encrypted = (control & GbzControlBits.encrypted) !== 0;
  const hasFrom = (control & GbzControlBits.fromDateTime) !== 0;
  if (encrypted && hasFrom) throw c.unexpected("a ciphered component with a From Date Time", 0);
  let fromDateTime: number | undefined;
  if (hasFrom) {
    try {
      fromDateTime = c.u32be();
    } catch (error) {
      throw atSegment(error, "fromDateTime");
    }
  }
  const body = encrypted ? decodeCipheredBody(c, clusterId, ctx) : decodePlainBody(c, clusterId);
  // one literal per shape, in the order the fields have always had (JSON output keeps it)
  return fromDateTime === undefined
    ? { clusterId, lastMessage, reservedControlBits, body }
    : { clusterId, lastMessage, reservedControlBits, fromDateTime, body };
}

function decodePlainBody(c: Reader, clusterId: number): GbzPlainBody {
  const header = readHeader(c);
  let payload: ZclPayload;
  try {
    payload = decodeZclPayload(c, clusterId, header);
  } catch (error) {
    throw atSegment(error, "payload");
  }
  return { encrypted: false, frame: { header, payload } };
}

function decodeCipheredBody(c: Reader, clusterId: number, ctx: GbzMessageContext): GbzCipheredBody {
  const additionalHeaderControl = c.u8();
  const additionalHeaderFrameCounter = c.u8();
  const header = readHeader(c);
  const cipheredLength = c.u16be();
  const ci = c.sub(cipheredLength, "ciphered information length");
  c.end("ciphered component");
  const securityControl = ci.u8();
  const invocationCounter = ci.u32be();
  ci.checkLength(GBZ_AE_MAC_LENGTH, "AE MAC");
  const ciphertext = ci.copy(ci.remaining - GBZ_AE_MAC_LENGTH);
  const aeMac = ci.copy(GBZ_AE_MAC_LENGTH);
  const ciphered: GbzCipheredInformation = { securityControl, invocationCounter, ciphertext, aeMac };
  const ciphertextAndTag = new Uint8Array(ciphertext.length + aeMac.length);
  ciphertextAndTag.set(ciphertext, 0);
  ciphertextAndTag.set(aeMac, ciphertext.length);
  const opened = ctx.decrypt?.(ciphertextAndTag, Uint8Array.of(securityControl));
  let plaintext: ZclPayload | undefined;
  if (opened?.ok === true) {
    try {
      plaintext = decodeZclPayload(new Reader(opened.plaintext), clusterId, header);
    } catch (error) {
      throw atSegment(error, "plaintext");
    }
  }
  const body: {
    -readonly [K in keyof GbzCipheredBody]: GbzCipheredBody[K];
  } = {
    encrypted: true,
    additionalHeaderControl,
    additionalHeaderFrameCounter,
    header,
    ciphered,
  };
  if (plaintext !== undefined) body.plaintext = plaintext;
  if (opened?.ok === false) body.decryptFailure = opened.reason;
  return body;
}

function encodeComponent(w: Writer, c: GbzComponent): void {
  const inner = new Writer(64);
  if (c.fromDateTime !== undefined) inner.u32be(c.fromDateTime);
  const body = c.body;
  if (body.encrypted) {
    inner.u8(body.additionalHeaderControl).u8(body.additionalHeaderFrameCounter);
    encodeZclHeader(inner, body.header);
    const ci = body.ciphered;
    inner.u16be(5 + ci.ciphertext.length + ci.aeMac.length);
    inner.u8(ci.securityControl).u32be(ci.invocationCounter).bytes(ci.ciphertext).bytes(ci.aeMac);
  } else {
    encodeZclHeader(inner, body.frame.header);
    encodeZclPayload(inner, c.clusterId, body.frame.header, body.frame.payload);
  }
  const control =
    (c.lastMessage ? GbzControlBits.lastMessage : 0) |
    (body.encrypted ? GbzControlBits.encrypted : 0) |
    (c.fromDateTime !== undefined ? GbzControlBits.fromDateTime : 0) |
    (c.reservedControlBits & GbzControlBits.reservedMask);
  const bytes = inner.finish();
  if (bytes.length > 0xffff) throw new RangeError("GBZ component longer than 65535 bytes");
  w.u8(control).u16be(c.clusterId).u16be(bytes.length).bytes(bytes);
}

function decodeComponents(r: Reader, count: number, ctx: GbzMessageContext): GbzComponent[] {
  // Each component takes at least 5 bytes of extended header: refuse an impossible count up front.
  r.checkLength(count * 5, "GBZ component count");
  const components: GbzComponent[] = [];
  let i = 0;
  try {
    for (; i < count; i++) components.push(decodeComponent(r, ctx));
  } catch (error) {
    throw atSegment(error, `component[${i}]`);
  }
  return components;
}

/** Decodes a GBZ payload; `ctx` says whether it is an alert and of which layout (by message code). */
export function decodeGbz(content: Uint8Array, ctx: GbzMessageContext): GbzPayload {
  const r = new Reader(content);
  const profileId = r.u16be();
  if (profileId !== GBZ_PROFILE_ID) {
    throw new DecodeError(`GBZ Profile ID 0x${profileId.toString(16).padStart(4, "0")}, expected 0x0109`, {
      code: "unexpected",
      offset: r.absoluteOffset - 2,
    });
  }
  const count = r.u8();
  if (ctx.cra !== 3) {
    const components = decodeComponents(r, count, ctx);
    r.end("GBZ payload");
    return { family: "gbz", kind: "components", profileId, components };
  }
  let alert: GbzAlertHeader;
  try {
    alert = { alertCode: r.u16be(), timestamp: r.u32be() };
  } catch (error) {
    throw atSegment(error, "alert");
  }
  const layout = gbzAlertLayout(ctx.messageCode);
  switch (layout) {
    case "futureDatedAlert": {
      const length = r.u8();
      if (length !== FUTURE_DATED_ALERT_LENGTH)
        throw r.unexpected(`future dated alert length ${length}`, r.offset - 1);
      const messageCode = r.u16be();
      const originatorCounter = r.u64be();
      const clusterId = r.u16be();
      const fcAt = r.absoluteOffset;
      const frameControl = decodeFrameControl(r.u8(), fcAt);
      const commandId = r.u8();
      r.end("future dated alert");
      return {
        family: "gbz",
        kind: "futureDatedAlert",
        profileId,
        componentCount: count,
        alert,
        messageCode,
        originatorCounter,
        clusterId,
        frameControl,
        commandId,
      };
    }
    case "firmwareDistributionReceiptAlert": {
      const tag = r.u8();
      if (tag !== DLMS_OCTET_STRING) throw r.unexpected(`hash tag 0x${tag.toString(16)}`, r.offset - 1);
      const n = r.u8();
      r.checkLength(n, "hash length");
      const calculatedManufacturerHash = r.copy(n);
      r.end("firmware distribution receipt alert");
      return {
        family: "gbz",
        kind: "firmwareDistributionReceiptAlert",
        profileId,
        componentCount: count,
        alert,
        calculatedManufacturerHash,
      };
    }
    case "meterIntegrityIssueWarningAlert": {
      const meterIntegrityIssueWarning = r.u16be();
      r.end("meter integrity issue warning alert");
      return {
        family: "gbz",
        kind: "meterIntegrityIssueWarningAlert",
        profileId,
        componentCount: count,
        alert,
        meterIntegrityIssueWarning,
      };
    }
    case "components": {
      const components = decodeComponents(r, count, ctx);
      r.end("GBZ alert payload");
      return { family: "gbz", kind: "alert", profileId, alert, components };
    }
  }
}

export function encodeGbz(p: GbzPayload): Uint8Array {
  const w = new Writer(128);
  w.u16be(p.profileId);
  switch (p.kind) {
    case "components":
      w.u8(p.components.length);
      for (const c of p.components) encodeComponent(w, c);
      break;
    case "alert":
      w.u8(p.components.length).u16be(p.alert.alertCode).u32be(p.alert.timestamp);
      for (const c of p.components) encodeComponent(w, c);
      break;
    case "futureDatedAlert":
      w.u8(p.componentCount).u16be(p.alert.alertCode).u32be(p.alert.timestamp);
      w.u8(FUTURE_DATED_ALERT_LENGTH).u16be(p.messageCode).u64be(p.originatorCounter);
      w.u16be(p.clusterId).u8(encodeFrameControl(p.frameControl)).u8(p.commandId);
      break;
    case "firmwareDistributionReceiptAlert":
      w.u8(p.componentCount).u16be(p.alert.alertCode).u32be(p.alert.timestamp);
      w.u8(DLMS_OCTET_STRING).u8(p.calculatedManufacturerHash.length).bytes(p.calculatedManufacturerHash);
      break;
    case "meterIntegrityIssueWarningAlert":
      w.u8(p.componentCount).u16be(p.alert.alertCode).u32be(p.alert.timestamp);
      w.u16be(p.meterIntegrityIssueWarning);
      break;
  }
  return w.finish();
}

/** The ZCL frame of a plain component, or of a ciphered one once deciphered; undefined otherwise. */
export function componentFrame(c: GbzComponent): ZclFrame | undefined {
  if (!c.body.encrypted) return c.body.frame;
  return c.body.plaintext === undefined ? undefined : { header: c.body.header, payload: c.body.plaintext };
}
