/**
 * SMI, the Smart Metering Inventory service: the device facts the access check and the router need
 * (type, status, hub, meter point, region), over the store's device repository.
 */
import type { Bus } from "../bus/port.js";
import type { DeviceRepository } from "../store/port.js";
import type { DeviceRecord, DeviceStatus } from "../store/types.js";

export class Inventory {
  constructor(
    private readonly devices: DeviceRepository,
    /** When given, status changes are published as `device.status`. */
    private readonly bus?: Bus,
  ) {}

  /** The device, or undefined when the SMI does not know it. */
  device(eui: string): Promise<DeviceRecord | undefined> {
    return this.devices.get(eui);
  }

  /** The Communications Hub (CHF record) a device is joined to, or undefined. */
  async hubOf(eui: string): Promise<DeviceRecord | undefined> {
    const device = await this.devices.get(eui);
    if (device?.hubEui == null) return undefined;
    return device.hubEui === device.eui ? device : this.devices.get(device.hubEui);
  }

  /** Every device on the same hub as `eui` (the premises' HAN), the CHF included. */
  async premisesOf(eui: string): Promise<DeviceRecord[]> {
    const device = await this.devices.get(eui);
    if (device?.hubEui == null) return device === undefined ? [] : [device];
    return this.devices.byHub(device.hubEui);
  }

  /** The devices serving an MPAN or MPRN. */
  byMpxn(mpxn: string): Promise<DeviceRecord[]> {
    return this.devices.byMpxn(mpxn);
  }

  /** Changes a device's SMI status; false when unknown. Publishes `device.status` when a bus is given. */
  async setStatus(eui: string, status: DeviceStatus, at: number): Promise<boolean> {
    const changed = await this.devices.setStatus(eui, status, at);
    if (changed && this.bus !== undefined) await this.bus.publish("device.status", { eui, status, at });
    return changed;
  }
}
