/**
 * The fleet's side of the WAN across a message channel, so that simulated premises can run in a
 * worker thread (or any process reachable by a MessagePort-like channel) while the DCC, its WAN
 * link and the regions' delay models stay in the main thread:
 *
 *   main thread:  InProcessWan ── serveHubLink(port, link) ══ port ══ RemoteHubLink ── SimFleet
 *
 * `RemoteHubLink` implements `HubLink` for the fleet: `attach` registers a hub with the DCC's link
 * (which then routes commands for it through the channel) and `sendUnsolicited` carries alerts.
 * Frames cross as copies (structured clone), which matches the WAN port's buffer ownership rule.
 */
import type { CspRegion } from "../store/types.js";
import { type HubHandler, type HubLink, WanError } from "./port.js";

/** What crosses the channel. */
export type ChannelMessage =
  | { readonly t: "attach"; readonly hub: string; readonly region: CspRegion }
  | { readonly t: "detach"; readonly hub: string }
  | { readonly t: "command"; readonly id: number; readonly hub: string; readonly frame: Uint8Array }
  | { readonly t: "answer"; readonly id: number; readonly frames: readonly Uint8Array[] }
  | { readonly t: "failed"; readonly id: number; readonly message: string }
  | { readonly t: "unsolicited"; readonly id: number; readonly hub: string; readonly frame: Uint8Array }
  | { readonly t: "delivered"; readonly id: number; readonly error?: string };

/** The part of a MessagePort (worker_threads or DOM) this needs. */
export interface Channel {
  postMessage(message: ChannelMessage): void;
  on(event: "message", listener: (message: unknown) => void): unknown;
  off(event: "message", listener: (message: unknown) => void): unknown;
}

/** Narrows what arrived to a ChannelMessage (anything else is ignored: the channel is ours). */
function asMessage(value: unknown): ChannelMessage | undefined {
  if (typeof value !== "object" || value === null || !("t" in value)) return undefined;
  return value as ChannelMessage;
}

/**
 * Serves the DCC's link to a fleet on the other end of `channel`: hubs attached there are attached
 * to `link`, commands for them go through the channel, their unsolicited frames come back into
 * `link`. Returns a function that stops serving and detaches those hubs.
 */
export function serveHubLink(channel: Channel, link: HubLink): () => void {
  const detachers = new Map<string, () => void>();
  const pending = new Map<number, { resolve: (frames: Uint8Array[]) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const onMessage = (raw: unknown) => {
    const message = asMessage(raw);
    if (message === undefined) return;
    switch (message.t) {
      case "attach": {
        const hub = message.hub;
        const handler: HubHandler = (frame) =>
          new Promise((resolve, reject) => {
            const id = nextId++;
            pending.set(id, { resolve, reject });
            channel.postMessage({ t: "command", id, hub, frame });
          });
        detachers.get(hub)?.();
        detachers.set(hub, link.attach(hub, message.region, handler));
        break;
      }
      case "detach":
        detachers.get(message.hub)?.();
        detachers.delete(message.hub);
        break;
      case "answer":
        pending.get(message.id)?.resolve([...message.frames]);
        pending.delete(message.id);
        break;
      case "failed":
        pending.get(message.id)?.reject(new Error(message.message));
        pending.delete(message.id);
        break;
      case "unsolicited": {
        const id = message.id;
        link.sendUnsolicited(message.hub, message.frame).then(
          () => channel.postMessage({ t: "delivered", id }),
          (error: unknown) =>
            channel.postMessage({
              t: "delivered",
              id,
              error: error instanceof Error ? error.message : String(error),
            }),
        );
        break;
      }
      default:
        break;
    }
  };
  channel.on("message", onMessage);
  return () => {
    channel.off("message", onMessage);
    for (const detach of detachers.values()) detach();
    detachers.clear();
    for (const p of pending.values()) p.reject(new Error("hub link closed"));
    pending.clear();
  };
}

/** The fleet's `HubLink` at the far end of a channel served by `serveHubLink`. */
export class RemoteHubLink implements HubLink {
  private readonly handlers = new Map<string, HubHandler>();
  private readonly unsolicited = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly onMessage = (raw: unknown) => {
    const message = asMessage(raw);
    if (message === undefined) return;
    if (message.t === "command") {
      const { id, hub, frame } = message;
      const handler = this.handlers.get(hub);
      if (handler === undefined) {
        this.channel.postMessage({ t: "failed", id, message: `hub ${hub} is not attached` });
        return;
      }
      handler(frame).then(
        (frames) => this.channel.postMessage({ t: "answer", id, frames }),
        (error: unknown) =>
          this.channel.postMessage({
            t: "failed",
            id,
            message: error instanceof Error ? error.message : String(error),
          }),
      );
    } else if (message.t === "delivered") {
      const waiter = this.unsolicited.get(message.id);
      this.unsolicited.delete(message.id);
      if (message.error === undefined) waiter?.resolve();
      else waiter?.reject(new Error(message.error));
    }
  };

  constructor(private readonly channel: Channel) {
    channel.on("message", this.onMessage);
  }

  attach(hubEui: string, region: CspRegion, handler: HubHandler): () => void {
    this.handlers.set(hubEui, handler);
    this.channel.postMessage({ t: "attach", hub: hubEui, region });
    return () => {
      if (this.handlers.get(hubEui) !== handler) return;
      this.handlers.delete(hubEui);
      this.channel.postMessage({ t: "detach", hub: hubEui });
    };
  }

  sendUnsolicited(hubEui: string, frame: Uint8Array): Promise<void> {
    if (!this.handlers.has(hubEui)) {
      return Promise.reject(new WanError("unknown-hub", hubEui, `hub ${hubEui} is not attached`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.unsolicited.set(id, { resolve, reject });
      this.channel.postMessage({ t: "unsolicited", id, hub: hubEui, frame });
    });
  }

  /** Stops listening; unsolicited frames still in flight fail. */
  close(): void {
    this.channel.off("message", this.onMessage);
    for (const w of this.unsolicited.values()) w.reject(new Error("hub link closed"));
    this.unsolicited.clear();
    this.handlers.clear();
  }
}
