import { h, type Ids } from "../dom.js";

/**
 * The frame every tile shares: a titled region (a landmark screen readers can jump to) with a small
 * aside on the right of the title (a total, a time span) and a body the tile fills.
 */
export class Tile {
  readonly el: HTMLElement;
  readonly aside: HTMLElement;
  readonly body: HTMLElement;

  constructor(ids: Ids, title: string, className: string) {
    const id = ids.next("tile");
    this.aside = h("span", { class: "tile-aside" });
    this.body = h("div", { class: "tile-body" });
    this.el = h(
      "section",
      { class: `tile ${className}`, "aria-labelledby": id },
      h("header", { class: "tile-head" }, h("h2", { id }, title), this.aside),
      this.body,
    );
  }
}
