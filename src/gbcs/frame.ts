/**
 * The GBCS message frame (GBCS §7.2): an optional MAC Header (DLMS General Ciphering, §7.2.5), the
 * General Signing Grouping Header (§7.2.7), the use-case payload ("content"), an optional signature
 * and, after a MAC Header, the 12-byte GMAC.
 *
 * ```
 * DD 00 00 00 00 00 00          General Ciphering: tag, empty transaction-id, system titles,
 *                               date-time, other-information, no key-info
 * <DER length>                  ciphered-service length: security header + body + MAC
 * 11 00 00 00 00                security header: security control 0x11 (authentication only,
 *                               suite 1) and an invocation counter of zero
 * DF                            General Signing tag                    ─┐ body
 * 09 <CRA flag> <counter:8>     transaction-id                          │  ─┐ signed data
 * 08 <originator:8>             originator system title                 │   │ (from the byte
 * 08 <recipient:8>              recipient system title                  │   │  after DF)
 * 00 | 0C <COSEM date-time:12>  date-time                               │   │
 * <DER len> <code:2> [supp.]    other-information: message code (+ supplementary fields)
 * <DER len> <content>           the payload                             │  ─┘
 * [<DER len> <signature>]       ECDSA raw r||s, length 0 when unsigned  │
 *                               (absent in an unsigned pre-command)    ─┘
 * [<MAC:12>]                    AES-GCM tag, only after a MAC Header
 * ```
 *
 * Decoding keeps the offsets of the received bytes (`received`) so that signatures and MACs are
 * checked over exactly the bytes that arrived, never over a re-encoding.
 *
 * Length fields are DER definite lengths in their shortest form; a longer form is refused so that
 * `encodeFrame(decodeFrame(x))` is always `x`.
 */
import { Reader, Writer } from "./cursor.js";
import { DecodeError } from "./errors.js";

/** GBCS §7.2.7 CRA flag: what kind of message the transaction-id belongs to. */
export const CraFlag = {
  command: 1,
  response: 2,
  alert: 3,
} as const;
export type Cra = 1 | 2 | 3;

/** Tag of the DLMS general-ciphering APDU that GBCS uses as its MAC Header. */
export const GENERAL_CIPHERING_TAG = 0xdd;
/** Tag of the DLMS general-signing APDU that GBCS uses as its Grouping Header. */
export const GENERAL_SIGNING_TAG = 0xdf;
/** Security control byte of the MAC Header: authentication only, security suite 1. */
export const MAC_SECURITY_CONTROL = 0x11;
/** Length of the truncated GMAC tag that ends a MAC-protected message. */
export const MAC_LENGTH = 12;
/** Length of a COSEM date-time (Blue Book 4.1.6.1), the only non-empty date-time GBCS allows. */
export const COSEM_DATE_TIME_LENGTH = 12;
/** Length of an ECDSA P-256 signature as GBCS carries it: raw r||s. */
export const SIGNATURE_LENGTH = 64;

/**
 * Supplementary fields of other-information (GBCS §7.2.7, Table 7.2.7 notes): present for
 * messages that involve a third party, e.g. a supplier's key on a prepayment or change-of-supplier
 * command, or a response that the device encrypts for another party than the recipient.
 * other-information is the 2-byte message code followed by, in order:
 * remotePartyId (8) → remotePartyCounter (8) → originatorCounter (8) or a remote party
 * key-agreement certificate (DER, rest of the field).
 */
export interface SupplementaryInfo {
  /** Supplementary Remote Party ID (16 uppercase hex). */
  readonly remotePartyId: string;
  /** Supplementary Remote Party Counter. */
  readonly remotePartyCounter?: bigint;
  /** Supplementary Originator Counter (used instead of the originator counter to derive encryption keys). */
  readonly originatorCounter?: bigint;
  /** Supplementary Remote Party Key Agreement Certificate (DER X.509), after remotePartyCounter. */
  readonly remotePartyCertificate?: Uint8Array;
}

