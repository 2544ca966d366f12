import type { CountJson } from "../../../src/server/dashboard-api.js";
import { attr, h, type Ids, text } from "../dom.js";
import { count, percent, words } from "../format.js";
import { Tile } from "./tile.js";

/** Colour per SMI status: the working states green and blue, trouble amber, the departed grey. */
const STATUS_COLOUR: Record<string, string> = {
  Commissioned: "var(--c-success)",
  InstalledNotCommissioned: "var(--c-ack)",
  Whitelisted: "var(--c-info-1)",
  Pending: "var(--c-info-2)",
  Suspended: "var(--c-error-3)",
  Recovery: "var(--c-error-2)",
  Recovered: "var(--c-teal)",
  Decommissioned: "var(--c-other)",
  Withdrawn: "var(--c-muted-2)",
};

interface Row {
  readonly el: HTMLLIElement;
  readonly value: HTMLElement;
  readonly share: HTMLElement;
  readonly segment: HTMLSpanElement;
}

/**
 * Devices by SMI status: one proportional bar across the top (the whole fleet at a glance) and a
 * legend list with counts and shares. Rows are kept per status and only their text changes.
 */
export class StatusTile {
  readonly tile: Tile;
  readonly #bar: HTMLElement;
  readonly #list: HTMLUListElement;
  readonly #rows = new Map<string, Row>();

  constructor(ids: Ids) {
    this.tile = new Tile(ids, "Devices by status", "tile-status");
    this.#bar = h("div", { class: "proportion", role: "img", "aria-label": "No devices" });
    this.#list = h("ul", { class: "legend-list", "aria-label": "Devices per status" });
    this.tile.body.append(this.#bar, this.#list);
  }

  update(byStatus: readonly CountJson[], total: number): void {
    text(this.tile.aside, `${count(total)} devices`);
    const seen = new Set<string>();
    for (const { key, count: n } of byStatus) {
      seen.add(key);
      const row = this.#row(key);
      text(row.value, count(n));
      text(row.share, percent(n, total));
      row.segment.style.flexGrow = String(n);
      row.segment.hidden = n === 0;
      row.el.classList.toggle("is-zero", n === 0);
    }
    for (const [key, row] of this.#rows) {
      if (!seen.has(key)) {
        row.el.remove();
        row.segment.remove();
        this.#rows.delete(key);
      }
    }
    // Keep DOM order equal to the server's (lifecycle) order.
    for (const { key } of byStatus) {
      const row = this.#rows.get(key);
      if (row) {
        this.#list.append(row.el);
        this.#bar.append(row.segment);
      }
    }
    attr(this.#bar, {
      "aria-label":
        total === 0
          ? "No devices"
          : byStatus.map((c) => `${words(c.key)} ${percent(c.count, total)}`).join(", "),
    });
  }

  #row(key: string): Row {
    const existing = this.#rows.get(key);
    if (existing) return existing;
    const colour = STATUS_COLOUR[key] ?? "var(--c-other)";
    const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = colour;
    const value = h("span", { class: "legend-value num" });
    const share = h("span", { class: "legend-share num" });
    const el = h("li", {}, swatch, h("span", { class: "legend-name", title: key }, words(key)), value, share);
    const segment = h("span", { class: "proportion-seg", title: words(key) });
    segment.style.background = colour;
    const row = { el, value, share, segment };
    this.#rows.set(key, row);
    return row;
  }
}
