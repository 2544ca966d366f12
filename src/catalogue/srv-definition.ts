import type { UserRole } from "./roles.js";

/**
 * When a future-dated request answers: `none` (not future-datable), `dsp` (the DCC holds the request
 * and sends it at the execution date), `device` (the device holds it and acts at the date), or
 * `dspAndDevice` (either, by target).
 */
export type FutureDatedPattern = "none" | "dsp" | "device" | "dspAndDevice";

/** One row of the DUIS request matrix: what a Service Reference Variant is and who may send it. */
export interface SrvDefinition {
  /** Service Reference Variant, e.g. `4.1.1`. */
  readonly srv: string;
  /** Service Reference, e.g. `4.1`. */
  readonly sr: string;
  /** The DUIS Service Request name, e.g. `Read Instantaneous Import Registers`. */
  readonly name: string;
  /** A critical request: the user signs a Pre-Command (CV4 → CV5/6/7). */
  readonly critical: boolean;
  /** Can be sent for immediate execution. */
  readonly onDemand: boolean;
  readonly futureDated: FutureDatedPattern;
  /** Can be put on a DCC schedule (SRV 5.1 Create Schedule). */
  readonly dccScheduled: boolean;
  /** Answered by the DCC itself (CV8); no device command. */
  readonly nonDevice: boolean;
  /** User roles eligible to send it. */
  readonly roles: readonly UserRole[];
  /**
   * The Command Variants DUIS allows for it: the family its kind allows (CV8 non-device, CV4-7
   * critical, CV1-3 otherwise), narrowed where the DUIS 5.4 XSD's note beside the SRV says so.
   */
  readonly cvs: readonly number[];
  /** The DUIS 5.4 `Request/Body` element that carries it. */
  readonly body: string;
}
