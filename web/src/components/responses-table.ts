import type { ResponseJson } from "../../../src/server/dashboard-api.js";
import { codeClass, codeMeaning } from "../codes.js";
import { h, type Ids, text } from "../dom.js";
import { clock, latencyText } from "../format.js";
import { Tile } from "./tile.js";

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly cells: readonly HTMLTableCellElement[];
  readonly code: HTMLElement;
}

const COLUMNS = [
  ["Time", "col-time"],
  ["Request ID / reason", "col-id"],
  ["SRV", "col-srv"],
  ["Device", "col-device"],
  ["Code", "col-code"],
  ["Latency", "col-latency num"],
] as const;

function key(r: ResponseJson): string {
  return `${r.requestId}|${r.responseCode}|${r.at}`;
}

/**
 * The latest responses, newest first. The table has a fixed number of rows built once (empty ones
 * keep their height), so an update changes text only and the page below never moves; rows that are
 * new since the last update flash briefly.
 */
export class ResponsesTable {
  readonly tile: Tile;
  readonly #rows: Row[] = [];
  readonly #empty: HTMLElement;
  #seen = new Set<string>();
  #first = true;

  constructor(ids: Ids, size: number) {
    this.tile = new Tile(ids, "Latest responses", "tile-responses");
    const tbody = h("tbody");
    for (let i = 0; i < size; i++) {
      const cells = COLUMNS.map(([, cls]) => h("td", { class: cls }));
      const code = h("span", { class: "code-pill" });
      cells[4]?.append(code);
      const tr = h("tr", { class: "is-empty" }, ...cells);
      tbody.append(tr);
      this.#rows.push({ tr, cells, code });
    }
    const table = h(
      "table",
      { class: "responses" },
      h("caption", { class: "visually-hidden" }, "Latest responses, newest first"),
      h(
        "thead",
        {},
        h("tr", {}, ...COLUMNS.map(([name, cls]) => h("th", { scope: "col", class: cls }, name))),
      ),
      tbody,
    );
    this.#empty = h("div", { class: "table-empty" }, "No responses yet");
    this.tile.body.append(h("div", { class: "table-wrap" }, table, this.#empty));
    this.tile.aside.textContent = "newest first";
  }

  update(responses: readonly ResponseJson[]): void {
    const seen = new Set<string>();
    // When every row is new (a busy system), flashing them all says nothing: flash only a trickle.
    const fresh = responses.slice(0, this.#rows.length).filter((r) => !this.#seen.has(key(r))).length;
    const flash = !this.#first && fresh < this.#rows.length;
    this.#rows.forEach((row, i) => {
      const r = responses[i];
      row.tr.classList.toggle("is-empty", r === undefined);
      if (r === undefined) {
        for (const cell of row.cells) if (cell.cellIndex !== 4) text(cell, "");
        text(row.code, "");
        row.code.className = "code-pill";
        row.code.removeAttribute("title");
        row.tr.classList.remove("is-new");
        row.cells[1]?.classList.remove("is-reason");
        return;
      }
      const k = key(r);
      seen.add(k);
      const [time, id, srv, device, , lat] = row.cells;
      if (time) {
        text(time, clock(r.at));
        time.title = r.at;
      }
      if (id) {
        // A refusal at the HTTP level has no request ID (none was read): its reason takes the cell.
        const shown = r.requestId === "" ? (r.reason ?? "") : r.requestId;
        text(id, shown);
        id.title = r.error === undefined ? shown : `${r.error}: ${shown}`;
        id.classList.toggle("is-reason", r.requestId === "");
      }
      if (srv) text(srv, r.srv === "" ? "—" : r.srv);
      if (device) text(device, r.deviceId ?? "—");
      if (lat) text(lat, latencyText(r.latencyMs));
      text(row.code, r.responseCode);
      row.code.className = `code-pill class-${codeClass(r.responseCode)}`;
      row.code.title = codeMeaning(r.responseCode);
      row.tr.dataset.requestId = r.requestId;
      row.tr.dataset.code = r.responseCode;
      const isNew = flash && !this.#seen.has(k);
      if (isNew) {
        // Restart the flash animation for a row that was already flashing.
        row.tr.classList.remove("is-new");
        void row.tr.offsetWidth;
        row.tr.classList.add("is-new");
      }
    });
    this.#seen = seen;
    this.#first = false;
    this.#empty.hidden = responses.length > 0;
    text(this.tile.aside, `newest first · ${Math.min(responses.length, this.#rows.length)} shown`);
  }
}
