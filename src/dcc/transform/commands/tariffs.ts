/**
 * SRV 1.x, tariffs and prices: time-of-use and block tariffs, price and standing charges, the special days and switching tables of ESMEs and GSMEs.
 */
import type { CommandSpec } from "../command-spec.js";

export const tariffCommands: readonly CommandSpec[] = [];
