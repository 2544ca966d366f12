/**
 * DUIS Command Variants 1-8 (CV 9 is internal to the DCC and never sent by a user). The web service
 * is where the request must be POSTed: `serviceS` (Send Command), `serviceT` (Transform) or
 * `serviceD` (Non-Device, also used for commands returned for local delivery).
 */

/** The DCC Boxed path segment of each DUIS web service. */
export type WebService = "serviceS" | "serviceT" | "serviceD";

export interface CommandVariantDefinition {
  readonly cv: number;
  readonly description: string;
  /** What the user sends: a Service Request or a Signed Pre-Command. */
  readonly input: "Service Request" | "Signed Pre-Command";
  /** What the DCC produces. */
  readonly output: string;
  readonly webService: WebService;
  /** The input carries a user-signed GBCS Pre-Command (a critical command). */
  readonly signedPreCommand: boolean;
  /** The DCC sends a command to the device over the SM WAN. */
  readonly smWan: boolean;
  /** The synchronous answer returns something to the user (a command for local delivery, a
   * pre-command or a non-device response) rather than only an acknowledgement. */
  readonly returnsToUser: boolean;
}

export const commandVariants = [
  {
    cv: 1,
    description: "Non-critical Service Request for a Command to be sent to a Device via the SM WAN",
    input: "Service Request",
    output: "Command",
    webService: "serviceS",
    signedPreCommand: false,
    smWan: true,
    returnsToUser: false,
  },
  {
    cv: 2,
    description: "Non-critical Service Request for a Command to be returned to the User for local delivery",
    input: "Service Request",
    output: "Command for Local Delivery",
    webService: "serviceD",
    signedPreCommand: false,
    smWan: false,
    returnsToUser: true,
  },
  {
    cv: 3,
    description:
      "Non-critical Service Request for a Command sent via the SM WAN and a copy returned to the User for local delivery",
    input: "Service Request",
    output: "Command and Command for Local Delivery",
    webService: "serviceS",
    signedPreCommand: false,
    smWan: true,
    returnsToUser: true,
  },
  {
    cv: 4,
    description:
      "Transform a critical Service Request and return the Pre-Command to the User for correlation and signing",
    input: "Service Request",
    output: "Pre-Command",
    webService: "serviceT",
    signedPreCommand: false,
    smWan: false,
    returnsToUser: true,
  },
  {
    cv: 5,
    description: "Critical Signed Pre-Command for a Command to be sent to a Device via the SM WAN",
    input: "Signed Pre-Command",
    output: "Command",
    webService: "serviceS",
    signedPreCommand: true,
    smWan: true,
    returnsToUser: false,
  },
  {
    cv: 6,
    description: "Critical Signed Pre-Command for a Command to be returned to the User for local delivery",
    input: "Signed Pre-Command",
    output: "Command for Local Delivery",
    webService: "serviceD",
    signedPreCommand: true,
    smWan: false,
    returnsToUser: true,
  },
  {
    cv: 7,
    description:
      "Critical Signed Pre-Command for a Command sent via the SM WAN and a copy returned to the User for local delivery",
    input: "Signed Pre-Command",
    output: "Command and Command for Local Delivery",
    webService: "serviceS",
    signedPreCommand: true,
    smWan: true,
    returnsToUser: true,
  },
  {
    cv: 8,
    description: "Request a Non-Device Service",
    input: "Service Request",
    output: "Service Response",
    webService: "serviceD",
    signedPreCommand: false,
    smWan: false,
    returnsToUser: true,
  },
] as const satisfies readonly CommandVariantDefinition[];

/** A DUIS Command Variant a user may send (1-8). */
export type CommandVariant = (typeof commandVariants)[number]["cv"];

/** Whether `value` is a Command Variant a user may send. */
export function isCommandVariant(value: number): value is CommandVariant {
  return Number.isInteger(value) && value >= 1 && value <= 8;
}

/** The definition of a Command Variant. */
export function commandVariant(cv: CommandVariant): CommandVariantDefinition {
  const found = commandVariants.find((c) => c.cv === cv);
  if (found === undefined) throw new RangeError(`no command variant ${cv}`);
  return found;
}