/** Offsets of a decoded frame in the bytes that were received (see `received` on GbcsFrame). */
export interface ReceivedSpans {
  /** The whole received message (a view; the caller keeps it unchanged while the frame is used). */
  readonly bytes: Uint8Array;
  /** Offset of the General Signing tag DF. */
  readonly bodyStart: number;
  /** Offset just after the content: the signed data is bytes[bodyStart + 1, contentEnd). */
  readonly contentEnd: number;
  /** Offset just after the signature field: the MAC covers bytes[bodyStart, bodyEnd). */
  readonly bodyEnd: number;
  /**
   * The field values that were decoded, to tell a decoded frame from an edited copy of it (a spread
   * with a new counter or content keeps `received`): see `receivedLayout`.
   */
  readonly fields: Omit<GbcsFrame, "received">;
}

/**
 * A GBCS message as an immutable value. Build one with fields only (`received` absent) to encode
 * it; decoding fills `received` as well.
 */
export interface GbcsFrame {
  /** CRA flag: 1 command, 2 response, 3 alert. */
  readonly cra: Cra;
  /** Originator counter: the transaction id, strictly increasing per originator (anti-replay). */
  readonly counter: bigint;
  /** Originator system title: the EUI-64 of the sender of the message, 16 uppercase hex. */
  readonly originator: string;
  /** Recipient system title, 16 uppercase hex. */
  readonly recipient: string;
  /** The raw 12-byte COSEM date-time, or null when absent (encoded 0x00). See `cosemDateTime`. */
  readonly dateTime: Uint8Array | null;
  /** GBCS message code (Table 13.3.5.1 / the use case's template). */
  readonly messageCode: number;
  /** Supplementary other-information fields, when the message has them. */
  readonly supplementary?: SupplementaryInfo;
  /** The use-case payload, as received (DLMS, GBZ, ASN.1 or another format; see payload.ts). */
  readonly content: Uint8Array;
  /**
   * The signature field: undefined when the field is not there at all (an unsigned pre-command as
   * the DCC returns it for signing); an empty array for a signature length of 0 (not signed); else
   * the raw r||s ECDSA P-256 signature over the signed data.
   */
  readonly signature?: Uint8Array;
  /** The 12-byte GMAC; present exactly when the message has a MAC Header. */
  readonly mac?: Uint8Array;
  /** Where the frame was found in the received bytes; absent on frames built in code. */
  readonly received?: ReceivedSpans;
}

/** Positions of the parts of an encoded frame, shared by encode and the crypto functions. */
export interface FrameLayout {
  readonly bytes: Uint8Array;
  readonly bodyStart: number;
  readonly contentEnd: number;
  readonly bodyEnd: number;
}

const EUI_LENGTH = 8;
const TRANSACTION_ID_LENGTH = 9;

/** Character codes of the uppercase hex digits. */
const HEX_DIGITS: readonly number[] = Array.from("0123456789ABCDEF", (c) => c.charCodeAt(0));

/**
 * 16 uppercase hex digits of the 8 bytes at `at` (the caller has checked they are there): one flat
 * string, made at once (no Buffer round trip, no string of concatenations to flatten on lookup).
 */
function euiAt(b: Uint8Array, at: number): string {
  const h = HEX_DIGITS;
  const b0 = b[at]!;
  const b1 = b[at + 1]!;
  const b2 = b[at + 2]!;
  const b3 = b[at + 3]!;
  const b4 = b[at + 4]!;
  const b5 = b[at + 5]!;
  const b6 = b[at + 6]!;
  const b7 = b[at + 7]!;
  return String.fromCharCode(
    h[b0 >> 4]!,
    h[b0 & 15]!,
    h[b1 >> 4]!,
    h[b1 & 15]!,
    h[b2 >> 4]!,
    h[b2 & 15]!,
    h[b3 >> 4]!,
    h[b3 & 15]!,
    h[b4 >> 4]!,
    h[b4 & 15]!,
    h[b5 >> 4]!,
    h[b5 & 15]!,
    h[b6 >> 4]!,
    h[b6 & 15]!,
    h[b7 >> 4]!,
    h[b7 & 15]!,
  );
}

/** A DER length read strictly: the shortest form only, so that re-encoding gives the same bytes. */
function strictDerLength(r: Reader, what: string): number {
  if (r.peekU8() < 0x80) return r.u8();
  const at = r.offset;
  const n = r.derLength();
  if (r.offset - at !== derLengthSize(n)) {
    throw r.unexpected(`${what} is not in the shortest DER form`, at);
  }
  return n;
}

