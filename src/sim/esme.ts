/**
 * A simulated SMETS2 electricity meter (ESME) that speaks real GBCS.
 *
 * On each command it makes the checks GBCS asks of a device (GBCS §4.3, §6.2.3; `CommandChecker`):
 * 1. the command is for it (recipient system title) and carries a MAC Header;
 * 2. the MAC verifies with the key derived from its own KA private key and the ACB's KA public key
 *    (the ACB MACs every command; the KDF uses the header's originator, i.e. the supplier);
 * 3. the originator is a remote party whose KA certificate it holds (the response goes to it);
 * 4. the originator counter is strictly greater than the last accepted from that originator;
 * then it acts and answers. A command failing a check is dropped without an answer, as a real
 * device does (an alert for it is not modelled yet).
 *
 * Use cases implemented: ECS17b (0x0027, SRV 4.1.1 Read Instantaneous Import Registers): the
 * import register collection, encrypted for the remote party (KDF with CRA flag 4), in a response
 * MACed between the ESME and that party; and the critical ECS42/43/44 (SRV 7.1/7.2/7.3 Enable,
 * Disable, Arm Supply), whose originator's signature is checked too (the supplier's DS certificate
 * from the device's trust anchors): the meter's supply state changes, and the response is signed
 * with the ESME's DS key (as RTDS's are; MACed instead when the ESME has no DS key). When Arm Supply
 * moves the switch into Armed, the ESME also raises the critical alert 0x8F32 "Supply Armed" for the
 * supplier that armed it (a Generic Critical Alert, see `alert.ts`), which its hub sends to the DCC
 * as an unsolicited frame. A known non-critical command of a use case not modelled is acknowledged
 * (`acknowledge.ts`: sets and actions succeed, gets answer object-unavailable); any other message
 * code is dropped as `unsupported`.
 *
 * Register values come from an {@link ImportEnergy} model read at the injected clock's time, so
 * they advance with (simulated) time and are reproducible from the device's seed.
 */

import { deriveKeyFromSecret } from "../gbcs/crypto/kdf.js";
import { macKey, protectFrame } from "../gbcs/crypto/mac.js";
import { encryptPayloadData, payloadKdfInfo } from "../gbcs/crypto/payload-encryption.js";
import { signFrame } from "../gbcs/crypto/signature.js";
import {
  buildEcs17bResponse,
  DlmsUnit,
  ECS17B_MESSAGE_CODE,
  type ImportRegisterCollection,
} from "../gbcs/dlms/use-cases/ecs17b.js";
import { encodeFrame, type GbcsFrame, toCosemDateTime } from "../gbcs/frame.js";
import { acknowledge } from "./acknowledge.js";
import { AlertCounter, buildDlmsAlert, SUPPLY_ARMED_ALERT } from "./alert.js";
import { CommandChecker } from "./command-check.js";
import type { CommandOutcome, SimDevice } from "./device.js";
import type { ImportEnergy } from "./energy.js";
import type { DeviceKeyring } from "./keyring.js";
import { buildSupplyResponse, readSupplyCommand, SUPPLY_COMMANDS, type SupplyState } from "./supply.js";

export interface EsmeOptions {
  readonly keys: DeviceKeyring;
  readonly energy: ImportEnergy;
  /** The device's clock (ms since the epoch). */
  readonly now: () => number;
  /** A twin-element ESME reports a second active import register. */
  readonly twin?: boolean;
  /** The supply state at installation (default Enabled). */
  readonly supply?: SupplyState;
}

export class SimEsme implements SimDevice {
  readonly type = "ESME" as const;
  readonly eui: string;
  private readonly keys: DeviceKeyring;
  private readonly energy: ImportEnergy;
  private readonly now: () => number;
  private readonly twin: boolean;
  private readonly checker: CommandChecker;
  private readonly alertCounter: AlertCounter;
  private supply: SupplyState;

  constructor(options: EsmeOptions) {
    this.keys = options.keys;
    this.eui = options.keys.eui;
    this.energy = options.energy;
    this.now = options.now;
    this.twin = options.twin ?? false;
    this.checker = new CommandChecker(options.keys);
    this.alertCounter = new AlertCounter(options.now);
    this.supply = options.supply ?? "Enabled";
  }

