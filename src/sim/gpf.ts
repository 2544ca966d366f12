/**
 * A simulated Gas Proxy Function (GPF) that checks commands as every simulated device does
 * (`CommandChecker`) and acknowledges the known non-critical ones (`acknowledge.ts`), e.g. GCS09
 * Set Change of Tenancy date (SRV 3.2), whose use cases it does not model further. Built only when
 * the key store holds the GPF's KA private key; otherwise the fleet keeps the silent stub.
 */
import type { GbcsFrame } from "../gbcs/frame.js";
import { acknowledge } from "./acknowledge.js";
import { CommandChecker } from "./command-check.js";
import type { CommandOutcome, SimDevice } from "./device.js";
import type { DeviceKeyring } from "./keyring.js";

export class SimGpf implements SimDevice {
  readonly type = "GPF" as const;
  readonly eui: string;
  private readonly checker: CommandChecker;

  constructor(keys: DeviceKeyring) {
    this.eui = keys.eui;
    this.checker = new CommandChecker(keys);
  }

  async handle(_bytes: Uint8Array, frame: GbcsFrame): Promise<CommandOutcome> {
    const checked = this.checker.check(frame);
    if (!checked.ok) return { dropped: checked.dropped };
    return acknowledge(this.eui, frame, checked.originator, checked.z);
  }
}
