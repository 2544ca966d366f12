/**
 * A simulated Gas Proxy Function (GPF): the part of the Communications Hub that holds a mirror of
 * the gas meter's data (a battery GSME sleeps; the GPF answers for it), GBCS §7.2 and the "reliable
 * GPF" RTDS use cases (GCS13a/b/c, GCS14, GCS16b, GCS60a, GCS61…). It speaks the same GBZ as the
 * GSME through the same interpreter, over the meter's own store when the premises has a GSME
 * (`SimGsme.mirror()`), or over a store of its own otherwise. Its commands are checked with its own
 * keys, and its responses MACed (or ciphered) between the GPF and the requester.
 */
import type { Asn1Identity } from "./asn1/device.js";
import type { GasMirror } from "./gsme.js";
import type { DeviceKeyring } from "./keyring.js";
import { gasAttributeFacts } from "./zcl/gas-attributes.js";
import { ZclGasDevice } from "./zcl/gas-device.js";
import { gasCommandHandlers } from "./zcl/handlers.js";
import { type ZclFault, ZclInterpreter } from "./zcl/interpreter.js";
import { seedGasRecords } from "./zcl/seed.js";
import { ZclStore } from "./zcl/store.js";

export interface GpfOptions {
  readonly keys: DeviceKeyring;
  readonly now: () => number;
  /** The gas meter whose data the GPF mirrors; none: a store of its own. */
  readonly meter?: GasMirror;
  /** Faults the GPF has (a failing mirrored register or command); none by default. */
  readonly faults?: readonly ZclFault[];
  /** Its trust anchors, certificates and device log, for the ASN.1 use cases. */
  readonly asn1?: Asn1Identity;
}

export class SimGpf extends ZclGasDevice {
  readonly type = "GPF" as const;
  /** The mirrored data the GPF answers from. */
  readonly store: ZclStore;

  constructor(options: GpfOptions) {
    const store = options.meter?.store ?? ownStore(options.now());
    super({
      keys: options.keys,
      now: options.now,
      ...(options.asn1 === undefined ? {} : { asn1: options.asn1 }),
      interpreter: new ZclInterpreter({
        store,
        handlers: gasCommandHandlers(),
        refresh: options.meter?.refresh,
        faults: options.faults,
      }),
    });
    this.store = store;
  }
}

function ownStore(now: number): ZclStore {
  const store = new ZclStore(gasAttributeFacts);
  seedGasRecords(store, now);
  return store;
}
