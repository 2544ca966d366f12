/**
 * The ESME's supply switch as the critical use cases drive it: ECS42 Enable Supply, ECS43 Disable
 * Supply, ECS44 Arm Supply (message codes 0x004F, 0x0050, 0x0051). Each command executes a script of
 * the Disconnect Control Script Table (class 9, 0-0:10.0.106.255, method 1) — 51 enables, 52
 * disables, 54 arms — and the ESME answers with an access-response whose one action result is
 * `success` (0) and whose data is null-data, as in the RTDS responses. The ESME runs the script as a
 * method handler of its COSEM interpreter (see `esme.ts`).
 */

/** The supply states of an ESME's load switch. */
export type SupplyState = "Enabled" | "Disabled" | "Armed";

/** Message code → the script it runs and the state it leaves the supply in. */
export const SUPPLY_COMMANDS: ReadonlyMap<
  number,
  { readonly useCase: string; readonly scriptId: number; readonly state: SupplyState }
> = new Map([
  [0x004f, { useCase: "ECS42", scriptId: 51, state: "Enabled" }],
  [0x0050, { useCase: "ECS43", scriptId: 52, state: "Disabled" }],
  [0x0051, { useCase: "ECS44", scriptId: 54, state: "Armed" }],
]);

/** The Disconnect Control Script Table and its execute method. */
export const DISCONNECT_CONTROL_SCRIPTS = { classId: 9, obis: "0-0:10.0.106.255", execute: 1 } as const;

/** Script id → the state it leaves the supply in. */
export const SUPPLY_SCRIPTS: ReadonlyMap<number, SupplyState> = new Map(
  [...SUPPLY_COMMANDS.values()].map((c) => [c.scriptId, c.state]),
);
