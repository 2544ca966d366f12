/**
 * UTRN: the 20-digit prepayment top-up code (GBCS §14). A supplier builds the 64-bit PTUT
 * (Prepayment Top-Up Token) from a value and its originator counter, authenticates it with a GMAC
 * keyed from its prepayment KA key and the meter's KA key, adds a constant to get the 19-digit PPTD
 * (Prepayment Token Decimal), and appends a check digit (GBCS §14.8, a Verhoeff variant).
 *
 * PTUT high 32 bits: 7 zero bits | counter bits 32..41 (10) | value class (2: 00 pennies, 01 pounds)
 * | value (13); low 32 bits: the last 4 bytes of the 16-byte GMAC over
 *   11 00 00 00 00 00 || originator (8) || target (8) || 01 || counter (8) || PTUT high (4)
 * keyed by the command KDF (CRA 1) between the supplier's prepayment KA key and the meter's KA key.
 */
import { gbcsIv, gmac } from "./gcm.js";
import { deriveKeyFromSecret, euiBytes } from "./kdf.js";

/** Added to the PTUT to make a 19-digit PPTD (GBCS §14.5). */
export const PPTD_BASE = 7394156990786306048n;
/** Largest value a PTUT carries (13 bits). */
export const UTRN_MAX_VALUE = 8191;

export type UtrnValueClass = "pennies" | "pounds";

export interface UtrnInput {
  /** Supplier (originator) EUI, 16 hex. */
  readonly originator: string;
  /** Meter (target) EUI, 16 hex. */
  readonly target: string;
  /** Originator counter: only bits 32..41 travel in the token; the whole counter keys the MAC. */
  readonly counter: bigint;
  /** 0..8191 in `valueClass` units. */
  readonly value: number;
  readonly valueClass: UtrnValueClass;
}

/** The upper 32 bits of the PTUT. */
export function ptutHigh(input: Pick<UtrnInput, "counter" | "value" | "valueClass">): number {
  if (!Number.isInteger(input.value) || input.value < 0 || input.value > UTRN_MAX_VALUE) {
    throw new RangeError(`UTRN value ${input.value} is outside 0..${UTRN_MAX_VALUE}`);
  }
  const counterBits = Number((input.counter >> 32n) & 0x3ffn);
  const cls = input.valueClass === "pounds" ? 1 : 0;
  return ((counterBits << 15) | (cls << 13) | input.value) >>> 0;
}

/**
 * The PTUT for `input` with the shared secret Z between the supplier's prepayment KA key and the
 * meter's KA key.
 */
export function ptut(input: UtrnInput, z: Uint8Array): bigint {
  const high = ptutHigh(input);
  const key = deriveKeyFromSecret(z, {
    cra: 1,
    counter: input.counter,
    originator: input.originator,
    recipient: input.target,
  });
  const aad = new Uint8Array(6 + 8 + 8 + 1 + 8 + 4);
  aad[0] = 0x11;
  aad.set(euiBytes(input.originator), 6);
  aad.set(euiBytes(input.target), 14);
  aad[22] = 0x01;
  const view = new DataView(aad.buffer);
  view.setBigUint64(23, input.counter, false);
  view.setUint32(31, high, false);
  const tag = gmac(key, gbcsIv(input.originator), aad, 16);
  const low = new DataView(tag.buffer, tag.byteOffset, 16).getUint32(12, false);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** The 20-digit UTRN: the PPTD and its check digit. */
export function generateUtrn(input: UtrnInput, z: Uint8Array): string {
  const pptd = (PPTD_BASE + ptut(input, z)).toString();
  return pptd + utrnCheckDigit(pptd);
}

/** GBCS Table 14.8a: permutation table (rows by position). */
const PERMUTATION: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** GBCS Table 14.8b: multiplication in the dihedral group D5. */
const MULTIPLICATION: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/** GBCS Table 14.8c: the "inverse" table of the GBCS variant (not the textbook Verhoeff one). */
const INVERSE: readonly number[] = [1, 2, 6, 7, 5, 8, 3, 0, 9, 4];

/**
 * The GBCS check digit of a digit string (GBCS §14.8): digits are taken left to right, the first
 * with permutation row 4, then 5, 6, … modulo 8.
 */
export function utrnCheckDigit(digits: string): string {
  let c = 0;
  let row = 4;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new RangeError("a UTRN is decimal digits only");
    c = MULTIPLICATION[c]![PERMUTATION[row]![d]!]!;
    row = (row + 1) & 7;
  }
  return String(INVERSE[c]);
}

/** What a UTRN carries, read back without keys. */
export interface ParsedUtrn {
  readonly ptut: bigint;
  /** Bits 32..41 of the originator counter. */
  readonly counterBits: number;
  readonly valueClass: UtrnValueClass | "reserved";
  readonly value: number;
  /** The low 32 bits: the truncated GMAC. */
  readonly mac: number;
}

/**
 * Checks the form and check digit of a UTRN and reads its fields; undefined when it is not 20
 * digits, the check digit is wrong, or it is not in the PPTD range.
 */
export function parseUtrn(utrn: string): ParsedUtrn | undefined {
  if (utrn.length !== 20) return undefined;
  for (let i = 0; i < 20; i++) {
    const c = utrn.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const pptd = utrn.slice(0, 19);
  if (utrnCheckDigit(pptd) !== utrn[19]) return undefined;
  const token = BigInt(pptd) - PPTD_BASE;
  if (token < 0n || token > 0xffff_ffff_ffff_ffffn) return undefined;
  const high = Number(token >> 32n);
  if (high >>> 25 !== 0) return undefined;
  const cls = (high >>> 13) & 3;
  return {
    ptut: token,
    counterBits: (high >>> 15) & 0x3ff,
    valueClass: cls === 0 ? "pennies" : cls === 1 ? "pounds" : "reserved",
    value: high & 0x1fff,
    mac: Number(token & 0xffff_ffffn),
  };
}

/** Whether `utrn` is the one `input` and Z give (form, check digit and MAC). */
export function verifyUtrn(utrn: string, input: UtrnInput, z: Uint8Array): boolean {
  return parseUtrn(utrn) !== undefined && generateUtrn(input, z) === utrn;
}
