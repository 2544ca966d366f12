/**
 * The meterway dashboard: builds the page once, then feeds each component from the server's
 * summary and responses (server-sent events, with polling and retries behind them; see feed.ts).
 */
import "./styles.css";
import type { ResponsesJson, SummaryJson } from "../../src/server/dashboard-api.js";
import { Banner } from "./components/banner.js";
import { Header } from "./components/header.js";
import { LatencyTile } from "./components/latency-tile.js";
import { QueueTile } from "./components/queue-tile.js";
import { RateTile } from "./components/rate-tile.js";
import { RegionTile } from "./components/region-tile.js";
import { ResponsesTable } from "./components/responses-table.js";
import { StatusTile } from "./components/status-tile.js";
import { h, Ids } from "./dom.js";
import { Feed } from "./feed.js";
import { clock } from "./format.js";

/** Rows in the responses table. */
const RESPONSES = 20;

function mount(root: HTMLElement): void {
  const ids = new Ids();
  const header = new Header();
  const status = new StatusTile(ids);
  const regions = new RegionTile(ids);
  const rates = new RateTile(ids);
  const latency = new LatencyTile(ids);
  const queue = new QueueTile(ids);
  const table = new ResponsesTable(ids, RESPONSES);
  let feed: Feed | undefined;
  let mode = "connecting";
  const banner = new Banner(() => feed?.retryNow());

  root.replaceChildren(
    header.el,
    banner.el,
    h(
      "main",
      { class: "grid" },
      rates.tile.el,
      latency.tile.el,
      queue.tile.el,
      status.tile.el,
      regions.tile.el,
      table.tile.el,
    ),
  );

  feed = new Feed(
    {
      base: new URL(".", window.location.href),
      responses: RESPONSES,
      pollMs: 2000,
      silenceMs: 10_000,
      maxBackoffMs: 15_000,
      requestTimeoutMs: 8_000,
    },
    {
      summary(summary: SummaryJson): void {
        const updated = clock(new Date().toISOString());
        header.instance(summary.instance, summary.devices.total, summary.at, updated);
        banner.fresh(updated);
        status.update(summary.devices.byStatus, summary.devices.total);
        regions.update(summary.devices.byRegion);
        rates.update(summary.requests);
        latency.update(summary.latency);
        queue.update(summary.delivery);
        mode = summary.instance.mode;
        document.title = `meterway · ${mode}`;
      },
      signedOut(): void {
        // The login form brings the operator back here once the token is given again.
        window.location.assign(new URL("login", window.location.href).toString());
      },
      responses(responses: ResponsesJson): void {
        table.update(responses.responses);
      },
      state(state): void {
        header.state(state);
        banner.state(state);
        // The tab says so too, for a dashboard left open in the background.
        const trouble =
          state.kind === "unreachable" ? "unreachable" : state.kind === "degraded" ? "degraded" : "";
        document.title = trouble === "" ? `meterway · ${mode}` : `meterway · ${trouble}`;
      },
    },
  );
  feed.start();
}

const root = document.getElementById("app");
if (root) mount(root);
