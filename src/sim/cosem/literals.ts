/**
 * Short constructors of DLMS Data, so that the generated object table (`esme-objects.ts`) reads as
 * values: `st(u16(0), os("0000"))` rather than nested object literals.
 */
import type { CosemDateTime, DlmsData, TypeDescription } from "../../gbcs/dlms/index.js";

type NumberType =
  | "integer"
  | "long"
  | "double-long"
  | "unsigned"
  | "long-unsigned"
  | "double-long-unsigned"
  | "enum"
  | "bcd";

export const num = (type: NumberType, value: number): DlmsData => ({ type, value });
export const big = (type: "long64" | "long64-unsigned", value: bigint): DlmsData => ({ type, value });
export const bool = (value: boolean): DlmsData => ({ type: "boolean", value });
export const nul: DlmsData = { type: "null-data" };
export const os = (hex: string): DlmsData => ({
  type: "octet-string",
  value: Uint8Array.from(Buffer.from(hex, "hex")),
});
export const vs = (value: string): DlmsData => ({ type: "visible-string", value });
export const utf8 = (value: string): DlmsData => ({ type: "utf8-string", value });
export const bits = (bitLength: number): DlmsData => ({
  type: "bit-string",
  bitLength,
  bits: new Uint8Array(Math.ceil(bitLength / 8)),
});
export const float = (type: "float32" | "float64", value: number): DlmsData => ({ type, value });
export const st = (...elements: DlmsData[]): DlmsData => ({ type: "structure", elements });
export const ar = (...elements: DlmsData[]): DlmsData => ({ type: "array", elements });
export const ca = (contentsDescription: TypeDescription, ...elements: DlmsData[]): DlmsData => ({
  type: "compact-array",
  contentsDescription,
  elements,
});
const DATE_TIME: CosemDateTime = {
  year: 2020,
  month: 1,
  dayOfMonth: 1,
  dayOfWeek: 3,
  hour: 0,
  minute: 0,
  second: 0,
  hundredths: 0,
  deviation: 0,
  clockStatus: 0,
};
export const dateTime: DlmsData = { type: "date-time", value: DATE_TIME };
export const date: DlmsData = { type: "date", value: { year: 2020, month: 1, dayOfMonth: 1, dayOfWeek: 3 } };
export const time: DlmsData = { type: "time", value: { hour: 0, minute: 0, second: 0, hundredths: 0 } };
export const dontCare: DlmsData = { type: "dont-care" };
