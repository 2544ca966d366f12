import type { InstanceJson } from "../../../src/server/dashboard-api.js";
import { h, text } from "../dom.js";
import type { FeedState } from "../feed.js";
import { count, duration } from "../format.js";

/**
 * The page header: the name, the connection state (a live region, so a screen reader hears "Live" or
 * "Unreachable" when it changes) and what this instance is: mode, version, fleet size, uptime.
 */
export class Header {
  readonly el: HTMLElement;
  readonly #state: HTMLElement;
  readonly #stateText: HTMLElement;
  readonly #mode: HTMLElement;
  readonly #version: HTMLElement;
  readonly #premises: HTMLElement;
  readonly #devices: HTMLElement;
  readonly #uptime: HTMLElement;
  readonly #updated: HTMLElement;

  constructor() {
    this.#stateText = h("span", {}, "Connecting");
    this.#state = h(
      "span",
      { class: "state state-connecting", role: "status", "aria-live": "polite" },
      h("span", { class: "dot", "aria-hidden": "true" }),
      this.#stateText,
    );
    const fact = (label: string, value: HTMLElement): HTMLElement =>
      h("div", { class: "fact" }, h("dt", {}, label), h("dd", {}, value));
    this.#mode = h("span", { "data-field": "mode" }, "–");
    this.#version = h("span", { class: "num" }, "–");
    this.#premises = h("span", { class: "num", "data-field": "premises" }, "–");
    this.#devices = h("span", { class: "num", "data-field": "devices" }, "–");
    this.#uptime = h("span", { class: "num" }, "–");
    this.#updated = h("span", { class: "num" }, "–");
    this.el = h(
      "header",
      { class: "top" },
      h(
        "div",
        { class: "brand" },
        h("span", { class: "logo", "aria-hidden": "true" }),
        h("h1", {}, "meterway"),
        this.#state,
      ),
      h(
        "dl",
        { class: "facts", "aria-label": "Instance" },
        fact("mode", this.#mode),
        fact("premises", this.#premises),
        fact("devices", this.#devices),
        fact("up", this.#uptime),
        fact("version", this.#version),
        fact("updated", this.#updated),
      ),
    );
  }

  instance(i: InstanceJson, devices: number, at: string, updated: string): void {
    text(this.#mode, i.node === undefined ? i.mode : `${i.mode} · ${i.node}`);
    text(this.#version, i.version);
    text(this.#premises, count(i.premises));
    text(this.#devices, count(devices));
    text(this.#uptime, duration(Date.parse(at) - Date.parse(i.startedAt)));
    text(this.#updated, updated);
  }

  state(state: FeedState): void {
    const [kind, label] = ((): [string, string] => {
      switch (state.kind) {
        case "connecting":
          return ["connecting", "Connecting"];
        case "live":
          return ["live", state.via === "stream" ? "Live" : "Live (polling)"];
        case "degraded":
          return ["degraded", "Degraded"];
        case "unreachable":
          return ["down", "Unreachable"];
      }
    })();
    this.#state.className = `state state-${kind}`;
    text(this.#stateText, label);
  }
}
