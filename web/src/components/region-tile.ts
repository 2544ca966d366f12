import type { CountJson } from "../../../src/server/dashboard-api.js";
import { attr, type Ids, s, text } from "../dom.js";
import { count, percent } from "../format.js";
import { Tile } from "./tile.js";

const ROW_HEIGHT = 30;

interface Row {
  readonly group: SVGGElement;
  readonly label: SVGTextElement;
  readonly value: SVGTextElement;
  readonly bar: SVGRectElement;
}

/**
 * Devices per CSP region as horizontal bars in one SVG. Positions are in percentages of the width, so
 * the chart fills any tile width without scaling its text; the height follows the number of regions.
 */
export class RegionTile {
  readonly tile: Tile;
  readonly #svg: SVGSVGElement;
  readonly #rows = new Map<string, Row>();

  constructor(ids: Ids) {
    this.tile = new Tile(ids, "Devices by CSP region", "tile-region");
    this.#svg = s("svg", { class: "bars", role: "img", "aria-label": "No devices", height: ROW_HEIGHT * 3 });
    this.tile.body.append(this.#svg);
  }

  update(byRegion: readonly CountJson[]): void {
    const max = Math.max(1, ...byRegion.map((r) => r.count));
    const total = byRegion.reduce((sum, r) => sum + r.count, 0);
    text(this.tile.aside, `${byRegion.length} regions`);
    const seen = new Set<string>();
    byRegion.forEach(({ key, count: n }, i) => {
      seen.add(key);
      const row = this.#row(key);
      attr(row.group, { transform: `translate(0 ${i * ROW_HEIGHT})` });
      text(row.value, `${count(n)}  ·  ${percent(n, total)}`);
      attr(row.bar, { width: `${(n / max) * 100}%` });
    });
    for (const [key, row] of this.#rows) {
      if (!seen.has(key)) {
        row.group.remove();
        this.#rows.delete(key);
      }
    }
    attr(this.#svg, {
      height: Math.max(1, byRegion.length) * ROW_HEIGHT,
      "aria-label":
        byRegion.length === 0 ? "No devices" : byRegion.map((r) => `${r.key}: ${count(r.count)}`).join(", "),
    });
  }

  #row(key: string): Row {
    const existing = this.#rows.get(key);
    if (existing) return existing;
    const label = s("text", { x: 0, y: 11, class: "bar-label" }, key);
    const value = s("text", { x: "100%", y: 11, class: "bar-value num", "text-anchor": "end" });
    const track = s("rect", { x: 0, y: 16, width: "100%", height: 8, rx: 2, class: "bar-track" });
    const bar = s("rect", { x: 0, y: 16, width: 0, height: 8, rx: 2, class: "bar-fill" });
    const group = s("g", {}, label, value, track, bar);
    this.#svg.append(group);
    const row = { group, label, value, bar };
    this.#rows.set(key, row);
    return row;
  }
}
