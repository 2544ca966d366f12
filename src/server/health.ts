/**
 * Health: whether the parts the DCC cannot work without answer. `/healthz` returns 200 when every
 * check passes and 503 with the reasons otherwise.
 */

/** One named check: resolves when healthy, rejects with the reason otherwise. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface HealthReport {
  readonly status: "ok" | "failing";
  /** Per check: "ok" or the failure's message. */
  readonly checks: Readonly<Record<string, string>>;
}

/** Runs every check (each bounded by `timeoutMs`) and reports. */
export async function checkHealth(checks: readonly HealthCheck[], timeoutMs = 2000): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, string]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([c.check(), timeout]);
        return [c.name, "ok"];
      } catch (error) {
        return [c.name, error instanceof Error ? error.message : String(error)];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checksOut = Object.fromEntries(results);
  return { status: results.every(([, r]) => r === "ok") ? "ok" : "failing", checks: checksOut };
}
