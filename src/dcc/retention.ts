/**
 * Retention: what the DCC keeps of finished work, and for how long. Periodically, in small batches so
 * that no purge holds the store (SQLite's one writer, or PostgreSQL rows other nodes want):
 *
 * - requests in a final state (responded, failed) last updated more than `requestDays` ago, unless
 *   their answer is still in the outbox (pending, or in the failed queue): a request that is not
 *   finished, or whose answer is undelivered, is never purged;
 * - audit lines older than `auditDays`;
 * - user-API nonces whose signed time has left the window (they cannot be replayed any more).
 *
 * Every node of a cluster may run it: the batches skip rows another node is deleting.
 */
import type { AuditRepository, NonceRepository, RequestRepository } from "../store/port.js";

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  readonly requests: Pick<RequestRepository, "purgeFinished">;
  readonly audit: Pick<AuditRepository, "purgeBefore">;
  readonly nonces: Pick<NonceRepository, "purgeExpired">;
  readonly now: () => number;
  /** Days a finished request is kept; 0 keeps them for ever. */
  readonly requestDays: number;
  /** Days an audit line is kept; 0 keeps them for ever. */
  readonly auditDays: number;
  /** Rows deleted per statement (default 500). */
  readonly batchSize?: number;
  /** Time between purges, ms (default one minute: nonces pile up at the user API's rate). */
  readonly intervalMs?: number;
  /** A purge that removed requests or audit lines, or failed. */
  readonly log?: (message: string, error?: unknown) => void;
}

/** What one purge removed. */
export interface PurgeCounts {
  readonly requests: number;
  readonly audit: number;
  readonly nonces: number;
}

export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PurgeCounts> | undefined;
  private stopping = false;

  constructor(private readonly options: RetentionOptions) {}

  /** Purges now, batch after batch until each kind is done; one purge at a time. */
  purge(): Promise<PurgeCounts> {
    this.running ??= this.purgeAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Purges at once, then every `intervalMs`. */
  start(): void {
    this.stopping = false;
    const run = () => {
      this.purge().then(
        (counts) => {
          if (counts.requests > 0 || counts.audit > 0) {
            this.options.log?.(
              `retention: purged ${counts.requests} finished request(s) and ${counts.audit} audit line(s)`,
            );
          }
        },
        (error: unknown) => this.options.log?.("retention: purge failed", error),
      );
    };
    run();
    this.timer = setInterval(run, this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Stops the timer; a purge under way ends after its current batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  private async purgeAll(): Promise<PurgeCounts> {
    const now = this.options.now();
    const { requestDays, auditDays } = this.options;
    const nonces = await this.batches((limit) => this.options.nonces.purgeExpired(now, limit));
    const requests =
      requestDays === 0
        ? 0
        : await this.batches((limit) =>
            this.options.requests.purgeFinished(now - requestDays * DAY_MS, limit),
          );
    const audit =
      auditDays === 0
        ? 0
        : await this.batches((limit) => this.options.audit.purgeBefore(now - auditDays * DAY_MS, limit));
    return { requests, audit, nonces };
  }

  /** Runs `purge` until a batch comes back short, letting other work in between batches. */
  private async batches(purge: (limit: number) => Promise<number>): Promise<number> {
    const limit = this.options.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const n = await purge(limit);
      total += n;
      if (n < limit || this.stopping) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
