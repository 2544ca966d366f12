/**
 * Chart geometry, pure (tested in node): grouping response codes, stacking series, choosing a round
 * axis maximum, and turning numbers into SVG path data. The components only place the results.
 */
import type { CodeSeriesJson } from "../../src/server/dashboard-api.js";
import { type CodeClass, codeClass } from "./codes.js";

export interface Layer {
  /** A response code, or "other" for the codes folded together. */
  readonly code: string;
  readonly counts: readonly number[];
}

/**
 * Keeps the `max - 1` busiest codes and folds the rest into "other" (only when there are more than
 * `max`), so the legend stays short however many E-codes a bad afternoon produces.
 */
export function topCodes(series: readonly CodeSeriesJson[], max: number): Layer[] {
  if (series.length <= max) return series.map((s) => ({ code: s.code, counts: s.counts }));
  const totals = series.map((s) => ({ s, total: s.counts.reduce((a, b) => a + b, 0) }));
  totals.sort((a, b) => b.total - a.total || a.s.code.localeCompare(b.s.code));
  const kept = totals.slice(0, max - 1).map(({ s }) => ({ code: s.code, counts: s.counts }));
  const rest = totals.slice(max - 1);
  const length = Math.max(...rest.map(({ s }) => s.counts.length));
  const other = new Array<number>(length).fill(0);
  for (const { s } of rest) {
    s.counts.forEach((c, i) => {
      other[i] = (other[i] ?? 0) + c;
    });
  }
  return [...kept, { code: "other", counts: other }];
}

/**
 * A colour per layer, by the code's class (see codes.ts): the first code of a class gets the class's
 * colour, later ones of the same class lighter shades of it, so E2 and E21 never share a red. CSS
 * variables, so dark mode restyles them.
 */
export function layerColours(codes: readonly string[]): string[] {
  const seen = new Map<CodeClass, number>();
  return codes.map((code): string => {
    const cls = codeClass(code);
    const n = seen.get(cls) ?? 0;
    seen.set(cls, n + 1);
    const base = `var(--c-${cls})`;
    return n === 0 ? base : `color-mix(in srgb, ${base} ${Math.max(35, 100 - n * 22)}%, var(--tile))`;
  });
}

/** Upper and lower edges of each layer when stacked in order (first layer at the bottom). */
export function stack(layers: readonly (readonly number[])[]): { lower: number[]; upper: number[] }[] {
  const length = Math.max(0, ...layers.map((l) => l.length));
  let base = new Array<number>(length).fill(0);
  return layers.map((layer) => {
    const lower = base;
    const upper = lower.map((b, i) => b + (layer[i] ?? 0));
    base = upper;
    return { lower, upper };
  });
}

/** The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `n` (at least `floor`): a round axis maximum. */
export function niceCeil(n: number, floor = 1): number {
  const target = Math.max(n, floor);
  const magnitude = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= target - 1e-9) return step * magnitude;
  }
  return 10 * magnitude;
}

function round(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}

/**
 * SVG path data for the band between `lower` and `upper`, drawn as steps (each bucket flat across its
 * width: a count per bucket is not a continuous curve), in a `width × height` box with `yMax` at the top.
 */
export function bandPath(
  lower: readonly number[],
  upper: readonly number[],
  width: number,
  height: number,
  yMax: number,
): string {
  const n = upper.length;
  if (n === 0 || yMax <= 0) return "";
  const x = (i: number): string => round((i / n) * width);
  const y = (v: number): string => round(height - (Math.min(v, yMax) / yMax) * height);
  const parts: string[] = [`M${x(0)},${y(upper[0] ?? 0)}`];
  for (let i = 0; i < n; i++) {
    parts.push(`H${x(i + 1)}`);
    if (i + 1 < n) parts.push(`V${y(upper[i + 1] ?? 0)}`);
  }
  parts.push(`V${y(lower[n - 1] ?? 0)}`);
  for (let i = n - 1; i >= 0; i--) {
    parts.push(`H${x(i)}`);
    if (i > 0) parts.push(`V${y(lower[i - 1] ?? 0)}`);
  }
  parts.push("Z");
  return parts.join("");
}

/**
 * The top edge (the same steps), to stroke over the band, drawn only across the buckets where
 * `counts` (the layer's own) is above zero: a layer that is empty in a bucket has its upper edge on
 * the layers below, and stroking it there would outline them in its colour.
 */
export function edgePath(
  upper: readonly number[],
  width: number,
  height: number,
  yMax: number,
  counts: readonly number[] = upper,
): string {
  const n = upper.length;
  if (n === 0 || yMax <= 0) return "";
  const x = (i: number): string => round((i / n) * width);
  const y = (v: number): string => round(height - (Math.min(v, yMax) / yMax) * height);
  const parts: string[] = [];
  let drawing = false;
  for (let i = 0; i < n; i++) {
    if (!((counts[i] ?? 0) > 0)) {
      drawing = false;
      continue;
    }
    parts.push(drawing ? `V${y(upper[i] ?? 0)}H${x(i + 1)}` : `M${x(i)},${y(upper[i] ?? 0)}H${x(i + 1)}`);
    drawing = true;
  }
  return parts.join("");
}
