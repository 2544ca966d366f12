/**
 * The WAN port: how the DCC reaches Communications Hubs through the CSP regions, and how hubs reach
 * the DCC. Frames are whole GBCS messages as bytes; the WAN neither reads nor changes them.
 *
 * Two sides, each the smallest interface its user needs:
 * - `Wan` is the DCC's side: send a command to a hub and get the frames the hub answers with, and
 *   receive unsolicited frames (alerts, future-dated responses, late responses from sleepy devices).
 * - `HubLink` is the premises' side (the simulator): attach a hub's handler, send unsolicited frames.
 *
 * Buffer ownership: a frame passed in is not retained after the call resolves and is never modified;
 * a frame handed out belongs to the receiver.
 */
import type { CspRegion } from "../store/types.js";

/** Why a frame did not make it, as a value the pipeline maps to a DUIS/GBCS outcome. */
export type WanFailure =
  /** No hub with that EUI is attached (not installed, or its premises are offline). */
  | "unknown-hub"
  /** The region's model dropped the command or the response. */
  | "lost"
  /** No answer within the timeout. */
  | "timeout"
  /** The link is closed. */
  | "closed";

export class WanError extends Error {
  override readonly name = "WanError";
  constructor(
    readonly failure: WanFailure,
    readonly hubEui: string,
    message?: string,
  ) {
    super(message ?? `WAN ${failure} for hub ${hubEui}`);
  }
}

export interface WanSendOptions {
  /** Give up after this long (ms of the link's clock); default the link's own. */
  readonly timeoutMs?: number;
}

/** An unsolicited frame from a hub (alert or later response). */
export interface InboundFrame {
  readonly hubEui: string;
  readonly region: CspRegion;
  readonly frame: Uint8Array;
  /** When it reached the DCC (ms of the link's clock). */
  readonly at: number;
}

/** The DCC's side of the WAN. */
export interface Wan {
  /**
   * Sends a command frame to a hub; resolves with the frames the hub answers with (possibly none,
   * e.g. a command whose response comes later as an unsolicited frame), or rejects with WanError.
   */
  send(hubEui: string, frame: Uint8Array, options?: WanSendOptions): Promise<Uint8Array[]>;
  /** Receives unsolicited frames; returns a function that stops it. */
  onInbound(handler: (inbound: InboundFrame) => void): () => void;
  close(): Promise<void>;
}

/** What a hub does with a command: answer with zero or more frames (the simulator implements it). */
export type HubHandler = (frame: Uint8Array) => Promise<Uint8Array[]>;

/** The premises' side of the WAN. */
export interface HubLink {
  /** Attaches a hub in a region; returns a function that detaches it. */
  attach(hubEui: string, region: CspRegion, handler: HubHandler): () => void;
  /** Sends an unsolicited frame from a hub to the DCC (subject to the region's model). */
  sendUnsolicited(hubEui: string, frame: Uint8Array): Promise<void>;
}
