/**
 * SRV 6.2-6.8: reading and setting device configuration: voltage, gas and electricity configuration
 * data, the clock, the load limit and supply tamper settings, the CoS party and meter balance
 * thresholds.
 */
import type { CommandSpec } from "../command-spec.js";

export const configurationCommands: readonly CommandSpec[] = [];
