/**
 * A HAN device whose only GBCS use cases modelled are the ASN.1 ones every device shares (security
 * credentials, joins, device log, firmware version: `handler.ts`): the PPMID and the HCALCS, whose
 * other commands (their GBZ/DLMS reads) are dropped as unsupported, so the DCC records no answer
 * rather than a made-up one.
 */
import type { GbcsFrame } from "../../gbcs/frame.js";
import type { CommandOutcome, SimDevice, SimDeviceType } from "../device.js";
import type { DeviceKeyring } from "../keyring.js";
import { Asn1Handler, type Asn1HandlerOptions } from "./handler.js";

/** What a device's ASN.1 use cases start from, besides its keys and clock. */
export type Asn1Identity = Omit<Asn1HandlerOptions, "keys" | "now">;

export interface Asn1DeviceOptions {
  readonly keys: DeviceKeyring;
  readonly now: () => number;
  readonly asn1?: Asn1Identity;
}

export abstract class Asn1Device implements SimDevice {
  abstract readonly type: SimDeviceType;
  readonly eui: string;
  /** Its ASN.1 use cases' state (trust anchors, device log). */
  readonly asn1: Asn1Handler;

  constructor(options: Asn1DeviceOptions) {
    this.eui = options.keys.eui;
    this.asn1 = new Asn1Handler({ keys: options.keys, now: options.now, ...options.asn1 });
  }

  async handle(_bytes: Uint8Array, frame: GbcsFrame): Promise<CommandOutcome> {
    if (!Asn1Handler.handles(frame)) return { dropped: "unsupported" };
    return this.asn1.handle(frame);
  }
}

/** The Communications Hub's own ASN.1 use cases (those addressed to the CHF itself). */
export class SimChfAsn1 extends Asn1Device {
  readonly type = "CHF" as const;
}
