import type { RequestSeriesJson } from "../../../src/server/dashboard-api.js";
import { bandPath, edgePath, type Layer, layerColours, niceCeil, stack, topCodes } from "../chart.js";
import { CODE_CLASSES, codeMeaning } from "../codes.js";
import { attr, h, type Ids, s, text } from "../dom.js";
import { clock, compact, rate } from "../format.js";
import { Tile } from "./tile.js";

/** The chart's own coordinate box; it is stretched to the tile (paths only, no text inside). */
const W = 1000;
const H = 200;
/** Most codes drawn separately; the rest are folded into "other". */
const MAX_CODES = 7;
/** The headline rate averages the last few buckets, so it does not flicker bucket to bucket. */
const HEADLINE_BUCKETS = 3;

interface LegendItem {
  readonly el: HTMLLIElement;
  readonly swatch: HTMLElement;
  readonly value: HTMLElement;
}

/**
 * Responses per second by DUIS response code over the last minutes: a stacked step-area chart with a
 * round y-axis maximum, a headline rate, a legend with each code's current rate, and a hover readout.
 */
export class RateTile {
  readonly tile: Tile;
  readonly #headline: HTMLElement;
  readonly #legend: HTMLUListElement;
  readonly #legendItems = new Map<string, LegendItem>();
  readonly #svg: SVGSVGElement;
  readonly #bands: SVGGElement;
  readonly #edges: SVGGElement;
  readonly #cursor: SVGLineElement;
  readonly #yTop: HTMLElement;
  readonly #yMid: HTMLElement;
  readonly #xStart: HTMLElement;
  readonly #xMid: HTMLElement;
  readonly #readout: HTMLElement;
  readonly #empty: HTMLElement;
  #data: { series: RequestSeriesJson; layers: Layer[]; colours: string[] } | undefined;
  #hover: number | undefined;

