/**
 * Access control for a device Service Request (DUIS §3.3 "Access Control"): may this user send this
 * SRV to this device now? The checks, in the order DUIS applies them, each with its response code:
 *
 * 1. the user's roles include one the SRV is eligible for (catalogue)         → E2
 * 2. the device is in the SMI (inventory)                                     → E19
 * 3. the SRV applies to the device's type (the SRV's GBCS use cases)          → E11
 * 4. the user is the registered party for the device's meter point at the
 *    instant, in one of those roles (RDP: e.g. the import supplier of the
 *    MPAN behind an ESME for 4.1.1); for a device without a meter point of its
 *    own, for one of the meter points on its premises                          → E4
 * 5. the device's SMI status allows the request                               → E5
 *
 * A refusal is returned as data ({@link AccessDenied}); the pipeline turns it into the DUIS error.
 * (The "is this a valid user" check, E1, is the signature step's: a request signed with an unknown
 * certificate never gets here.)
 */
import type { DeviceRecord, DeviceStatus, DeviceType, RegistrationRole, UserRole } from "../store/types.js";
import type { Inventory } from "./inventory.js";
import type { Registration } from "./registration.js";

/** The facts of an SRV the access check needs (a catalogue row). */
export interface SrvAccessFacts {
  readonly srv: string;
  /** Roles eligible to send it. */
  readonly roles: readonly string[];
  /** Device types the SRV can be sent to (from its GBCS use cases). */
  readonly deviceTypes: readonly DeviceType[];
}

export interface AccessRequest {
  /** The sender's EUI (16 lowercase hex). */
  readonly user: string;
  /** The sender's roles (from the user directory). */
  readonly userRoles: readonly UserRole[];
  /** Target device EUI (16 lowercase hex). */
  readonly device: string;
  readonly srv: SrvAccessFacts;
  /** The instant the request is checked for (ms since the epoch): now, or the execution date. */
  readonly at: number;
}

export type AccessCode = "E2" | "E4" | "E5" | "E11" | "E19";

export type AccessDecision =
  | {
      readonly ok: true;
      readonly device: DeviceRecord;
      /** The role the user acts in for this request (the registration that matched). */
      readonly role: UserRole;
    }
  | { readonly ok: false; readonly code: AccessCode; readonly reason: string };

/** Roles that RDP records per meter point; other roles (OU, RSA) are not tied to a meter point. */
const REGISTERED_ROLES: ReadonlySet<string> = new Set<RegistrationRole>(["IS", "ES", "GS", "ED", "GT"]);

/**
 * SMI statuses in which a device accepts commands sent over the SM WAN, by the kind of party
 * (DUIS "Eligible Device Status" for commands): suppliers may already talk to a device that is
 * installed but not yet commissioned; network operators only to commissioned devices.
 */
const WAN_STATUSES: Readonly<Record<"supplier" | "networkOperator", ReadonlySet<DeviceStatus>>> = {
  supplier: new Set<DeviceStatus>(["Commissioned", "InstalledNotCommissioned"]),
  networkOperator: new Set<DeviceStatus>(["Commissioned"]),
};

function partyKind(role: UserRole): "supplier" | "networkOperator" {
  return role === "ED" || role === "GT" ? "networkOperator" : "supplier";
}

export class AccessControl {
  constructor(
    private readonly inventory: Pick<Inventory, "device" | "premisesOf">,
    private readonly registration: Pick<Registration, "partyAt">,
  ) {}

  async check(request: AccessRequest): Promise<AccessDecision> {
    const { srv } = request;
    const eligible = request.userRoles.filter((role) => srv.roles.includes(role));
    if (eligible.length === 0) {
      return {
        ok: false,
        code: "E2",
        reason: `roles ${request.userRoles.join(",") || "(none)"} may not send SRV ${srv.srv} (eligible: ${srv.roles.join(",")})`,
      };
    }
    const device = await this.inventory.device(request.device);
    if (device === undefined) {
      return { ok: false, code: "E19", reason: `device ${request.device} is not in the SMI` };
    }
    if (!srv.deviceTypes.includes(device.type)) {
      return {
        ok: false,
        code: "E11",
        reason: `SRV ${srv.srv} does not apply to a ${device.type} (applies to ${srv.deviceTypes.join(",")})`,
      };
    }
    const role = await this.registeredRole(device, request.user, eligible, request.at);
    if (role === undefined) {
      return {
        ok: false,
        code: "E4",
        reason: `user ${request.user} is not the registered ${eligible.join("/")} for ${device.mpxn ?? "the device's meter point"} at ${new Date(request.at).toISOString()}`,
      };
    }
    if (!WAN_STATUSES[partyKind(role)].has(device.status)) {
      return { ok: false, code: "E5", reason: `device ${device.eui} is ${device.status}` };
    }
    return { ok: true, device, role };
  }

  /**
   * The first eligible role in which the user is the registered party of the device's meter point.
   * A device without one of its own (the hub, a PPMID, an HCALCS, an IHD) takes those of the
   * metering devices on its premises (the same hub): their registered supplier or network operator
   * is its responsible party.
   */
  private async registeredRole(
    device: DeviceRecord,
    user: string,
    eligible: readonly UserRole[],
    at: number,
  ): Promise<UserRole | undefined> {
    // A role RDP does not record per meter point (an Other User, OU) is not a registered party of
    // any device: for an SRV it may send, the check does not apply (DUIS access for Other Users).
    const unregistered = eligible.find((role) => !REGISTERED_ROLES.has(role));
    if (unregistered !== undefined) return unregistered;
    const points =
      device.mpxn !== null
        ? [device.mpxn]
        : [
            ...new Set(
              (await this.inventory.premisesOf(device.eui)).flatMap((d) => (d.mpxn === null ? [] : [d.mpxn])),
            ),
          ];
    for (const mpxn of points) {
      for (const role of eligible) {
        if (!REGISTERED_ROLES.has(role)) continue;
        const party = await this.registration.partyAt(mpxn, role as RegistrationRole, at);
        if (party === user) return role;
      }
    }
    return undefined;
  }
}
