/**
 * The few DOM helpers the page needs: build an element tree once, then change only text and
 * attributes on update, so that nothing is re-created (no flicker, no lost focus, no layout shift).
 */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

function apply(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
}

function append(el: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** An HTML element: `h("div", { class: "tile" }, child, "text")`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element, in the SVG namespace. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** Sets attributes on an existing element (null removes). */
export function attr(el: Element, attrs: Attrs): void {
  apply(el, attrs);
}

/** Sets text only when it changed, so unchanged nodes are not touched on every push. */
export function text(el: Node, value: string): void {
  if (el.textContent !== value) el.textContent = value;
}

/** A unique id for aria-labelledby wiring. */
export class Ids {
  #next = 0;
  next(prefix: string): string {
    this.#next += 1;
    return `${prefix}-${this.#next}`;
  }
}
