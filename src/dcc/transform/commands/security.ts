/**
 * SRV 6.15-6.24 and 8.5: the security credentials of devices (GBCS CS02 use cases), certificates on and from devices.
 */
import type { CommandSpec } from "../command-spec.js";

export const securityCommands: readonly CommandSpec[] = [];
