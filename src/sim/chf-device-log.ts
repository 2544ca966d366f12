/**
 * The CHF Device Log and the CHF Historic Device Log (GBCS §10.6 / the CCS use cases), held by the
 * ZigBee network control objects (Blue Book class 104): 0-0:30.3.0.255 is the CHF Device Log (the
 * HAN "whitelist"), 0-0:30.3.1.255 the CHF Historic Device Log.
 *
 * - register_device (method 1, CCS01): adds { ieee_address, key_type, key (the install code), … }
 *   to the Device Log. A device already there keeps its entry (its key parameter is discarded).
 * - unregister_device (method 2, CCS02): moves the device's entry to the Historic Device Log (with
 *   its TC Link Key hash, when one was established; at most 15 entries, the oldest overwritten).
 * - backup_PAN (method 4, CCS07): { backup date-time, extended PAN id, array of { device id, hash of
 *   the TC Link Key (empty when none was established) } } of the log the object holds.
 * - restore_PAN (method 5, CCS03): { extended PAN id, array of { device id, TC Link Key hash } }
 *   replaces the Device Log and sets the extended PAN id.
 * - active_devices (attribute 4, CCS05/CCS04/CCS06): a row per device of the Device Log, with the
 *   date-time the hub last communicated with it.
 *
 * The simulator negotiates no ZigBee keys: a device that joined the HAN has a "TC Link Key" whose
 * hash is a fixed function of the hub's and the device's EUIs (16 bytes, as RTDS's are).
 */
import { createHash } from "node:crypto";
import { ActionResult, type DlmsData, type ObisCode } from "../gbcs/dlms/index.js";
import { toCosemDateTime } from "../gbcs/frame.js";

export const ZIGBEE_NETWORK_CONTROL = 104;
export const DEVICE_LOG: ObisCode = "0-0:30.3.0.255";
export const HISTORIC_DEVICE_LOG: ObisCode = "0-0:30.3.1.255";
export const REGISTER_DEVICE = 1;
export const UNREGISTER_DEVICE = 2;
export const BACKUP_PAN = 4;
export const RESTORE_PAN = 5;
export const ACTIVE_DEVICES = 4;

/** GBCS: the Historic Device Log keeps the 15 most recently removed devices. */
const HISTORIC_ENTRIES = 15;

interface Entry {
  /** The hash of the TC Link Key established with the device (empty: none yet). */
  linkKeyHash: Uint8Array;
  /** When the hub last communicated with the device (ms), or when it was added. */
  lastCommunication: number;
}

const octets = (value: Uint8Array): DlmsData => ({ type: "octet-string", value });
const euiBytes = (eui: string): Uint8Array => Uint8Array.from(Buffer.from(eui, "hex"));
const euiOf = (d: DlmsData | undefined): string | undefined =>
  d?.type === "octet-string" && d.value.length === 8
    ? Buffer.from(d.value).toString("hex").toUpperCase()
    : undefined;

export class ChfDeviceLog {
  private readonly log = new Map<string, Entry>();
  /** Removed devices, oldest first. */
  private readonly historic = new Map<string, Uint8Array>();
  private extendedPanId: Uint8Array;

  constructor(
    private readonly hubEui: string,
    private readonly now: () => number,
  ) {
    // The hub forms its PAN with its own EUI as extended PAN id until a restore_PAN sets another.
    this.extendedPanId = euiBytes(hubEui);
  }

  /** The device EUIs of the Device Log. */
  devices(): string[] {
    return [...this.log.keys()];
  }

  has(eui: string): boolean {
    return this.log.has(eui.toUpperCase());
  }

  /** Adds a device; `joined`: it is on the HAN, with a TC Link Key established. */
  add(eui: string, joined: boolean): void {
    const id = eui.toUpperCase();
    const entry = this.log.get(id);
    if (entry !== undefined) {
      if (joined && entry.linkKeyHash.length === 0) entry.linkKeyHash = this.linkKeyHash(id);
      return;
    }
    this.log.set(id, {
      linkKeyHash: joined ? this.linkKeyHash(id) : new Uint8Array(0),
      lastCommunication: this.now(),
    });
  }

