/**
 * How numbers and times are written on the page. Pure functions (tested in node): a dashboard is
 * read at a glance, so figures are short, grouped and always the same width for the same magnitude.
 */

const integer = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return integer.format(n);
}

/** Compact for axis labels and tight spots: 950 → "950", 12_300 → "12.3k", 4_500_000 → "4.5M". */
export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9)}G`;
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e4) return `${trim(n / 1e3)}k`;
  if (abs < 10 && !Number.isInteger(n)) return n.toFixed(2).replace(/\.?0+$/, "");
  return integer.format(n);
}

function trim(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1).replace(/\.0$/, "");
}

/** Requests per second: two significant decimals below 10, one below 100, none above. */
export function rate(perSecond: number): string {
  if (perSecond === 0) return "0";
  if (perSecond < 10) return perSecond.toFixed(2);
  if (perSecond < 100) return perSecond.toFixed(1);
  return integer.format(Math.round(perSecond));
}

/** A latency with its unit: 0.4 → ["0.4", "ms"], 85 → ["85", "ms"], 2350 → ["2.35", "s"]. */
export function latency(ms: number | null): [value: string, unit: string] {
  if (ms === null) return ["–", ""];
  if (ms < 10) return [ms.toFixed(1).replace(/\.0$/, ""), "ms"];
  if (ms < 1000) return [Math.round(ms).toString(), "ms"];
  if (ms < 10_000) return [(ms / 1000).toFixed(2), "s"];
  if (ms < 60_000) return [(ms / 1000).toFixed(1), "s"];
  return [(ms / 60_000).toFixed(1), "min"];
}

/** A latency as one string: "85 ms". */
export function latencyText(ms: number | null): string {
  const [value, unit] = latency(ms);
  return unit === "" ? value : `${value} ${unit}`;
}

/** A share as a percentage, never "0%" for a non-zero part: "<0.1%". */
export function percent(part: number, whole: number): string {
  if (whole === 0) return "–";
  const p = (part / whole) * 100;
  if (p === 0) return "0%";
  if (p < 0.1) return "<0.1%";
  if (p < 10) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

/** Time since a start, largest two units: "3 d 4 h", "2 h 13 min", "45 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** Wall-clock time of day, 24-hour, with seconds: "14:02:09". */
export function clock(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "–";
  return date.toLocaleTimeString("en-GB", { hour12: false, ...(timeZone ? { timeZone } : {}) });
}

/**
 * Splits an SMI status written in PascalCase into words: "InstalledNotCommissioned" →
 * "Installed not commissioned".
 */
export function words(pascal: string): string {
  const spaced = pascal.replace(/([a-z])([A-Z])/g, "$1 $2");
  return spaced.charAt(0) + spaced.slice(1).toLowerCase();
}
