/**
 * A simulated HAN-connected auxiliary load control switch (HCALCS): it answers the ASN.1 use cases
 * of every device (CS02 credentials, CS03/CS04 joins with its ESME, CS07 its device log, CS08 its
 * firmware version), see `asn1/handler.ts`; its other commands are not modelled and are dropped.
 */
import { Asn1Device } from "./asn1/device.js";

export class SimHcalcs extends Asn1Device {
  readonly type = "HCALCS" as const;
}