/** Bytes a DER definite length takes in its shortest form. */
export function derLengthSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x100) return 2;
  if (n < 0x10000) return 3;
  if (n < 0x1000000) return 4;
  return 5;
}

function readEui(r: Reader, bytes: Uint8Array, base: number, what: string): string {
  const len = r.u8();
  if (len !== EUI_LENGTH) throw r.unexpected(`${what} length ${len}, expected 8`, r.offset - 1);
  r.need(EUI_LENGTH);
  const eui = euiAt(bytes, base + r.offset);
  r.skip(EUI_LENGTH);
  return eui;
}

/** Reads the supplementary fields of other-information: `n` bytes after the message code. */
function readSupplementary(r: Reader, bytes: Uint8Array, base: number, n: number): SupplementaryInfo {
  if (n !== 8 && n !== 16 && n < 24) {
    throw r.unexpected(`supplementary other-information of ${n} bytes`);
  }
  r.need(n);
  const remotePartyId = euiAt(bytes, base + r.offset);
  r.skip(EUI_LENGTH);
  if (n === 8) return { remotePartyId };
  const remotePartyCounter = r.u64be();
  if (n === 16) return { remotePartyId, remotePartyCounter };
  if (n === 24) return { remotePartyId, remotePartyCounter, originatorCounter: r.u64be() };
  return { remotePartyId, remotePartyCounter, remotePartyCertificate: r.bytes(n - 16) };
}

function supplementarySize(s: SupplementaryInfo | undefined): number {
  if (s === undefined) return 0;
  if (s.remotePartyCounter === undefined) return 8;
  if (s.originatorCounter !== undefined) return 24;
  if (s.remotePartyCertificate !== undefined) return 16 + s.remotePartyCertificate.length;
  return 16;
}

/** Where decoding is, so that an error gets its path without a closure per field. */
type Stage = "" | "originator" | "recipient" | "supplementary" | "macHeader";

/**
 * Decodes the body, from the General Signing tag to the end of `r` (signature field included);
 * `bytes[base]` is `r`'s first byte. `mac` and `bodyStart` complete the frame.
 */
function decodeBody(
  r: Reader,
  bytes: Uint8Array,
  base: number,
  mac: Uint8Array | undefined,
  stage: { at: Stage },
): GbcsFrame {
  const tag = r.u8();
  if (tag !== GENERAL_SIGNING_TAG) {
    throw r.unexpected(
      `tag 0x${tag.toString(16).padStart(2, "0")}, expected General Signing 0xDF`,
      r.offset - 1,
    );
  }
  const txLength = r.u8();
  if (txLength !== TRANSACTION_ID_LENGTH) {
    throw r.unexpected(`transaction-id length ${txLength}, expected 9`, r.offset - 1);
  }
  const cra = r.u8();
  if (cra !== 1 && cra !== 2 && cra !== 3) throw r.unexpected(`CRA flag ${cra}`, r.offset - 1);
  const counter = r.u64be();
  stage.at = "originator";
  const originator = readEui(r, bytes, base, "originator system title");
  stage.at = "recipient";
  const recipient = readEui(r, bytes, base, "recipient system title");
  stage.at = "";
  const dtLength = r.u8();
  let dateTime: Uint8Array | null = null;
  if (dtLength === COSEM_DATE_TIME_LENGTH) dateTime = r.bytes(COSEM_DATE_TIME_LENGTH);
  else if (dtLength !== 0) throw r.unexpected(`date-time length ${dtLength}, expected 0 or 12`, r.offset - 1);
  const otherLength = strictDerLength(r, "other-information length");
  if (otherLength < 2) throw r.unexpected(`other-information length ${otherLength}, expected at least 2`);
  r.checkLength(otherLength, "other-information length");
  const messageCode = r.u16be();
  let supplementary: SupplementaryInfo | undefined;
  if (otherLength > 2) {
    stage.at = "supplementary";
    supplementary = readSupplementary(r, bytes, base, otherLength - 2);
    stage.at = "";
  }
  const contentLength = strictDerLength(r, "content length");
  r.checkLength(contentLength, "content length");
  const content = r.bytes(contentLength);
  const contentEnd = base + r.offset;
  let signature: Uint8Array | undefined;
  if (!r.done) {
    const sigLength = strictDerLength(r, "signature length");
    r.checkLength(sigLength, "signature length");
    signature = r.bytes(sigLength);
    r.end("signature");
  }
  // one object literal per shape keeps decoding monomorphic enough and avoids spreads
  const fields: {
    cra: Cra;
    counter: bigint;
    originator: string;
    recipient: string;
    dateTime: Uint8Array | null;
    messageCode: number;
    supplementary?: SupplementaryInfo;
    content: Uint8Array;
    signature?: Uint8Array;
    mac?: Uint8Array;
  } = { cra, counter, originator, recipient, dateTime, messageCode, content };
  if (supplementary !== undefined) fields.supplementary = supplementary;
  if (signature !== undefined) fields.signature = signature;
  if (mac !== undefined) fields.mac = mac;
  const received: ReceivedSpans = {
    bytes,
    bodyStart: base,
    contentEnd,
    bodyEnd: base + r.offset,
    fields,
  };
  const frame: {
    cra: Cra;
    counter: bigint;
    originator: string;
    recipient: string;
    dateTime: Uint8Array | null;
    messageCode: number;
    supplementary?: SupplementaryInfo;
    content: Uint8Array;
    signature?: Uint8Array;
    mac?: Uint8Array;
    received: ReceivedSpans;
  } = { cra, counter, originator, recipient, dateTime, messageCode, content, received };
  if (supplementary !== undefined) frame.supplementary = supplementary;
  if (signature !== undefined) frame.signature = signature;
  if (mac !== undefined) frame.mac = mac;
  return frame;
}

