/**
 * SRV 8.x, 9.x, 11.x and 14.x: the Communications Hub and its HAN (device log, joins and unjoins, commissioning, restore), firmware, synchronising clocks.
 */
import type { CommandSpec } from "../command-spec.js";

export const hubCommands: readonly CommandSpec[] = [];
