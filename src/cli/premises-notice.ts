/**
 * The one thing `meterway start` says about `--premises` on a data folder that already has a
 * fleet: a fleet only grows (see `provisionFleet`), so `--premises 10` on a folder of 100 premises
 * keeps 100. Without this line the flag looks ignored.
 */
import { relative } from "node:path";
import { DEFAULTS, type MeterwayConfig } from "../config/config.js";
import type { Dcc } from "./compose.js";

/** A line to print at start when the store holds more premises than asked for, else "". */
export function premisesNotice(
  config: MeterwayConfig,
  dcc: Pick<Dcc, "fleet" | "firstRun">,
  cwd = process.cwd(),
): string {
  // Only the demo profile sizes its fleet by --premises; and without the flag (the default) the
  // user asked for nothing, so a larger fleet is no surprise.
  if (config.profile !== "demo" || dcc.firstRun || config.premises === DEFAULTS.premises) return "";
  if (dcc.fleet.premises <= config.premises) return "";
  const held = `${dcc.fleet.premises} premises`;
  const asked = `--premises ${config.premises}`;
  if (config.store.kind === "sqlite") {
    const rel = relative(cwd, config.dataDir);
    const folder = rel === "" ? "." : rel.startsWith("..") ? config.dataDir : `./${rel}`;
    return `note: the data folder ${folder} already holds ${held}; ${asked} applies only to a new folder (a fleet grows, never shrinks); use --data DIR for a new one\n`;
  }
  return `note: the store already holds ${held}; ${asked} applies only to a new store (a fleet grows, never shrinks); use --store with another database for a new one\n`;
}
