/**
 * A simulated SMETS2 gas meter (GSME) that speaks real GBCS: the same command checks as every
 * simulated device (`CommandChecker`), and GCS13a (0x0074, SRV 4.1.1 for gas): the Metering
 * cluster's consumption register, as a ZCL Read Attributes Response ciphered for the remote party
 * (KDF with CRA flag 4) in a GBZ payload, in a response MACed between the GSME and that party.
 *
 * (A real GSME sleeps on battery and its reads are usually answered by the GPF's mirror; here the
 * GSME answers itself through the hub. Other message codes are dropped as `unsupported`.)
 *
 * The register follows the premises' demand model (`ImportEnergy` of the device's seed): gas energy
 * at three times the electricity model's, converted at 11.2 kWh per m³, in litres (divisor 1000).
 */
import { deriveKeyFromSecret } from "../gbcs/crypto/kdf.js";
import { macKey, protectFrame } from "../gbcs/crypto/mac.js";
import { encryptPayloadData, payloadKdfInfo } from "../gbcs/crypto/payload-encryption.js";
import { encodeFrame, type GbcsFrame, toCosemDateTime } from "../gbcs/frame.js";
import {
  buildGcs13aResponse,
  GCS13A_MESSAGE_CODE,
  type GsmeConsumptionRegister,
} from "../gbcs/gbz/use-cases/gcs13a.js";
import { CommandChecker } from "./command-check.js";
import type { CommandOutcome, SimDevice } from "./device.js";
import type { ImportEnergy } from "./energy.js";
import type { DeviceKeyring } from "./keyring.js";

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

export interface GsmeOptions {
  readonly keys: DeviceKeyring;
  readonly energy: ImportEnergy;
  readonly now: () => number;
}

export class SimGsme implements SimDevice {
  readonly type = "GSME" as const;
  readonly eui: string;
  private readonly energy: ImportEnergy;
  private readonly now: () => number;
  private readonly checker: CommandChecker;

  constructor(options: GsmeOptions) {
    this.eui = options.keys.eui;
    this.energy = options.energy;
    this.now = options.now;
    this.checker = new CommandChecker(options.keys);
  }

  /** The consumption register the meter would report at `at`. */
  register(at = this.now()): GsmeConsumptionRegister {
    return gasConsumptionRegister(this.energy, at);
  }

  async handle(_bytes: Uint8Array, frame: GbcsFrame): Promise<CommandOutcome> {
    const checked = this.checker.check(frame);
    if (!checked.ok) return { dropped: checked.dropped };
    if (frame.messageCode !== GCS13A_MESSAGE_CODE) return { dropped: "unsupported" };
    const at = this.now();
    const header = {
      cra: 2,
      counter: frame.counter,
      originator: this.eui,
      recipient: checked.originator,
    } as const;
    const dataKey = deriveKeyFromSecret(checked.z, payloadKdfInfo(header));
    const response: GbcsFrame = {
      ...header,
      dateTime: toCosemDateTime(new Date(at)),
      messageCode: frame.messageCode,
      content: buildGcs13aResponse({
        readings: this.register(at),
        encrypt: (plaintext, aad) => encryptPayloadData(dataKey, this.eui, plaintext, aad),
      }),
      signature: new Uint8Array(0),
    };
    return { response: encodeFrame(protectFrame(response, macKey(response, checked.z))) };
  }
}
