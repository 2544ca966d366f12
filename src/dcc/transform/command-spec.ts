/**
 * A GBCS command described as data: which SRV and device types it serves, its use case and message
 * code, and how its payload tree is made from the DUIS body. The transformer (`index.ts`) looks the
 * spec up by SRV and device type, picks the variant the body selects, builds the payload tree,
 * encodes it with the codec of its family (`gbcs/payload.ts`: the same encoder that reproduces every
 * RTDS message byte for byte), wraps it in the grouping header and has the ACB MAC it.
 *
 * Specs are grouped by DUIS service area in `commands/`; each group is a plain array, so adding a
 * use case is adding a row. The payload builders (`dlms-builder.ts`, `gbz-builder.ts`) keep each
 * row close to the GBCS use-case template it follows: descriptors and fields as data, the DUIS
 * values bound by small functions of the body.
 */
import type { Srv } from "../../catalogue/index.js";
import type { DuisElement } from "../../duis/model/element.js";
import type { GbcsPayload } from "../../gbcs/payload.js";
import type { DeviceType, UserRole } from "../../store/types.js";

/** What a command is built from: the request's identity, its body and the DCC's time. */
export interface CommandContext {
  /** The Service User's EUI (16 hex, upper case): the command's originator. */
  readonly originator: string;
  /** The device's EUI (16 hex, upper case): the command's recipient. */
  readonly device: string;
  /** The device's SMI type. */
  readonly deviceType: DeviceType;
  /** The DUIS RequestID counter: the command's originator counter (transaction id). */
  readonly counter: bigint;
  /** The SRV's body element (`Body/<element>`), prefixes and whitespace gone. */
  readonly body: DuisElement;
  /** The DCC's time of the transform (ms since the epoch): GBZ Issuer Event IDs are made from it. */
  readonly at: number;
  /** What the DCC's records say of the other devices the body names (a join's other device). */
  readonly records: DeviceRecords;
  /**
   * The role the user acts in for this request (the access check's: `IS`, `ED`…), where known: some
   * reads differ by the party (6.2.10 reads the supplier's or the network operator's settings).
   */
  readonly role: UserRole | undefined;
}

/**
 * The DCC's records of devices, as a command needs them: the Smart Metering Inventory's device type
 * and the key-agreement certificate SMKI holds. A join names only the other device; its type decides
 * the GBCS join method, its certificate goes into a Method C join.
 */
export interface DeviceRecords {
  /** The SMI type of a device (EUI, 16 hex, any case), or undefined when the inventory lacks it. */
  deviceType(eui: string): DeviceType | undefined;
  /** The device's key-agreement certificate (DER), or undefined. */
  kaCertificate(eui: string): Uint8Array | undefined;
}

/** Records that know no device: a command that needs them is refused as needing a record. */
export const NO_RECORDS: DeviceRecords = { deviceType: () => undefined, kaCertificate: () => undefined };

/** One GBCS command the DCC builds for an SRV on some device types. */
export interface CommandSpec {
  /** The SRV whose requests this command serves. */
  readonly srv: Srv;
  /** The GBCS use case, as the RTDS and the GBCS use-case list name it (e.g. `ECS26b`). */
  readonly useCase: string;
  /** The message code in the grouping header (CS02b has one per credential kind). */
  readonly messageCode: number;
  /** The device types it is sent to. */
  readonly deviceTypes: readonly DeviceType[];
  /**
   * Whether the body selects this variant, where an SRV has several use cases for one device type
   * (e.g. 6.2.4 reads ECS26e, ECS26i, ECS26m or ECS26n by what the body asks for). Absent: always.
   */
  readonly applies?: (ctx: CommandContext) => boolean;
  /** The payload tree (DLMS, GBZ, ASN.1 or other), encoded by the codec of its family. */
  readonly payload: (ctx: CommandContext) => GbcsPayload;
  /** The grouping header's date-time (12 bytes COSEM), where the use case carries one. */
  readonly dateTime?: (ctx: CommandContext) => Uint8Array | null;
}

/** A body field the command needs is missing or does not read as its type: the transform cannot go on. */
export class BodyFieldError extends Error {
  override readonly name = "BodyFieldError";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}
