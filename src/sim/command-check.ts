/**
 * The checks every simulated device makes on a command before acting (GBCS §4.3, §6.2.3): it is a
 * command for this device, it carries a MAC Header, the MAC verifies with the key derived from the
 * device's KA private key and the ACB's KA public key, the originator is a remote party the device
 * holds a KA certificate for (the response goes to it), and the originator counter is strictly
 * greater than the last one accepted from that originator. A critical command must also carry the
 * originator's signature, verified with the DS certificate in the device's trust anchor cells
 * (GBCS §6.2.4); a device that holds none for the originator refuses it.
 */
import { ACB_EUI } from "../gbcs/crypto/keys.js";
import { macKey, verifyMac } from "../gbcs/crypto/mac.js";
import { verifySignature } from "../gbcs/crypto/signature.js";
import type { GbcsFrame } from "../gbcs/frame.js";
import type { DropReason } from "./device.js";
import type { DeviceKeyring } from "./keyring.js";

export type CommandCheck =
  | {
      readonly ok: true;
      /** The originator (16 uppercase hex). */
      readonly originator: string;
      /** ECDH secret with the originator: keys the response's MAC and payload encryption. */
      readonly z: Uint8Array;
    }
  | { readonly ok: false; readonly dropped: DropReason };

/** The last originator counter a device accepted from each remote party (GBCS anti-replay). */
export interface CounterLog {
  last(originator: string): bigint | undefined;
  accept(originator: string, counter: bigint): void;
}

export class CommandChecker implements CounterLog {
  /** Last accepted originator counter per remote party (GBCS anti-replay). */
  private readonly lastCounter = new Map<string, bigint>();

  constructor(private readonly keys: DeviceKeyring) {}

  last(originator: string): bigint | undefined {
    return this.lastCounter.get(originator.toUpperCase());
  }

  accept(originator: string, counter: bigint): void {
    this.lastCounter.set(originator.toUpperCase(), counter);
  }

  /**
   * Checks a command; `critical` asks for the originator's signature too. A `deviceOriginated`
   * command (a PPMID's top-up or emergency credit) is MACed by its originating device, not the ACB.
   */
  check(
    frame: GbcsFrame,
    options: { readonly critical?: boolean; readonly deviceOriginated?: boolean } = {},
  ): CommandCheck {
    const eui = this.keys.eui;
    if (frame.cra !== 1 || frame.recipient.toUpperCase() !== eui) return { ok: false, dropped: "not-for-me" };
    if (frame.mac === undefined) return { ok: false, dropped: "malformed" };
    const originator = frame.originator.toUpperCase();
    const macer = this.keys.sharedSecret(options.deviceOriginated === true ? originator : ACB_EUI, eui);
    if (macer === undefined || !verifyMac(frame, macKey(frame, macer)))
      return { ok: false, dropped: "bad-mac" };
    const z = this.keys.sharedSecret(eui, originator);
    if (z === undefined) return { ok: false, dropped: "unknown-originator" };
    if (options.critical === true) {
      const ds = this.keys.signingPublicKey(originator);
      if (ds === undefined || !verifySignature(frame, ds)) return { ok: false, dropped: "bad-signature" };
    }
    const last = this.lastCounter.get(originator);
    if (last !== undefined && frame.counter <= last) return { ok: false, dropped: "replayed-counter" };
    this.lastCounter.set(originator, frame.counter);
    return { ok: true, originator, z };
  }
}
