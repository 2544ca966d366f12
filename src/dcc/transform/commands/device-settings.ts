/**
 * SRV 6.11-6.14, 6.18, 6.20, 6.22 and 6.25-6.32: device settings: the supply tamper and load
 * limiting settings, max demand, billing calendar, alert behaviour, boost, the auxiliary load control
 * calendars and the dual-band Communications Hub's sub-GHz channel.
 */
import type { CommandSpec } from "../command-spec.js";

export const deviceSettingCommands: readonly CommandSpec[] = [];