  /** The load switch's state, as the last Enable/Disable/Arm Supply command left it. */
  get supplyState(): SupplyState {
    return this.supply;
  }

  /** The register collection the meter would report now (what ECS17b returns, before encryption). */
  registers(at = this.now()): ImportRegisterCollection {
    return importRegisterCollection(this.energy, at, this.twin);
  }

  async handle(_bytes: Uint8Array, frame: GbcsFrame): Promise<CommandOutcome> {
    const critical = SUPPLY_COMMANDS.has(frame.messageCode);
    const checked = this.checker.check(frame, { critical });
    if (!checked.ok) return { dropped: checked.dropped };
    if (critical) return this.switchSupply(frame, checked.originator, checked.z);
    switch (frame.messageCode) {
      case ECS17B_MESSAGE_CODE:
        return { response: this.readImportRegisters(frame, checked.originator, checked.z) };
      default:
        return acknowledge(this.eui, frame, checked.originator, checked.z);
    }
  }

  /** ECS42/43/44: runs the disconnect-control script and answers with its result. */
  private switchSupply(command: GbcsFrame, originator: string, z: Uint8Array): CommandOutcome {
    const read = readSupplyCommand(command.messageCode, command.content);
    if (read === undefined) return { dropped: "malformed" };
    const armed = read.state === "Armed" && this.supply !== "Armed";
    this.supply = read.state;
    const response: GbcsFrame = {
      cra: 2,
      counter: command.counter,
      originator: this.eui,
      recipient: originator,
      dateTime: null,
      messageCode: command.messageCode,
      content: buildSupplyResponse(read.invoke),
      signature: new Uint8Array(0),
    };
    const ds = this.keys.signingPrivateKey(this.eui);
    const bytes = encodeFrame(
      ds === undefined ? protectFrame(response, macKey(response, z)) : signFrame(response, ds),
    );
    const alert = armed ? this.raise(SUPPLY_ARMED_ALERT, originator) : undefined;
    return alert === undefined ? { response: bytes } : { response: bytes, alerts: [alert] };
  }

  /** A critical alert for `recipient`, stamped with the device's clock. */
  private raise(alertCode: number, recipient: string): Uint8Array | undefined {
    return buildDlmsAlert(this.keys, {
      recipient,
      counter: this.alertCounter.next(),
      alertCode,
      at: this.now(),
      critical: true,
    });
  }

  /** ECS17b: the register collection encrypted for the originator, in a MACed response. */
  private readImportRegisters(command: GbcsFrame, originator: string, z: Uint8Array): Uint8Array {
    const at = this.now();
    const header = { cra: 2, counter: command.counter, originator: this.eui, recipient: originator } as const;
    // Sensitive data (GBCS §4.3.3.5): encrypted under the KDF key with CRA flag 4 for the recipient.
    const dataKey = deriveKeyFromSecret(z, payloadKdfInfo(header));
    const content = buildEcs17bResponse({
      counter: command.counter,
      originator: Buffer.from(this.eui, "hex"),
      recipient: Buffer.from(originator, "hex"),
      registers: this.registers(at),
      encrypt: (plaintext, aad) => encryptPayloadData(dataKey, this.eui, plaintext, aad),
    });
    const response: GbcsFrame = {
      ...header,
      dateTime: toCosemDateTime(new Date(at)),
      messageCode: command.messageCode,
      content,
      signature: new Uint8Array(0),
    };
    return encodeFrame(protectFrame(response, macKey(response, z)));
  }
}

/**
 * The ECS17b import register collection of an energy model at an instant: active import (Wh) and
 * reactive import (varh), scaler 0; a twin-element meter adds its second element's active import.
 */
export function importRegisterCollection(
  energy: ImportEnergy,
  at: number,
  twin = false,
): ImportRegisterCollection {
  const reading = energy.at(at);
  const base = {
    activeImportValue: reading.activeWh,
    activeImportScaler: 0,
    activeImportUnit: DlmsUnit.Wh,
    reactiveImportValue: reading.reactiveVarh,
    reactiveImportScaler: 0,
    reactiveImportUnit: DlmsUnit.varh,
  };
  // The second element of a twin meter: a share of the same premises' energy.
  return twin ? { ...base, secondActiveImportValue: Math.floor(reading.activeWh / 4) } : base;
}
