import { h, text } from "../dom.js";
import type { FeedState } from "../feed.js";

/**
 * The connection banner: hidden while data flows; otherwise an alert that says what is wrong, when
 * the next try is (counting down) and when the figures below were last fresh. It floats over the
 * page, so showing it moves nothing.
 */
export class Banner {
  readonly el: HTMLElement;
  readonly #title: HTMLElement;
  readonly #detail: HTMLElement;
  readonly #retry: HTMLButtonElement;
  #countdown: number | undefined;
  #lastFresh = "never";

  constructor(onRetry: () => void) {
    this.#title = h("strong");
    this.#detail = h("span", { class: "banner-detail" });
    this.#retry = h("button", { type: "button", class: "banner-retry" }, "Retry now");
    this.#retry.addEventListener("click", onRetry);
    this.el = h(
      "div",
      { class: "banner", role: "alert", hidden: true },
      h("span", { class: "banner-icon", "aria-hidden": "true" }, "!"),
      h("div", { class: "banner-text" }, this.#title, this.#detail),
      this.#retry,
    );
  }

  /** When the figures on the page were last updated (shown while they are stale). */
  fresh(time: string): void {
    this.#lastFresh = time;
  }

  state(state: FeedState): void {
    window.clearInterval(this.#countdown);
    this.#countdown = undefined;
    switch (state.kind) {
      case "connecting":
      case "live":
        this.el.hidden = true;
        document.body.classList.remove("is-stale");
        return;
      case "degraded":
        this.el.hidden = false;
        this.el.dataset.kind = "degraded";
        text(this.#title, "The server cannot read its data.");
        text(this.#detail, ` ${state.message}. Figures last updated ${this.#lastFresh}.`);
        this.#retry.hidden = true;
        document.body.classList.add("is-stale");
        return;
      case "unreachable": {
        this.el.hidden = false;
        this.el.dataset.kind = "unreachable";
        text(this.#title, "Server unreachable.");
        this.#retry.hidden = false;
        document.body.classList.add("is-stale");
        const tick = (): void => {
          const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
          text(
            this.#detail,
            ` ${seconds > 0 ? `Retrying in ${seconds} s` : "Retrying…"} (attempt ${state.attempts}). Figures last updated ${this.#lastFresh}.`,
          );
        };
        tick();
        this.#countdown = window.setInterval(tick, 500);
        return;
      }
    }
  }
}
