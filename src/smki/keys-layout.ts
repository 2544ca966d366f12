/** Names in the RTDS key folder layout: key usages and EUI spelling. */

/** Key usages of the RTDS layout: digital signing, key agreement, prepayment key agreement. */
export const keyUsages = ["ds", "ka", "pp-ka"] as const;
export type KeyUsage = (typeof keyUsages)[number];

/**
 * An EUI-64 as 16 uppercase hex digits; accepts either case and `-`, `:` or space separators
 * (DUIS writes `XX-XX-…`). Throws RangeError for anything else.
 */
export function normaliseEui(eui: string): string {
  if (eui.length === 16) {
    let plain = true;
    for (let i = 0; i < 16 && plain; i++) plain = isHexCode(eui.charCodeAt(i));
    if (plain) return eui.toUpperCase();
  }
  let out = "";
  for (let i = 0; i < eui.length; i++) {
    const c = eui.charCodeAt(i);
    if (c === 45 || c === 58 || c === 32) continue;
    if (!isHexCode(c)) throw new RangeError(`not an EUI-64: '${eui}'`);
    out += eui[i]!;
  }
  if (out.length !== 16) throw new RangeError(`not an EUI-64: '${eui}'`);
  return out.toUpperCase();
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
