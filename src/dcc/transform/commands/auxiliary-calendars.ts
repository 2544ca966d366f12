/**
 * SRV 6.14.2 and 6.14.3: the auxiliary load control switch calendars (ECS46c) and the auxiliary
 * controller calendars (ECS46d).
 */
import type { CommandSpec } from "../command-spec.js";

export const auxiliaryCalendarCommands: readonly CommandSpec[] = [];
