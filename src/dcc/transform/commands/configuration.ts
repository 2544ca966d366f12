/**
 * SRV 6.x (except the security credentials of 6.15-6.24): device configuration, clock, thresholds, logs, event and alert settings, boost and auxiliary load control.
 */
import type { CommandSpec } from "../command-spec.js";

export const configurationCommands: readonly CommandSpec[] = [];
