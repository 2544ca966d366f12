/**
 * What every simulated SMETS2 device is to the Communications Hub that relays to it: an EUI, a
 * device type, and a handler for the GBCS commands addressed to it. A device checks what a real
 * device checks (MAC, signature when critical, counter) and answers with the GBCS bytes a real one
 * would send, or with nothing: a real device silently drops a command that fails its checks.
 */
import type { GbcsFrame } from "../gbcs/frame.js";

/** SMETS2 device types that the simulator models (SMI spelling). */
export type SimDeviceType = "ESME" | "GSME" | "GPF" | "CHF" | "IHD" | "PPMID" | "HCALCS";

/** Why a device dropped a command, kept for tests and the simulator's own counters. */
export type DropReason =
  | "malformed"
  | "not-for-me"
  | "bad-mac"
  | "bad-signature"
  | "unknown-originator"
  | "replayed-counter"
  | "unsupported";

export interface CommandOutcome {
  /** The GBCS response (or nothing when the device dropped the command). */
  readonly response?: Uint8Array;
  /** Set when the command was dropped: why. */
  readonly dropped?: DropReason;
  /**
   * Alerts the command's effect raised (GBCS messages with CRA flag 3): the hub sends them to the
   * DCC as unsolicited frames after the response.
   */
  readonly alerts?: readonly Uint8Array[];
}

/**
 * How a hub sends an unsolicited frame (an alert) to the DCC over its WAN link: the composition
 * root passes the WAN's `HubLink.sendUnsolicited`. The simulator knows no more of the WAN than that.
 */
export type Uplink = (hubEui: string, frame: Uint8Array) => Promise<void>;

export interface SimDevice {
  /** 16 uppercase hex, as GBCS system titles carry it. */
  readonly eui: string;
  readonly type: SimDeviceType;
  /**
   * Handles one command addressed to this device. `bytes` are the bytes as received (MACs are
   * checked over them), `frame` their decoding.
   */
  handle(bytes: Uint8Array, frame: GbcsFrame): Promise<CommandOutcome>;
}
