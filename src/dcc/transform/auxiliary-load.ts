/**
 * The auxiliary load controls of an ESME (SRV 7.5-7.16): the Auxiliary Load Control Switches (ALCS,
 * and HAN-connected HCALCS) and Auxiliary Proportional Controllers (APC), each numbered n = 1..5.
 *
 * A command to them runs a script of a Script Table (class 9, method 1 `execute`) whose
 * script_identifier says what to do (GBCS §7.3.6): for ECS47a/ECS47e the most significant nibble is
 * the direction (1 output, 2 input from the controlled load), the next nibble n, and the low octet
 * the commanded level (0-100, the 'p' or 'q' of GBCS §7.3.6.1); for ECS47 (7.5 activate, 7.6
 * deactivate, 7.8 reset) the high octet is n and the low octet the action. The setting period or
 * duration goes first into the controller's own Data objects, 0-0:94.44.(116+n).x.
 */
import type { ObisCode } from "../../gbcs/dlms/index.js";
import { action, type DlmsRequestItem, dlms, set } from "./dlms-builder.js";
import { dateTimeOctets } from "./execution-date.js";

/** Script Table method 1, execute(script_identifier). */
const EXECUTE = 1;
/** Data attribute 2, value. */
const VALUE = 2;

/** The Script Tables the auxiliary controls run: Set State (ECS47, ECS47a) and Limit APC Level (ECS47e). */
export const AUXILIARY_SCRIPT_TABLES = {
  state: "0-0:10.0.103.255",
  limit: "0-0:10.0.107.255",
} as const satisfies Record<string, ObisCode>;

/** ECS47's action octets: turn on for a duration, turn off for a duration, return to the schedule. */
export const ALCS_ACTIONS = { activate: 0x11, deactivate: 0x12, reset: 0x20 } as const;

/** ECS47a/ECS47e direction nibble: the commanded level applies to the output, or to the input from the load. */
export const APC_DIRECTION = { output: 0x1, input: 0x2 } as const;

/** The Data object `0-0:94.44.(116+n).index` of auxiliary controller n. */
export function controllerObject(n: number, index: number): ObisCode {
  return `0-0:94.44.${116 + n}.${index}`;
}

/** The Data objects of controller n: ECS47 durations (1 on, 2 off), ECS47a (1, 2) and ECS47e (3, 4) periods. */
export const CONTROLLER_OBJECT_INDEX = {
  activateDuration: 1,
  deactivateDuration: 2,
  stateStart: 1,
  stateEnd: 2,
  limitStart: 3,
  limitEnd: 4,
} as const;

/** A set of a controller's Data object. */
export function setController(n: number, index: number, value: Parameters<typeof set>[3]): DlmsRequestItem {
  return set(1, controllerObject(n, index), VALUE, value);
}

/** A set of a controller's date-time Data object (octet-string(12)). */
export function setControllerDateTime(n: number, index: number, ms: number): DlmsRequestItem {
  return setController(n, index, dlms.octets(dateTimeOctets(ms)));
}

/** The execute of a script of an auxiliary Script Table. */
export function executeScript(table: ObisCode, scriptId: number): DlmsRequestItem {
  return action(9, table, EXECUTE, dlms.longUnsigned(scriptId));
}

/** ECS47's script: switch n, action. */
export function alcsScript(n: number, act: number): number {
  return (n << 8) | act;
}

/** ECS47a/ECS47e's script: direction, controller n, commanded level. */
export function controllerLevelScript(direction: number, n: number, level: number): number {
  return (direction << 12) | (n << 8) | level;
}