/**
 * Decodes a GBCS message. Throws only DecodeError. The returned frame holds views into `bytes`
 * (no copies): keep `bytes` unchanged while the frame is in use.
 */
export function decodeFrame(bytes: Uint8Array): GbcsFrame {
  const stage: { at: Stage } = { at: "" };
  try {
    if (bytes.length === 0 || bytes[0] !== GENERAL_CIPHERING_TAG) {
      return decodeBody(new Reader(bytes), bytes, 0, undefined, stage);
    }
    stage.at = "macHeader";
    const r = new Reader(bytes);
    r.need(7);
    for (let i = 1; i < 7; i++) {
      if (bytes[i] !== 0) throw r.unexpected("General Ciphering header fields must be empty in GBCS", i);
    }
    r.skip(7);
    const length = strictDerLength(r, "ciphered-service length");
    r.checkLength(length, "ciphered-service length");
    if (length < 5 + MAC_LENGTH) throw r.unexpected(`ciphered-service length ${length} is too short`);
    if (r.remaining !== length) {
      throw new DecodeError(`${r.remaining - length} bytes left after the MAC`, {
        code: "trailing",
        offset: r.offset + length,
        available: r.remaining - length,
      });
    }
    const sc = r.u8();
    if (sc !== MAC_SECURITY_CONTROL) {
      throw r.unexpected(`security control 0x${sc.toString(16)}, expected 0x11`, r.offset - 1);
    }
    if (r.u32be() !== 0) throw r.unexpected("invocation counter must be zero", r.offset - 4);
    const bodyStart = r.offset;
    const bodyEnd = bytes.length - MAC_LENGTH;
    const mac = bytes.subarray(bodyEnd);
    stage.at = "";
    const frame = decodeBody(
      new Reader(bytes.subarray(bodyStart, bodyEnd), bodyStart),
      bytes,
      bodyStart,
      mac,
      stage,
    );
    if (frame.signature === undefined) {
      throw new DecodeError("a MAC-protected message must have a signature field", {
        code: "truncated",
        offset: bodyEnd,
      });
    }
    return frame;
  } catch (error) {
    if (error instanceof DecodeError && stage.at !== "") throw error.withPath(stage.at);
    throw error;
  }
}

