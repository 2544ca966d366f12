/**
 * `meterway bench [suite...]`: runs benchmark suites and writes their results to bench/results/
 * (<suite>.json and a markdown table <suite>.md). Suites live in bench/<suite>.ts, outside the
 * shipped code. Each suite measures against a baseline taken in the same run, never a fixed number.
 *
 * The suites, and the code they measure, are compiled with tsc (tsconfig.bench.json, into
 * dist-bench/) before they run, so that what is measured is what `npm start` runs: JavaScript as tsc
 * emits it. Loading them through a TypeScript loader instead would measure that loader's output,
 * which wraps every function it creates (to keep its name) and costs a request several microseconds.
 * TypeScript is a development dependency; so are benchmarks.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

/**
 * Compiles bench/ and what it imports into dist-bench/ (incrementally: a second run takes a moment).
 * Returns tsc's complaint when it fails.
 */
function compileSuites(projectRoot: string): string | undefined {
  const tsc = createRequire(join(projectRoot, "package.json")).resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(projectRoot, "tsconfig.bench.json")], {
    cwd: projectRoot,
    encoding: "utf8",
  });
  if (r.status === 0) return undefined;
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() || `tsc exited with ${String(r.status)}`;
}

async function loadSuite(projectRoot: string, name: string): Promise<BenchModule> {
  const url = pathToFileURL(join(projectRoot, "dist-bench", "bench", `${name}.js`));
  return (await import(url.href)) as BenchModule;
}

/** The suites, each bench/<name>.ts; add a name per suite. */
const suites = ["gbcs", "duis", "platform", "e2e"] as const;
type SuiteName = (typeof suites)[number];

function isSuite(name: string): name is SuiteName {
  return (suites as readonly string[]).includes(name);
}

const USAGE = `usage: meterway bench [suite...] [--min-cpu-ms N]
suites: ${suites.join(", ")} (all when none is named)
writes bench/results/<suite>.json and <suite>.md`;

export const bench: Command = async (args, io) => {
  const names: SuiteName[] = [];
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
    } else if (isSuite(a)) names.push(a);
    else {
      io.stderr.write(`meterway bench: unknown suite '${a}'\n${USAGE}\n`);
      return 2;
    }
  }
  const projectRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
  const resultsDir = join(projectRoot, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  io.stdout.write("compiling the benchmarks and the code they measure (tsc → dist-bench/)…\n");
  const complaint = compileSuites(projectRoot);
  if (complaint !== undefined) {
    io.stderr.write(`meterway bench: the benchmarks do not compile:\n${complaint}\n`);
    return 1;
  }
  for (const name of names.length > 0 ? names : suites) {
    io.stdout.write(`bench ${name}\n`);
    await (await loadSuite(projectRoot, name)).run({ io, projectRoot, resultsDir, minCpuMs });
  }
  return 0;
};
