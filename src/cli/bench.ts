/**
 * `meterway bench [suite...]`: runs benchmark suites and writes their results (<suite>.json and a
 * markdown table <suite>.md) to bench/results/local/, which git ignores, or to `--out DIR`. The
 * committed results in bench/results/ are rewritten only with `--record`: a run on a laptop does
 * not change the numbers the project publishes by accident. Suites live in bench/<suite>.ts,
 * outside the shipped code. Each suite measures against a baseline taken in the same run, never a
 * fixed number.
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
  /** Where to write <suite>.json and <suite>.md (bench/results/local/, `--out`, or with `--record` bench/results/). */
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
const suites = ["gbcs", "duis", "transform", "platform", "e2e"] as const;
type SuiteName = (typeof suites)[number];

function isSuite(name: string): name is SuiteName {
  return (suites as readonly string[]).includes(name);
}

const USAGE = `usage: meterway bench [suite...] [--min-cpu-ms N] [--out DIR | --record]
suites: ${suites.join(", ")} (all when none is named)
writes <suite>.json and <suite>.md to bench/results/local/ (ignored by git), or to --out DIR;
--record writes them to bench/results/, the committed results`;

/** What a `meterway bench` command line asks for. */
export interface BenchRun {
  readonly suites: readonly SuiteName[];
  readonly minCpuMs: number;
  readonly resultsDir: string;
}

/** Reads the command line; "help", or a complaint for bad usage. */
export function parseBenchArgs(
  args: readonly string[],
  projectRoot: string,
  cwd = process.cwd(),
): BenchRun | "help" | { readonly complaint: string } {
  const names: SuiteName[] = [];
  let minCpuMs = 2000;
  let out: string | undefined;
  let record = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--help" || a === "-h") return "help";
    if (a === "--min-cpu-ms") {
      minCpuMs = Number(args[++i]);
      if (!Number.isFinite(minCpuMs) || minCpuMs <= 0)
        return { complaint: "--min-cpu-ms needs a positive number" };
    } else if (a === "--out") {
      out = args[++i];
      if (out === undefined || out === "") return { complaint: "--out needs a folder" };
    } else if (a === "--record") record = true;
    else if (isSuite(a)) names.push(a);
    else return { complaint: `unknown suite '${a}'` };
  }
  if (record && out !== undefined)
    return { complaint: "--record writes bench/results/; give --out or --record" };
  const committed = join(projectRoot, "bench", "results");
  const resultsDir = record ? committed : out !== undefined ? resolve(cwd, out) : join(committed, "local");
  return { suites: names.length > 0 ? names : suites, minCpuMs, resultsDir };
}

export const bench: Command = async (args, io) => {
  const projectRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
  const run = parseBenchArgs(args, projectRoot);
  if (run === "help") {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ("complaint" in run) {
    io.stderr.write(`meterway bench: ${run.complaint}\n${USAGE}\n`);
    return 2;
  }
  const { minCpuMs, resultsDir } = run;
  mkdirSync(resultsDir, { recursive: true });
  io.stdout.write(`results go to ${resultsDir}\n`);
  io.stdout.write("compiling the benchmarks and the code they measure (tsc → dist-bench/)…\n");
  const complaint = compileSuites(projectRoot);
  if (complaint !== undefined) {
    io.stderr.write(`meterway bench: the benchmarks do not compile:\n${complaint}\n`);
    return 1;
  }
  for (const name of run.suites) {
    io.stdout.write(`bench ${name}\n`);
    await (await loadSuite(projectRoot, name)).run({ io, projectRoot, resultsDir, minCpuMs });
  }
  return 0;
};