/** Size of the body (DF .. signature field) of `frame`. */
function bodySize(frame: GbcsFrame): { size: number; otherLength: number; contentEndInBody: number } {
  const otherLength = 2 + supplementarySize(frame.supplementary);
  const content = frame.content.length;
  const head =
    1 + 1 + TRANSACTION_ID_LENGTH + 1 + EUI_LENGTH + 1 + EUI_LENGTH + 1 + (frame.dateTime === null ? 0 : 12);
  const contentEndInBody = head + derLengthSize(otherLength) + otherLength + derLengthSize(content) + content;
  const sig =
    frame.signature === undefined ? 0 : derLengthSize(frame.signature.length) + frame.signature.length;
  return { size: contentEndInBody + sig, otherLength, contentEndInBody };
}

function checkEui(value: string, what: string): Uint8Array {
  if (value.length !== 16) throw new RangeError(`${what} must be 16 hex digits, got '${value}'`);
  const b = Buffer.from(value, "hex");
  if (b.length !== 8) throw new RangeError(`${what} must be 16 hex digits, got '${value}'`);
  return b;
}

function writeBody(w: Writer, frame: GbcsFrame, otherLength: number): void {
  if (frame.cra !== 1 && frame.cra !== 2 && frame.cra !== 3) throw new RangeError(`CRA flag ${frame.cra}`);
  if (frame.counter < 0n || frame.counter > 0xffff_ffff_ffff_ffffn)
    throw new RangeError("counter is not a uint64");
  if (frame.dateTime !== null && frame.dateTime.length !== COSEM_DATE_TIME_LENGTH) {
    throw new RangeError("dateTime must be 12 bytes or null");
  }
  if (!Number.isInteger(frame.messageCode) || frame.messageCode < 0 || frame.messageCode > 0xffff) {
    throw new RangeError(`message code ${frame.messageCode}`);
  }
  w.u8(GENERAL_SIGNING_TAG).u8(TRANSACTION_ID_LENGTH).u8(frame.cra).u64be(frame.counter);
  w.u8(EUI_LENGTH).bytes(checkEui(frame.originator, "originator"));
  w.u8(EUI_LENGTH).bytes(checkEui(frame.recipient, "recipient"));
  if (frame.dateTime === null) w.u8(0);
  else w.u8(COSEM_DATE_TIME_LENGTH).bytes(frame.dateTime);
  w.derLength(otherLength).u16be(frame.messageCode);
  const s = frame.supplementary;
  if (s !== undefined) {
    w.bytes(checkEui(s.remotePartyId, "supplementary.remotePartyId"));
    if (s.remotePartyCounter !== undefined) {
      w.u64be(s.remotePartyCounter);
      if (s.originatorCounter !== undefined) w.u64be(s.originatorCounter);
      else if (s.remotePartyCertificate !== undefined) {
        if (s.remotePartyCertificate.length === 8) {
          throw new RangeError("an 8-byte certificate would read back as an originator counter");
        }
        w.bytes(s.remotePartyCertificate);
      }
    } else if (s.originatorCounter !== undefined || s.remotePartyCertificate !== undefined) {
      throw new RangeError("supplementary fields need remotePartyCounter before the later ones");
    }
  }
  w.derLength(frame.content.length).bytes(frame.content);
  if (frame.signature !== undefined) w.derLength(frame.signature.length).bytes(frame.signature);
}

/** Bytes of the MAC Header for a body of `bodyLength` bytes. */
function macHeaderSize(bodyLength: number): number {
  const ciphered = 5 + bodyLength + MAC_LENGTH;
  return 7 + derLengthSize(ciphered) + 5;
}

/**
 * Encodes `frame` and says where its parts are. With `mac` set on the frame, the MAC Header and the
 * MAC are written; `macPlaceholder` writes the header and 12 zero bytes instead (for computing it).
 */
