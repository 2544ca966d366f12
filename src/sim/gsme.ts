/**
 * A simulated SMETS2 gas meter (GSME) that speaks real GBCS: the same command checks as every
 * simulated device (`CommandChecker`), and GCS13a (0x0074, SRV 4.1.1 for gas): the Metering
 * cluster's consumption register, as a ZCL Read Attributes Response ciphered for the remote party
 * (KDF with CRA flag 4) in a GBZ payload, in a response MACed between the GSME and that party.
 *
 * The critical GCS32 Disable Supply and GCS39 Arm Supply (SRV 7.2, 7.3) are checked for the
 * supplier's signature as well (its DS certificate from the trust anchors); the valve's state
 * changes and the Supply Status Response is signed with the GSME's DS key (as RTDS's are; MACed
 * when the GSME has no DS key).
 *
 * (A real GSME sleeps on battery and its reads are usually answered by the GPF's mirror; here the
 * GSME answers itself through the hub. A known non-critical command of a use case not modelled is
 * acknowledged (`acknowledge.ts`: Default Responses, attributes unsupported); any other message
 * code is dropped as `unsupported`.)
 *
 * The register follows the premises' demand model (`ImportEnergy` of the device's seed): gas energy
 * at three times the electricity model's, converted at 11.2 kWh per m³, in litres (divisor 1000).
 */
import { deriveKeyFromSecret } from "../gbcs/crypto/kdf.js";
import { macKey, protectFrame } from "../gbcs/crypto/mac.js";
import { encryptPayloadData, payloadKdfInfo } from "../gbcs/crypto/payload-encryption.js";
import { signFrame } from "../gbcs/crypto/signature.js";
import { encodeFrame, type GbcsFrame, toCosemDateTime } from "../gbcs/frame.js";
import {
  buildGcs13aResponse,
  GCS13A_MESSAGE_CODE,
  type GsmeConsumptionRegister,
} from "../gbcs/gbz/use-cases/gcs13a.js";
import { acknowledge } from "./acknowledge.js";
import { CommandChecker } from "./command-check.js";
import type { CommandOutcome, SimDevice } from "./device.js";
import type { ImportEnergy } from "./energy.js";
import { buildGasSupplyResponse, GAS_SUPPLY_COMMANDS, readGasSupplyCommand } from "./gas-supply.js";
import type { DeviceKeyring } from "./keyring.js";
import type { SupplyState } from "./supply.js";

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
  /** The valve's state at installation (default Enabled). */
  readonly supply?: SupplyState;
}

export class SimGsme implements SimDevice {
  readonly type = "GSME" as const;
  readonly eui: string;
  private readonly energy: ImportEnergy;
  private readonly now: () => number;
  private readonly checker: CommandChecker;
  private readonly keys: DeviceKeyring;
  private supply: SupplyState;

  constructor(options: GsmeOptions) {
    this.eui = options.keys.eui;
    this.keys = options.keys;
    this.supply = options.supply ?? "Enabled";
    this.energy = options.energy;
    this.now = options.now;
    this.checker = new CommandChecker(options.keys);
  }

  /** The consumption register the meter would report at `at`. */
  register(at = this.now()): GsmeConsumptionRegister {
    return gasConsumptionRegister(this.energy, at);
  }

  /** The valve's state, as the last Disable/Arm Supply command left it. */
  get supplyState(): SupplyState {
    return this.supply;
  }

  async handle(_bytes: Uint8Array, frame: GbcsFrame): Promise<CommandOutcome> {
    const critical = GAS_SUPPLY_COMMANDS.has(frame.messageCode);
    const checked = this.checker.check(frame, { critical });
    if (!checked.ok) return { dropped: checked.dropped };
    if (critical) return this.changeSupply(frame, checked.originator, checked.z);
    if (frame.messageCode !== GCS13A_MESSAGE_CODE)
      return acknowledge(this.eui, frame, checked.originator, checked.z);
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

  /** GCS32/GCS39: the valve goes to the proposed state; a Supply Status Response says so. */
  private changeSupply(command: GbcsFrame, originator: string, z: Uint8Array): CommandOutcome {
    const read = readGasSupplyCommand(command);
    if (read === undefined) return { dropped: "malformed" };
    this.supply = read.state;
    const response: GbcsFrame = {
      cra: 2,
      counter: command.counter,
      originator: this.eui,
      recipient: originator,
      dateTime: null,
      messageCode: command.messageCode,
      content: buildGasSupplyResponse(read),
      signature: new Uint8Array(0),
    };
    const ds = this.keys.signingPrivateKey(this.eui);
    return {
      response: encodeFrame(
        ds === undefined ? protectFrame(response, macKey(response, z)) : signFrame(response, ds),
      ),
    };
  }
}
