/**
 * Stand-ins for the HAN devices whose GBCS use cases are not modelled yet: the In-Home Display
 * (IHD), the prepayment interface (PPMID) and the auxiliary load control switch (HCALCS). They join the hub's HAN so that the premises is complete
 * and routing works, and they drop every command as `unsupported`: no answer goes back, so the DCC
 * records a "no response from device" (E21) rather than anything made up.
 *
 * In practice these stubs only see commands in tests of the hub's routing.
 */
import type { CommandOutcome, SimDevice, SimDeviceType } from "./device.js";

export class SimStubDevice implements SimDevice {
  readonly eui: string;
  /** Commands received (each dropped as unsupported). */
  received = 0;

  constructor(
    eui: string,
    readonly type: Exclude<SimDeviceType, "ESME" | "GSME" | "GPF" | "CHF">,
  ) {
    this.eui = eui.toUpperCase();
  }

  async handle(): Promise<CommandOutcome> {
    this.received += 1;
    return { dropped: "unsupported" };
  }
}