  /** Removes a device to the Historic Device Log; false when it is not in the Device Log. */
  remove(eui: string): boolean {
    const id = eui.toUpperCase();
    const entry = this.log.get(id);
    if (entry === undefined) return false;
    this.log.delete(id);
    if (entry.linkKeyHash.length > 0) {
      this.historic.delete(id);
      this.historic.set(id, entry.linkKeyHash);
      while (this.historic.size > HISTORIC_ENTRIES) this.historic.delete(this.historic.keys().next().value!);
    }
    return true;
  }

  /** The hub relayed a command to the device and got its answer. */
  communicated(eui: string): void {
    const entry = this.log.get(eui.toUpperCase());
    if (entry !== undefined) entry.lastCommunication = this.now();
  }

  /** register_device: { ieee_address, key_type, key, … }; the devices it names join by `onAdd`. */
  register(parameters: DlmsData, onAdd: (eui: string) => boolean): { result: number } {
    const eui = parameters.type === "structure" ? euiOf(parameters.elements[0]) : undefined;
    if (eui === undefined) return { result: ActionResult["type-unmatched"] };
    this.add(eui, onAdd(eui));
    return { result: ActionResult.success };
  }

  /** unregister_device: the device id. */
  unregister(parameters: DlmsData): { result: number } {
    const eui = euiOf(parameters);
    if (eui === undefined) return { result: ActionResult["type-unmatched"] };
    return { result: this.remove(eui) ? ActionResult.success : ActionResult["object-unavailable"] };
  }

  /** backup_PAN of the Device Log (`historic` false) or the Historic Device Log. */
  backup(historic: boolean): { result: number; data: DlmsData } {
    const rows = historic
      ? [...this.historic]
      : [...this.log].map(([eui, e]) => [eui, e.linkKeyHash] as const);
    return {
      result: ActionResult.success,
      data: {
        type: "structure",
        elements: [
          octets(toCosemDateTime(new Date(this.now()))),
          octets(this.extendedPanId),
          {
            type: "array",
            elements: rows.map(([eui, hash]) => ({
              type: "structure" as const,
              elements: [octets(euiBytes(eui)), octets(hash)],
            })),
          },
        ],
      },
    };
  }

  /** restore_PAN: { extended PAN id, array of { device id, TC Link Key hash } } replaces the Device Log. */
  restore(parameters: DlmsData, onAdd: (eui: string) => boolean): { result: number } {
    if (parameters.type !== "structure") return { result: ActionResult["type-unmatched"] };
    const [panId, devices] = parameters.elements;
    if (panId?.type !== "octet-string" || devices?.type !== "array")
      return { result: ActionResult["type-unmatched"] };
    const restored = new Map<string, Entry>();
    for (const d of devices.elements) {
      const eui = d.type === "structure" ? euiOf(d.elements[0]) : undefined;
      const hash = d.type === "structure" ? d.elements[1] : undefined;
      if (eui === undefined || hash?.type !== "octet-string")
        return { result: ActionResult["type-unmatched"] };
      restored.set(eui, { linkKeyHash: hash.value, lastCommunication: this.now() });
    }
    this.extendedPanId = panId.value;
    this.log.clear();
    for (const [eui, entry] of restored) {
      this.log.set(eui, entry);
      onAdd(eui);
    }
    return { result: ActionResult.success };
  }

  /**
   * active_devices: per device { device_address, status, max/average/min RSSI, max/average/min LQI,
   * last_communication_date_time, number_of_hops, transmission_failures, transmission_success,
   * application_version, stack_version }. The radio figures are those of a good, one-hop link.
   */
  activeDevices(): DlmsData {
    const u = (value: number): DlmsData => ({ type: "unsigned", value });
    const i = (value: number): DlmsData => ({ type: "integer", value });
    return {
      type: "array",
      elements: [...this.log].map(([eui, e]) => ({
        type: "structure" as const,
        elements: [
          octets(euiBytes(eui)),
          { type: "bit-string", bitLength: 8, bits: new Uint8Array(1) },
          i(-40),
          i(-50),
          i(-60),
          u(240),
          u(220),
          u(200),
          octets(toCosemDateTime(new Date(e.lastCommunication))),
          u(1),
          u(0),
          u(100),
          u(1),
          u(1),
        ],
      })),
    };
  }

  private linkKeyHash(eui: string): Uint8Array {
    return Uint8Array.from(createHash("sha256").update(`${this.hubEui}:${eui}`).digest().subarray(0, 16));
  }
}
