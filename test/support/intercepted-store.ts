/**
 * A store whose writes pass a hook first, in and out of transactions: fault injection for tests (a
 * write that throws, a process killed before its k-th write). Reads pass straight through.
 */
import type { Repositories, Store } from "../../src/store/port.js";

/** The writing methods of each repository, by repository. */
const WRITES: { readonly [R in keyof Repositories]: readonly (keyof Repositories[R])[] } = {
  devices: ["put", "setStatus"],
  registrations: ["put", "close"],
  users: ["put"],
  counters: ["advance", "compareAndSet"],
  requests: [
    "insert",
    "transition",
    "startSending",
    "update",
    "markAnswered",
    "renewLeases",
    "takeOver",
    "purgeFinished",
  ],
  outbox: [
    "enqueue",
    "acquireLease",
    "renewLease",
    "releaseLease",
    "markDelivered",
    "markAttemptFailed",
    "remove",
    "purgeExpired",
  ],
  audit: ["append", "purgeBefore"],
  nonces: ["use", "purgeExpired"],
  meta: ["set", "delete"],
};

/** Called before each write with its name (`outbox.enqueue`); throwing fails the write. */
export type WriteHook = (write: string) => void;

function intercept(repositories: Repositories, hook: WriteHook): Repositories {
  const wrapped: Record<string, unknown> = {};
  for (const name of Object.keys(WRITES) as (keyof Repositories)[]) {
    const repository = repositories[name] as unknown as Record<string, (...args: unknown[]) => unknown>;
    const copy: Record<string, unknown> = { ...repository };
    for (const method of WRITES[name] as readonly string[]) {
      const original = repository[method]!;
      copy[method] = async (...args: unknown[]) => {
        hook(`${name}.${method}`);
        return original(...args);
      };
    }
    wrapped[name] = copy;
  }
  return wrapped as unknown as Repositories;
}

export function interceptWrites(store: Store, hook: WriteHook): Store {
  return {
    ...intercept(store, hook),
    kind: store.kind,
    transaction: (work) => store.transaction((tx) => work(intercept(tx, hook))),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/** Fails the first `times` calls of `write` (e.g. `outbox.enqueue`); counts what it failed. */
export function failingWrites(
  store: Store,
  write: string,
  times: number,
): Store & { readonly failed: () => number } {
  let failed = 0;
  const wrapped = interceptWrites(store, (name) => {
    if (name === write && failed < times) {
      failed += 1;
      throw new Error(`injected: ${write} failed`);
    }
  });
  return { ...wrapped, failed: () => failed };
}