export function layoutFrame(frame: GbcsFrame, options: { macPlaceholder?: boolean } = {}): FrameLayout {
  const withMac = frame.mac !== undefined || options.macPlaceholder === true;
  if (frame.mac !== undefined && frame.mac.length !== MAC_LENGTH)
    throw new RangeError("mac must be 12 bytes");
  if (withMac && frame.signature === undefined) {
    throw new RangeError(
      "a MAC-protected message needs a signature field (an empty signature when unsigned)",
    );
  }
  const { size, otherLength, contentEndInBody } = bodySize(frame);
  const header = withMac ? macHeaderSize(size) : 0;
  const total = header + size + (withMac ? MAC_LENGTH : 0);
  const w = new Writer(total);
  if (withMac) {
    w.u8(GENERAL_CIPHERING_TAG).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0);
    w.derLength(5 + size + MAC_LENGTH);
    w.u8(MAC_SECURITY_CONTROL).u32be(0);
  }
  writeBody(w, frame, otherLength);
  if (withMac) w.bytes(frame.mac ?? new Uint8Array(MAC_LENGTH));
  return {
    bytes: w.finish(),
    bodyStart: header,
    contentEnd: header + contentEndInBody,
    bodyEnd: header + size,
  };
}

/** Encodes a frame to its wire bytes. Throws RangeError for a field the wire format cannot carry. */
export function encodeFrame(frame: GbcsFrame): Uint8Array {
  return layoutFrame(frame).bytes;
}

/**
 * The spans of `frame` to sign or MAC: the received bytes when `frame` was decoded and not edited
 * since (its content and signature are the decoded views), else a fresh encoding.
 */
export function frameLayout(frame: GbcsFrame): FrameLayout {
  return receivedLayout(frame) ?? layoutFrame(frame, { macPlaceholder: frame.mac !== undefined });
}

/**
 * The received spans of `frame` when every field is still the one decoded (values, or the same
 * byte views), else undefined: an edited copy must be re-encoded before it is signed or MACed.
 */
export function receivedLayout(frame: Partial<GbcsFrame>): ReceivedSpans | undefined {
  const rx = frame.received;
  if (rx === undefined) return undefined;
  const f = rx.fields;
  return f.content === frame.content &&
    f.signature === frame.signature &&
    f.counter === frame.counter &&
    f.cra === frame.cra &&
    f.originator === frame.originator &&
    f.recipient === frame.recipient &&
    f.messageCode === frame.messageCode &&
    f.dateTime === frame.dateTime &&
    f.supplementary === frame.supplementary
    ? rx
    : undefined;
}

/** A copy of `frame` without its received spans (for building a new message from a decoded one). */
export function withoutReceived(frame: GbcsFrame): GbcsFrame {
  const { received: _received, ...rest } = frame;
  return rest;
}

/**
 * A COSEM date-time (Blue Book 4.1.6.1) as a Date, or null when it does not name an instant
 * (unspecified year/month/day/time fields). A deviation of 0x8000 (unspecified) is read as UTC, as
 * GBCS devices keep UTC.
 */
export function cosemDateTime(raw: Uint8Array | null): Date | null {
  if (raw === null || raw.length !== COSEM_DATE_TIME_LENGTH) return null;
  const year = (raw[0]! << 8) | raw[1]!;
  const month = raw[2]!;
  const day = raw[3]!;
  const hour = raw[5]!;
  const minute = raw[6]!;
  const second = raw[7]!;
  const hundredths = raw[8]!;
  if (year === 0xffff || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const deviationRaw = (raw[9]! << 8) | raw[10]!;
  const deviation =
    deviationRaw === 0x8000 ? 0 : deviationRaw >= 0x8000 ? deviationRaw - 0x10000 : deviationRaw;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, hundredths === 0xff ? 0 : hundredths * 10);
  // Blue Book: deviation is minutes from local time to UTC, so UTC = local + deviation.
  return new Date(ms + deviation * 60_000);
}

/** The 12-byte COSEM date-time for an instant, in UTC (deviation 0, clock status 0x00). */
export function toCosemDateTime(date: Date): Uint8Array {
  const out = new Uint8Array(COSEM_DATE_TIME_LENGTH);
  const year = date.getUTCFullYear();
  out[0] = year >> 8;
  out[1] = year & 0xff;
  out[2] = date.getUTCMonth() + 1;
  out[3] = date.getUTCDate();
  const dow = date.getUTCDay();
  out[4] = dow === 0 ? 7 : dow;
  out[5] = date.getUTCHours();
  out[6] = date.getUTCMinutes();
  out[7] = date.getUTCSeconds();
  out[8] = Math.floor(date.getUTCMilliseconds() / 10);
  out[9] = 0;
  out[10] = 0;
  out[11] = 0;
  return out;
}
