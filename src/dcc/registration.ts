/**
 * RDP, the Registration Data Provider view: which supplier and network operator serve a meter point
 * on a date. The access check asks "is this user the registered import supplier of the MPAN behind
 * this ESME now?" (and the same for gas supplier, distributor, transporter).
 */
import type { RegistrationRepository } from "../store/port.js";
import type { DeviceRecord, RegistrationRole } from "../store/types.js";

/** The RDP roles that apply to a meter point's fuel. */
export const ELECTRICITY_ROLES: readonly RegistrationRole[] = ["IS", "ES", "ED"];
export const GAS_ROLES: readonly RegistrationRole[] = ["GS", "GT"];

export class Registration {
  constructor(private readonly registrations: RegistrationRepository) {}

  /** The party holding `role` for `mpxn` at `at`, or undefined. */
  partyAt(mpxn: string, role: RegistrationRole, at: number): Promise<string | undefined> {
    return this.registrations.partyAt(mpxn, role, at);
  }

  /** The registered import supplier of an MPAN at `at`. */
  importSupplier(mpan: string, at: number): Promise<string | undefined> {
    return this.registrations.partyAt(mpan, "IS", at);
  }

  /** The registered gas supplier of an MPRN at `at`. */
  gasSupplier(mprn: string, at: number): Promise<string | undefined> {
    return this.registrations.partyAt(mprn, "GS", at);
  }

  /** The registered network operator of a meter point at `at`: ED for an MPAN, GT for an MPRN. */
  networkOperator(mpxn: string, at: number): Promise<string | undefined> {
    return this.registrations.partyAt(mpxn, isMprn(mpxn) ? "GT" : "ED", at);
  }

  /** Whether `userEui` holds `role` for `mpxn` at `at`. */
  async holds(userEui: string, role: RegistrationRole, mpxn: string, at: number): Promise<boolean> {
    return (await this.registrations.partyAt(mpxn, role, at)) === userEui;
  }

  /**
   * The RDP roles `userEui` holds at `at` on the meter point behind `device` (ESME: its MPAN; GSME and
   * GPF: its MPRN). Empty when the device has no meter point. CHF/IHD access is decided from the
   * other devices on the hub by the access check, not here.
   */
  async rolesOnDevice(device: DeviceRecord, userEui: string, at: number): Promise<RegistrationRole[]> {
    if (device.mpxn === null) return [];
    const roles = isMprn(device.mpxn) ? GAS_ROLES : ELECTRICITY_ROLES;
    const held: RegistrationRole[] = [];
    for (const role of roles) {
      if ((await this.registrations.partyAt(device.mpxn, role, at)) === userEui) held.push(role);
    }
    return held;
  }
}

/** An MPAN core has 13 digits; an MPRN has 6 to 10. */
export function isMprn(mpxn: string): boolean {
  return /^\d{6,10}$/.test(mpxn);
}

/** Whether a string is a 13-digit MPAN core. */
export function isMpan(mpxn: string): boolean {
  return /^\d{13}$/.test(mpxn);
}
