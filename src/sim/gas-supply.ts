/**
 * The GSME's supply valve as the critical gas use cases drive it: GCS32 Disable Supply (0x0081) and
 * GCS39 Arm Supply (0x0085). Each command is one ZCL Change Supply (Metering cluster, command 0x0B)
 * with a proposed supply status (ZSE: 0 Supply OFF, 1 Supply OFF/ARMED, 2 Supply ON) that must be
 * the one its use case stands for; the GSME answers with a Supply Status Response (command 0x0C)
 * echoing the provider and issuer event ids, with the supply status it now has (the handler is
 * `changeSupply` in `zcl/handlers.ts`).
 */
import type { SupplyState } from "./supply.js";

/** Message code → the status the command must propose and the state it leaves the supply in. */
export const GAS_SUPPLY_COMMANDS: ReadonlyMap<
  number,
  { readonly proposed: number; readonly state: SupplyState }
> = new Map([
  [0x0081, { proposed: 0, state: "Disabled" }],
  [0x0085, { proposed: 1, state: "Armed" }],
]);
