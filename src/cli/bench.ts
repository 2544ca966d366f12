/**
 * `meterway bench [suite...]`: runs benchmark suites and writes their results to bench/results/
 * (<suite>.json and a markdown table <suite>.md). Suites live in bench/<suite>.ts, outside the
 * shipped code, and are loaded through tsx (a development dependency: benchmarks are a development
 * activity). Each suite measures against a baseline taken in the same run, never a fixed number.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command, CommandIo } from "./command.js";

/** What a suite gets. */
export interface BenchContext {
  readonly io: CommandIo;
  /** The project root (bench/ and bench/results/ are under it). */
  readonly projectRoot: string;
  /** Where to write <suite>.json and <suite>.md. */
  readonly resultsDir: string;
  /** Minimum CPU time per measurement, in milliseconds. */
  readonly minCpuMs: number;
}

/** A suite module in bench/<name>.ts exports `run`. */
interface BenchModule {
  run(ctx: BenchContext): Promise<void>;
}

async function loadSuite(projectRoot: string, file: string): Promise<BenchModule> {
  const { tsImport } = (await import("tsx/esm/api")) as {
    tsImport: (specifier: string, parent: string) => Promise<BenchModule>;
  };
  return tsImport(join(projectRoot, "bench", file), import.meta.url);
}

/** Suite name → runner; add a line per suite. */
const suites: Record<string, (ctx: BenchContext) => Promise<void>> = {
  gbcs: async (ctx) => (await loadSuite(ctx.projectRoot, "gbcs.ts")).run(ctx),
  duis: async (ctx) => (await loadSuite(ctx.projectRoot, "duis.ts")).run(ctx),
  platform: async (ctx) => (await loadSuite(ctx.projectRoot, "platform.ts")).run(ctx),
};

const USAGE = `usage: meterway bench [suite...] [--min-cpu-ms N]
suites: ${Object.keys(suites).join(", ")} (all when none is named)
writes bench/results/<suite>.json and <suite>.md`;

export const bench: Command = async (args, io) => {
  const names: string[] = [];
  let minCpuMs = 2000;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--help" || a === "-h") {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (a === "--min-cpu-ms") {
      minCpuMs = Number(args[++i]);
      if (!Number.isFinite(minCpuMs) || minCpuMs <= 0) {
        io.stderr.write(`meterway bench: --min-cpu-ms needs a positive number\n${USAGE}\n`);
        return 2;
      }
    } else if (a in suites) names.push(a);
    else {
      io.stderr.write(`meterway bench: unknown suite '${a}'\n${USAGE}\n`);
      return 2;
    }
  }
  const projectRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
  const resultsDir = join(projectRoot, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  for (const name of names.length > 0 ? names : Object.keys(suites)) {
    io.stdout.write(`bench ${name}\n`);
    await suites[name]!({ io, projectRoot, resultsDir, minCpuMs });
  }
  return 0;
};
