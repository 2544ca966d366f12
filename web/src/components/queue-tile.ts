import type { DeliveryQueueJson } from "../../../src/server/dashboard-api.js";
import { h, type Ids, text } from "../dom.js";
import { count } from "../format.js";
import { Tile } from "./tile.js";

/**
 * The delivery queue: responses and alerts waiting for (re)delivery to Service Users' endpoints, and
 * those that ran out of retries (kept two days for the pull API). Failed turns red when not zero.
 */
export class QueueTile {
  readonly tile: Tile;
  readonly #pending: HTMLElement;
  readonly #failed: HTMLElement;
  readonly #failedFigure: HTMLElement;

  constructor(ids: Ids) {
    this.tile = new Tile(ids, "Delivery queue", "tile-queue");
    this.#pending = h("span", { class: "big num" }, "–");
    this.#failed = h("span", { class: "big num" }, "–");
    this.#failedFigure = h("div", { class: "figure" }, h("dt", {}, "failed"), h("dd", {}, this.#failed));
    this.tile.body.append(
      h(
        "dl",
        { class: "figures" },
        h("div", { class: "figure" }, h("dt", {}, "pending"), h("dd", {}, this.#pending)),
        this.#failedFigure,
      ),
      h(
        "p",
        { class: "tile-note" },
        "Pending: waiting for delivery or a retry. Failed: retries spent, kept two days for the pull API.",
      ),
    );
    this.tile.aside.textContent = "responses & alerts";
  }

  update(q: DeliveryQueueJson): void {
    text(this.#pending, count(q.pending));
    text(this.#failed, count(q.failed));
    this.#failedFigure.classList.toggle("is-bad", q.failed > 0);
  }
}
