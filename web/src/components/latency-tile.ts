import type { LatencyJson } from "../../../src/server/dashboard-api.js";
import { h, type Ids, text } from "../dom.js";
import { count, latency } from "../format.js";
import { Tile } from "./tile.js";

interface Figure {
  readonly value: HTMLElement;
  readonly unit: HTMLElement;
}

/** Request-to-response latency: p50, p95 and p99 side by side, with how many responses they cover. */
export class LatencyTile {
  readonly tile: Tile;
  readonly #figures: Record<"p50" | "p95" | "p99", Figure>;

  constructor(ids: Ids) {
    this.tile = new Tile(ids, "Latency", "tile-latency");
    const figure = (name: string): [HTMLElement, Figure] => {
      const value = h("span", { class: "big num" }, "–");
      const unit = h("span", { class: "unit" });
      return [h("div", { class: "figure" }, h("dt", {}, name), h("dd", {}, value, unit)), { value, unit }];
    };
    const [p50el, p50] = figure("p50");
    const [p95el, p95] = figure("p95");
    const [p99el, p99] = figure("p99");
    this.#figures = { p50, p95, p99 };
    this.tile.body.append(
      h("dl", { class: "figures" }, p50el, p95el, p99el),
      h(
        "p",
        { class: "tile-note" },
        "From receiving a request to its response, over the window; I99 acknowledgements left out.",
      ),
    );
  }

  update(l: LatencyJson & { readonly windowSeconds: number }): void {
    const minutes = Math.round(l.windowSeconds / 60);
    text(this.tile.aside, `${count(l.count)} responses · ${minutes} min`);
    for (const [key, ms] of [
      ["p50", l.p50Ms],
      ["p95", l.p95Ms],
      ["p99", l.p99Ms],
    ] as const) {
      const [value, unit] = latency(ms);
      text(this.#figures[key].value, value);
      text(this.#figures[key].unit, unit);
    }
  }
}
