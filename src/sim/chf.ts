/**
 * A simulated Communications Hub Function (CHF): the premises' end of the WAN. It receives GBCS
 * commands from the DCC and relays each one over the HAN to the device named by the recipient
 * system title, then returns that device's answer. Commands for the CHF itself with a DLMS payload
 * (CCS01-07, DBCH01-05, ECS26i/n, ECS35c/d) are answered by its own COSEM objects
 * (`chf-function.ts`) when the hub has its keys; its ASN.1 commands (CS02
 * credentials, CS03/CS04 joins, CS07 its device log…) go to its own ASN.1 device when it has one
 * (`HubOptions.asn1`); anything else is dropped as `unsupported` (the DCC times out).
 *
 * The CHF Device Log (`chf-device-log.ts`) holds every device joined to the HAN. A CCS01 adds a
 * device to it and joins the simulated device of that EUI to the HAN when `resolve` finds one; a
 * CCS02 removes it from the log (to the Historic Device Log) but the simulator keeps relaying to it,
 * so that a premises whose device log was edited still reaches its meters.
 */
import { DecodeError } from "../gbcs/errors.js";
import { decodeFrame } from "../gbcs/frame.js";
import { Asn1Handler } from "./asn1/handler.js";
import { ChfDeviceLog } from "./chf-device-log.js";
import { ChfFunction } from "./chf-function.js";
import type { CommandOutcome, DropReason, SimDevice, Uplink } from "./device.js";
import type { DeviceKeyring } from "./keyring.js";

/** What the hub needs to answer the commands addressed to itself. */
export interface HubOptions {
  /** The hub's keys (its KA private key, the remote parties' certificates); none: it answers nothing itself. */
  readonly keys?: DeviceKeyring;
  /** The hub's clock (ms since the epoch); default the system's. */
  readonly now?: () => number;
  /** The simulated device of an EUI a CCS01 adds to the device log, to join it to the HAN. */
  readonly resolve?: (eui: string) => SimDevice | undefined;
  /** The hub's own ASN.1 use cases (`asn1/device.ts`); none: dropped as unsupported. */
  readonly asn1?: SimDevice;
}

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
  /** The CHF Device Log and Historic Device Log. */
  readonly deviceLog: ChfDeviceLog;
  private readonly own: ChfFunction | undefined;

  constructor(
    eui: string,
    devices: readonly SimDevice[] = [],
    private readonly uplink?: Uplink,
    private readonly options: HubOptions = {},
  ) {
    this.eui = eui.toUpperCase();
    this.linkEui = eui;
    this.deviceLog = new ChfDeviceLog(this.eui, options.now ?? Date.now);
    const resolve = options.resolve;
    this.own =
      options.keys === undefined
        ? undefined
        : new ChfFunction({
            keys: options.keys,
            log: this.deviceLog,
            join: (id) => {
              const device = this.han.get(id) ?? resolve?.(id);
              if (device === undefined) return false;
              this.han.set(id, device);
              return true;
            },
          });
    for (const device of devices) this.join(device);
  }

  /** Joins a device to the HAN, with its CHF Device Log entry. */
  join(device: SimDevice): void {
    const eui = device.eui.toUpperCase();
    this.han.set(eui, device);
    this.deviceLog.add(eui, true);
  }

  /** Whether the hub relays to the device of this EUI. */
  reaches(eui: string): boolean {
    return this.han.has(eui.toUpperCase());
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
    const recipient = frame.recipient.toUpperCase();
    if (recipient === this.eui) {
      if (this.options.asn1 !== undefined && Asn1Handler.handles(frame))
        return this.options.asn1.handle(bytes, frame);
      return this.own?.handle(frame) ?? { dropped: "unsupported" };
    }
    const device = this.han.get(recipient);
    // Not on the HAN: not reachable.
    if (device === undefined) return { dropped: "not-for-me" };
    this.stats.relayed += 1;
    const outcome = await device.handle(bytes, frame);
    if (outcome.response !== undefined) this.deviceLog.communicated(recipient);
    return outcome;
  }
}
