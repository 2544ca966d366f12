/**
 * SRV 2.x and 3.x, prepayment and credit: mode, top-ups (UTRN), debt, credit and emergency credit, meter balance, payment-mode settings.
 */
import type { CommandSpec } from "../command-spec.js";

export const prepaymentCommands: readonly CommandSpec[] = [];
