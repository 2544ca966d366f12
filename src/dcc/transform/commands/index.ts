/**
 * Every GBCS command the DCC builds, one row per SRV × use case, grouped by DUIS service area. The
 * transformer indexes them by SRV and device type.
 */
import type { CommandSpec } from "../command-spec.js";
import { configurationCommands } from "./configuration.js";
import { deviceSettingCommands } from "./device-settings.js";
import { hubCommands } from "./hub.js";
import { prepaymentCommands } from "./prepayment.js";
import { readCommands } from "./reads.js";
import { securityCommands } from "./security.js";
import { supplyCommands } from "./supply.js";
import { tariffCommands } from "./tariffs.js";

export const COMMAND_SPECS: readonly CommandSpec[] = [
  ...tariffCommands,
  ...prepaymentCommands,
  ...readCommands,
  ...configurationCommands,
  ...deviceSettingCommands,
  ...securityCommands,
  ...supplyCommands,
  ...hubCommands,
];