  constructor(ids: Ids) {
    this.tile = new Tile(ids, "Responses per second by response code", "tile-rate");
    this.#headline = h("span", { class: "big num headline-value" }, "–");
    this.#legend = h("ul", { class: "code-legend", "aria-label": "Current rate per response code" });
    this.#bands = s("g");
    this.#edges = s("g", { class: "edges" });
    this.#cursor = s("line", { class: "cursor", x1: 0, x2: 0, y1: 0, y2: H, visibility: "hidden" });
    this.#svg = s(
      "svg",
      {
        viewBox: `0 0 ${W} ${H}`,
        preserveAspectRatio: "none",
        role: "img",
        "aria-label": "No responses yet",
      },
      s("line", { class: "grid", x1: 0, x2: W, y1: 0.5, y2: 0.5 }),
      s("line", { class: "grid", x1: 0, x2: W, y1: H / 2, y2: H / 2 }),
      this.#bands,
      this.#edges,
      s("line", { class: "axis", x1: 0, x2: W, y1: H - 0.5, y2: H - 0.5 }),
      this.#cursor,
    );
    this.#yTop = h("span", { class: "y-label y-top num" });
    this.#yMid = h("span", { class: "y-label y-mid num" });
    this.#xStart = h("span", { class: "x-label" });
    this.#xMid = h("span", { class: "x-label" });
    this.#readout = h("div", { class: "readout", hidden: true, "aria-hidden": "true" });
    this.#empty = h("div", { class: "chart-empty" }, "No responses in this window");
    const plot = h("div", { class: "plot" }, this.#svg, this.#yTop, this.#yMid, this.#empty, this.#readout);
    plot.addEventListener("pointermove", (e) => this.#pointer(e, plot));
    plot.addEventListener("pointerleave", () => this.#pointer(undefined, plot));
    this.tile.body.append(
      h(
        "div",
        { class: "rate-head" },
        h("div", { class: "headline" }, this.#headline, h("span", { class: "unit" }, "responses/s")),
        this.#legend,
      ),
      plot,
      h("div", { class: "x-axis" }, this.#xStart, this.#xMid, h("span", { class: "x-label" }, "now")),
      h(
        "ul",
        { class: "class-legend", "aria-label": "Colours by kind of code" },
        ...CODE_CLASSES.map(([cls, name]) => {
          const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
          swatch.style.background = `var(--c-${cls})`;
          return h("li", { "data-class": cls }, swatch, name);
        }),
      ),
    );
  }

  update(series: RequestSeriesJson): void {
    const layers = topCodes(series.series, MAX_CODES);
    const colours = layerColours(layers.map((l) => l.code));
    const stacked = stack(layers.map((l) => l.counts));
    const peak = Math.max(0, ...(stacked.at(-1)?.upper ?? [0])) / series.bucketSeconds;
    const yMax = niceCeil(peak, 1);
    const scale = (counts: readonly number[]): number[] => counts.map((c) => c / series.bucketSeconds);
    this.#data = { series, layers, colours };

    // Re-use path elements by position: the number of layers rarely changes.
    syncChildren(this.#bands, layers.length, () => s("path", { class: "band" }));
    syncChildren(this.#edges, layers.length, () => s("path", { class: "edge" }));
    stacked.forEach((band, i) => {
      const lower = scale(band.lower);
      const upper = scale(band.upper);
      const colour = colours[i] ?? "var(--c-other)";
      attr(this.#bands.children[i] as SVGPathElement, {
        d: bandPath(lower, upper, W, H, yMax),
        fill: colour,
      });
      const own = layers[i]?.counts ?? [];
      attr(this.#edges.children[i] as SVGPathElement, {
        d: edgePath(upper, W, H, yMax, own),
        stroke: colour,
      });
    });

    text(this.#yTop, `${compact(yMax)}/s`);
    text(this.#yMid, `${compact(yMax / 2)}/s`);
    const minutes = Math.round((series.buckets * series.bucketSeconds) / 60);
    text(this.#xStart, `−${minutes} min`);
    text(this.#xMid, `−${Math.round(minutes / 2)} min`);

    const recent = (counts: readonly number[]): number => {
      const tail = counts.slice(-HEADLINE_BUCKETS);
      return tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length) / series.bucketSeconds;
    };
    const total = layers.reduce((sum, l) => sum + recent(l.counts), 0);
    text(this.#headline, rate(total));
    this.#empty.hidden = layers.length > 0;
    this.#updateLegend(layers, colours, recent);
    attr(this.#svg, {
      "aria-label":
        layers.length === 0
          ? `No responses in the last ${minutes} minutes`
          : `Over the last ${minutes} minutes, peaking at ${rate(peak)} per second; now ${layers
              .map((l) => `${l.code} ${rate(recent(l.counts))}/s`)
              .join(", ")}`,
    });
    if (this.#hover !== undefined) this.#showReadout(this.#hover);
  }

  #updateLegend(
    layers: readonly Layer[],
    colours: readonly string[],
    recent: (c: readonly number[]) => number,
  ) {
    const seen = new Set<string>();
    layers.forEach((layer, i) => {
      seen.add(layer.code);
      let item = this.#legendItems.get(layer.code);
      if (!item) {
        const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
        const value = h("span", { class: "num" });
        const el = h(
          "li",
          { title: codeMeaning(layer.code) },
          swatch,
          h("span", { class: "code" }, layer.code),
          value,
        );
        el.dataset.code = layer.code;
        item = { el, swatch, value };
        this.#legendItems.set(layer.code, item);
      }
      item.swatch.style.background = colours[i] ?? "var(--c-other)";
      text(item.value, rate(recent(layer.counts)));
      // Legend reads top to bottom like the stack reads top to bottom.
      this.#legend.prepend(item.el);
    });
    for (const [code, item] of this.#legendItems) {
      if (!seen.has(code)) {
        item.el.remove();
        this.#legendItems.delete(code);
      }
    }
  }

  #pointer(event: PointerEvent | undefined, plot: HTMLElement): void {
    if (event === undefined || this.#data === undefined) {
      this.#hover = undefined;
      this.#readout.hidden = true;
      attr(this.#cursor, { visibility: "hidden" });
      return;
    }
    const box = plot.getBoundingClientRect();
    const fraction = Math.min(0.9999, Math.max(0, (event.clientX - box.left) / box.width));
    this.#hover = Math.floor(fraction * this.#data.series.buckets);
    this.#showReadout(this.#hover);
  }

  #showReadout(index: number): void {
    const data = this.#data;
    if (data === undefined) return;
    const { series, layers, colours } = data;
    const x = ((index + 0.5) / series.buckets) * W;
    attr(this.#cursor, { x1: x, x2: x, visibility: "visible" });
    const start = new Date(Date.parse(series.from) + index * series.bucketSeconds * 1000).toISOString();
    const rows = layers
      .map((l, i) => ({ code: l.code, v: (l.counts[index] ?? 0) / series.bucketSeconds, c: colours[i] }))
      .filter((r) => r.v > 0)
      .reverse();
    this.#readout.replaceChildren(
      h("div", { class: "readout-time" }, clock(start)),
      ...(rows.length === 0
        ? [h("div", {}, "no responses")]
        : rows.map((r) => {
            const sw = h("span", { class: "swatch" });
            sw.style.background = r.c ?? "var(--c-other)";
            return h(
              "div",
              { class: "readout-row" },
              sw,
              h("span", {}, r.code),
              h("span", { class: "num" }, rate(r.v)),
            );
          })),
    );
    this.#readout.hidden = false;
    const left = (index + 0.5) / series.buckets;
    this.#readout.classList.toggle("flip", left > 0.6);
    this.#readout.style.left = `${left * 100}%`;
  }
}

function syncChildren(parent: Element, n: number, make: () => Element): void {
  while (parent.children.length < n) parent.append(make());
  while (parent.children.length > n) parent.lastElementChild?.remove();
}
