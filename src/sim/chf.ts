/**
 * A simulated Communications Hub Function (CHF): the premises' end of the WAN. It receives GBCS
 * commands from the DCC and relays each one over the HAN to the device named by the recipient
 * system title, then returns that device's answer. The ASN.1 commands for the CHF itself (CS02
 * credentials, CS03/CS04 joins, CS07 its device log…) go to its own ASN.1 device when it has one;
 * its other commands are dropped as `unsupported` (the DCC times out).
 */
import { DecodeError } from "../gbcs/errors.js";
import { decodeFrame } from "../gbcs/frame.js";
import { Asn1Handler } from "./asn1/handler.js";
import type { CommandOutcome, DropReason, SimDevice, Uplink } from "./device.js";

/** Counts of what a hub did, for the simulator's metrics and tests. */
export interface HubStats {
  relayed: number;
  answered: number;
  /** Alerts sent up the WAN link, and those that could not be (no link, hub detached, WAN closed). */
  alertsSent: number;
  alertsLost: number;
  dropped: Partial<Record<DropReason, number>>;
}

export class SimCommsHub {
  readonly eui: string;
  /** The EUI as given: the hub names itself so on its WAN link (the key it was attached with). */
  private readonly linkEui: string;
  readonly type = "CHF" as const;
  private readonly han = new Map<string, SimDevice>();
  readonly stats: HubStats = { relayed: 0, answered: 0, alertsSent: 0, alertsLost: 0, dropped: {} };

  constructor(
    eui: string,
    devices: readonly SimDevice[] = [],
    private readonly uplink?: Uplink,
    /** The hub's own ASN.1 use cases (`asn1/device.ts`); none: dropped as unsupported. */
    private readonly asn1?: SimDevice,
  ) {
    this.eui = eui.toUpperCase();
    this.linkEui = eui;
    for (const device of devices) this.join(device);
  }

  /** Joins a device to the HAN (a CHF device log entry). */
  join(device: SimDevice): void {
    this.han.set(device.eui.toUpperCase(), device);
  }

  /** The WAN hub handler: one command in, zero or one response out. */
  readonly handle = async (bytes: Uint8Array): Promise<Uint8Array[]> => {
    const outcome = await this.relay(bytes);
    if (outcome.alerts !== undefined && outcome.alerts.length > 0) this.sendAlerts(outcome.alerts);
    if (outcome.response !== undefined) {
      this.stats.answered += 1;
      return [outcome.response];
    }
    const reason = outcome.dropped ?? "unsupported";
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    return [];
  };

  /** Sends alerts up the WAN link once the response has gone (the next turn of the event loop). */
  private sendAlerts(alerts: readonly Uint8Array[]): void {
    const uplink = this.uplink;
    if (uplink === undefined) {
      this.stats.alertsLost += alerts.length;
      return;
    }
    setImmediate(() => {
      for (const alert of alerts) {
        uplink(this.linkEui, alert).then(
          () => {
            this.stats.alertsSent += 1;
          },
          () => {
            // The WAN refused it (hub detached, link closed): gone, as on a real WAN.
            this.stats.alertsLost += 1;
          },
        );
      }
    });
  }

  private async relay(bytes: Uint8Array): Promise<CommandOutcome> {
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      if (error instanceof DecodeError) return { dropped: "malformed" };
      throw error;
    }
    if (frame.cra !== 1) return { dropped: "malformed" };
    if (this.asn1 !== undefined && frame.recipient.toUpperCase() === this.eui && Asn1Handler.handles(frame))
      return this.asn1.handle(bytes, frame);
    const device = this.han.get(frame.recipient.toUpperCase());
    if (device === undefined) {
      // For the hub itself or a device not in its device log: not modelled / not reachable.
      return { dropped: frame.recipient.toUpperCase() === this.eui ? "unsupported" : "not-for-me" };
    }
    this.stats.relayed += 1;
    return device.handle(bytes, frame);
  }
}
