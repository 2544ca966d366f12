/**
 * A simulated SMETS2 gas meter (GSME) that speaks real GBCS: its state is a ZCL attribute store
 * (the generated initial attributes, `zcl/gas-attributes.ts`, and the installation-day records,
 * `zcl/seed.ts`), and one interpreter answers every GBZ command the DCC can send it (`zcl/`): reads
 * and writes of attributes, and the cluster-specific commands with their effects and replies.
 *
 * The critical GCS32 Disable Supply and GCS39 Arm Supply (SRV 7.2, 7.3) are checked for the
 * supplier's signature (its DS certificate from the trust anchors); the valve's state (Metering
 * SupplyStatus) changes and the Supply Status Response is signed with the GSME's DS key (as RTDS's
 * are; MACed when the GSME has no DS key).
 *
 * The consumption register follows the premises' demand model (`ImportEnergy` of the device's
 * seed): gas energy at three times the electricity model's, converted at 11.2 kWh per m³, in litres
 * (divisor 1000). It is refreshed before each command is answered, on the one tier and block in use.
 */

import { ZclCluster } from "../gbcs/gbz/index.js";
import type { GsmeConsumptionRegister } from "../gbcs/gbz/use-cases/gcs13a.js";
import type { Asn1Identity } from "./asn1/device.js";
import type { ImportEnergy } from "./energy.js";
import type { DeviceKeyring } from "./keyring.js";
import type { SupplyState } from "./supply.js";
import { gasAttributeFacts } from "./zcl/gas-attributes.js";
import { ZclGasDevice } from "./zcl/gas-device.js";
import { Attr, attributeNumber, gasCommandHandlers, SupplyStatus } from "./zcl/handlers.js";
import { type ZclFault, ZclInterpreter } from "./zcl/interpreter.js";
import { seedGasRecords } from "./zcl/seed.js";
import { ZclStore } from "./zcl/store.js";

/** The Metering cluster's register of a gas demand model at an instant (m³, in litres). */
export function gasConsumptionRegister(energy: ImportEnergy, at: number): GsmeConsumptionRegister {
  const gasWh = energy.at(at).activeWh * 3;
  return {
    divisor: 1000,
    multiplier: 1,
    unitOfMeasure: 1,
    currentSummationDelivered: Math.floor(gasWh / 11.2),
  };
}

/** What a GPF mirrors of its gas meter: the meter's store, and how its live registers refresh. */
export interface GasMirror {
  readonly store: ZclStore;
  readonly refresh: (store: ZclStore, now: number) => void;
}

export interface GsmeOptions {
  readonly keys: DeviceKeyring;
  readonly energy: ImportEnergy;
  readonly now: () => number;
  /** The valve's state at installation (default Enabled). */
  readonly supply?: SupplyState;
  /** Faults the meter has (a failing register or command); none by default. */
  readonly faults?: readonly ZclFault[];
  /** Its trust anchors, certificates and device log, for the ASN.1 use cases. */
  readonly asn1?: Asn1Identity;
}

const STATUS_OF: Record<SupplyState, number> = {
  Disabled: SupplyStatus.off,
  Armed: SupplyStatus.armed,
  Enabled: SupplyStatus.on,
};

export class SimGsme extends ZclGasDevice {
  readonly type = "GSME" as const;
  /** The meter's attributes and records (the GPF mirrors them). */
  readonly store: ZclStore;
  private readonly energy: ImportEnergy;

  constructor(options: GsmeOptions) {
    const store = new ZclStore(gasAttributeFacts);
    seedGasRecords(store, options.now());
    store.setNumber(ZclCluster.metering, Attr.supplyStatus, STATUS_OF[options.supply ?? "Enabled"]);
    const refresh = (s: ZclStore, now: number) => refreshRegisters(s, options.energy, now);
    super({
      keys: options.keys,
      now: options.now,
      ...(options.asn1 === undefined ? {} : { asn1: options.asn1 }),
      interpreter: new ZclInterpreter({
        store,
        handlers: gasCommandHandlers(),
        refresh,
        faults: options.faults,
      }),
    });
    this.store = store;
    this.energy = options.energy;
  }

  /** The consumption register the meter would report at `at`. */
  register(at = this.now()): GsmeConsumptionRegister {
    return gasConsumptionRegister(this.energy, at);
  }

  /** The valve's state, as the last Disable/Arm Supply command left it. */
  get supplyState(): SupplyState {
    const s = attributeNumber(this.store, ZclCluster.metering, Attr.supplyStatus);
    return s === SupplyStatus.off ? "Disabled" : s === SupplyStatus.armed ? "Armed" : "Enabled";
  }

  /** The meter's data as its GPF mirrors it. */
  mirror(): GasMirror {
    return { store: this.store, refresh: (s, now) => refreshRegisters(s, this.energy, now) };
  }
}

/** The live registers: consumption, on tier 1 and block 1 (the rest stay as they are). */
function refreshRegisters(store: ZclStore, energy: ImportEnergy, now: number): void {
  const r = gasConsumptionRegister(energy, now);
  for (const a of [Attr.currentSummationDelivered, Attr.tierSummation(1), Attr.blockSummation(1)])
    store.setNumber(ZclCluster.metering, a, r.currentSummationDelivered);
}
