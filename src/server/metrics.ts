/**
 * A small Prometheus metrics registry (text exposition format 0.0.4): counters, gauges and
 * histograms with labels, and collectors that refresh gauges just before a scrape. One registry
 * instance per DCC, built in the composition root and passed to whoever records.
 */

type Labels<L extends string> = Readonly<Record<L, string>>;

interface Metric {
  readonly name: string;
  render(): string[];
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function labelText(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`);
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

abstract class Labelled<L extends string, V> implements Metric {
  protected readonly series = new Map<string, { values: string[]; state: V }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new RangeError(`bad metric name '${name}'`);
  }
  protected entry(labels: Labels<L> | undefined): { values: string[]; state: V } {
    const values = this.labelNames.map((n) => labels?.[n] ?? "");
    const key = values.join("\u0000");
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { values, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry;
  }
  protected abstract initial(): V;
  abstract render(): string[];
}

/** A monotonically increasing count. */
export class Counter<L extends string = never> extends Labelled<L, { value: number }> {
  protected initial() {
    return { value: 0 };
  }
  inc(labels?: Labels<L>, by = 1): void {
    if (by < 0) throw new RangeError("a counter only goes up");
    this.entry(labels).state.value += by;
  }
  /** The current value for these labels (tests, dashboards). */
  get(labels?: Labels<L>): number {
    return this.entry(labels).state.value;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { values, state } of this.series.values()) {
      lines.push(`${this.name}${labelText(this.labelNames, values)} ${formatNumber(state.value)}`);
    }
    return lines;
  }
}

/** A value that goes up and down. */
export class Gauge<L extends string = never> extends Labelled<L, { value: number }> {
  protected initial() {
    return { value: 0 };
  }
  set(labels: Labels<L> | undefined, value: number): void {
    this.entry(labels).state.value = value;
  }
  inc(labels?: Labels<L>, by = 1): void {
    this.entry(labels).state.value += by;
  }
  get(labels?: Labels<L>): number {
    return this.entry(labels).state.value;
  }
  /** Forgets every series (a collector that re-counts starts from nothing). */
  reset(): void {
    this.series.clear();
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const { values, state } of this.series.values()) {
      lines.push(`${this.name}${labelText(this.labelNames, values)} ${formatNumber(state.value)}`);
    }
    return lines;
  }
}

/** Default latency buckets in seconds, from a millisecond to a minute. */
export const LATENCY_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram<L extends string = never> extends Labelled<
  L,
  { buckets: number[]; sum: number; count: number }
> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly L[],
    readonly bounds: readonly number[] = LATENCY_BUCKETS_S,
  ) {
    super(name, help, labelNames);
    for (let i = 1; i < bounds.length; i++) {
      if (bounds[i]! <= bounds[i - 1]!) throw new RangeError("histogram bounds must increase");
    }
  }
  protected initial() {
    return { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
  }
  observe(labels: Labels<L> | undefined, value: number): void {
    const state = this.entry(labels).state;
    state.sum += value;
    state.count += 1;
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) state.buckets[i]! += 1;
  }
  /** Count and sum for these labels (tests). */
  get(labels?: Labels<L>): { count: number; sum: number } {
    const { count, sum } = this.entry(labels).state;
    return { count, sum };
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { values, state } of this.series.values()) {
      this.bounds.forEach((bound, i) => {
        const le = `le="${formatNumber(bound)}"`;
        lines.push(`${this.name}_bucket${labelText(this.labelNames, values, le)} ${state.buckets[i]}`);
      });
      lines.push(`${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${state.count}`);
      lines.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatNumber(state.sum)}`);
      lines.push(`${this.name}_count${labelText(this.labelNames, values)} ${state.count}`);
    }
    return lines;
  }
}

/** Holds metrics by name and renders them all. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors: Array<() => Promise<void>> = [];

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.add(new Counter<L>(name, help, labelNames));
  }
  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.add(new Gauge<L>(name, help, labelNames));
  }
  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    bounds?: readonly number[],
  ): Histogram<L> {
    return this.add(new Histogram<L>(name, help, labelNames, bounds));
  }
  /** Runs `collect` before each render (refresh gauges from the store, for instance). */
  onCollect(collect: () => Promise<void>): void {
    this.collectors.push(collect);
  }
  /** The Prometheus text exposition of every metric. */
  async render(): Promise<string> {
    for (const collect of this.collectors) await collect();
    const lines: string[] = [];
    for (const metric of this.metrics.values()) lines.push(...metric.render());
    return `${lines.join("\n")}\n`;
  }
  private add<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric '${metric.name}' registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

/** Content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The DCC's own metrics. The composition root wires the recording: requests from the pipeline's
 * answer callback, deliveries from delivery's attempt callback, the WAN from the link's round-trip
 * callback, devices from the store at scrape time; the services themselves know nothing of metrics.
 */
export class DccMetrics {
  readonly registry: MetricsRegistry;
  /** DUIS requests answered, by SRV and response code (I99, I0, E…). */
  readonly requests: Counter<"srv" | "code">;
  /** Time from receiving a request to its final response, by SRV (seconds). */
  readonly requestDuration: Histogram<"srv">;
  /** Delivery attempts to users' endpoints, by result (delivered, retry, failed). */
  readonly deliveries: Counter<"result">;
  /** Alerts routed to users, by code. */
  readonly alerts: Counter<"code">;
  /** WAN round trips, by CSP region and outcome (ok, lost, timeout, unknown-hub). */
  readonly wanRoundTrips: Counter<"region" | "outcome">;
  /** WAN round-trip time by region (seconds). */
  readonly wanLatency: Histogram<"region">;
  /** SMI devices by status, type and region (refreshed at scrape time). */
  readonly devices: Gauge<"status" | "type" | "region">;
  /** Request signatures whose ECDSA verification ran together (see `SignatureVerifier`). */
  readonly signatureBatch: Histogram;
  /** Requests refused with 429 by a rate limit, by limit (address, refusals, user). */
  readonly rateLimited: Counter<"limit">;

  constructor(registry = new MetricsRegistry()) {
    this.registry = registry;
    this.requests = registry.counter("meterway_requests_total", "DUIS requests answered", ["srv", "code"]);
    this.requestDuration = registry.histogram(
      "meterway_request_duration_seconds",
      "Time from receipt of a DUIS request to its final response",
      ["srv"],
    );
    this.deliveries = registry.counter("meterway_deliveries_total", "Delivery attempts to service users", [
      "result",
    ]);
    this.alerts = registry.counter("meterway_alerts_total", "Alerts routed to service users", ["code"]);
    this.wanRoundTrips = registry.counter("meterway_wan_round_trips_total", "WAN round trips", [
      "region",
      "outcome",
    ]);
    this.wanLatency = registry.histogram("meterway_wan_latency_seconds", "WAN round-trip time", ["region"]);
    this.devices = registry.gauge("meterway_devices", "SMI devices", ["status", "type", "region"]);
    this.signatureBatch = registry.histogram(
      "meterway_signature_batch_size",
      "DUIS request signatures verified together in one turn of the event loop",
      [],
      [1, 2, 4, 8, 16, 32, 64],
    );
    this.rateLimited = registry.counter(
      "meterway_rate_limited_total",
      "Requests refused with 429 by a rate limit (per address, per address for refused requests, per user)",
      ["limit"],
    );
  }
}
