/**
 * A simulated SMETS2 electricity meter (ESME) that speaks real GBCS: a COSEM object store (the
 * objects of `cosem/esme-objects.ts`, generated from the RTDS ESME use cases) behind one xDLMS
 * interpreter (`cosem/interpreter.ts`), so it answers every DLMS command the DCC can send it.
 *
 * On each command it makes the checks GBCS asks of a device (GBCS §4.3, §6.2.3; `CommandChecker`):
 * 1. the command is for it (recipient system title) and carries a MAC Header;
 * 2. the MAC verifies with the key derived from its own KA private key and the ACB's KA public key;
 * 3. the originator is a remote party whose KA certificate it holds (the response goes to it);
 * 4. the originator counter is strictly greater than the last accepted from that originator;
 * 5. a critical command (by its message code) carries its originator's signature, which verifies
 *    with the DS certificate in the device's trust anchors.
 * A command failing a check, or whose payload is not DLMS, is dropped without an answer; a message
 * code without RTDS facts is critical when it is signed.
 *
 * The response (GBCS §7, the RTDS responses): the access-response of the interpreter, in a grouping
 * header dated with the ESME's clock where the use case's response is, signed with the ESME's DS
 * key where the RTDS response of the use case is signed (MACed when the ESME has no DS key), else
 * MACed for the recipient. Sensitive values (get_protected_attributes) are encrypted for the party
 * they are for: the recipient, or the Supplementary Remote Party the command names, under the
 * ESME's own Supplementary Originator Counter.
 *
 * Side effects, as method handlers: the Disconnect Control Script Table (class 9, 0-0:10.0.106.255,
 * execute: script 51 enables, 52 disables, 54 arms the supply; ECS42/43/44), and the critical alert
 * 0x8F32 "Supply Armed" when the switch moves into Armed (a Generic Critical Alert to the party that
 * armed it, see `alert.ts`). Live attributes: the clock, the disconnect control state, the import
 * register collection read by ECS17b and the half-hour import profile (from an {@link ImportEnergy}
 * model at the clock's time), and every profile's rows, captured up to the clock's time.
 */

import { deriveKeyFromSecret } from "../gbcs/crypto/kdf.js";
import { macKey, protectFrame } from "../gbcs/crypto/mac.js";
import { encryptPayloadData, payloadKdfInfo, payloadParties } from "../gbcs/crypto/payload-encryption.js";
import { signFrame } from "../gbcs/crypto/signature.js";
import {
  type AccessRequest,
  ActionResult,
  type DlmsData,
  decodeDlmsPayload,
  encodeApdu,
  isDlmsContent,
} from "../gbcs/dlms/index.js";
import {
  DlmsUnit,
  type ImportRegisterCollection,
  importRegisterCollectionToData,
} from "../gbcs/dlms/use-cases/ecs17b.js";
import { DecodeError } from "../gbcs/errors.js";
import {
  cosemDateTime,
  encodeFrame,
  type GbcsFrame,
  type SupplementaryInfo,
  toCosemDateTime,
} from "../gbcs/frame.js";
import { AlertCounter, buildDlmsAlert, SUPPLY_ARMED_ALERT } from "./alert.js";
import type { Asn1Identity } from "./asn1/device.js";
import { Asn1Handler } from "./asn1/handler.js";
import { CommandChecker } from "./command-check.js";
import { ESME_ATTRIBUTES, ESME_METHODS, ESME_USE_CASES } from "./cosem/esme-objects.js";
import type { UseCaseFact } from "./cosem/facts.js";
import { type ActionHandler, CosemInterpreter, methodKey } from "./cosem/interpreter.js";
import { BUFFER, CAPTURE_PERIOD, capturedRows, msOf, PROFILE_CLASS } from "./cosem/profiles.js";
import { protectedReadHandler, type SensitiveContext } from "./cosem/protected-read.js";
import { CosemStore } from "./cosem/store.js";
import type { CommandOutcome, SimDevice } from "./device.js";
import type { ImportEnergy } from "./energy.js";
import type { DeviceKeyring } from "./keyring.js";
import { DISCONNECT_CONTROL_SCRIPTS, SUPPLY_SCRIPTS, type SupplyState } from "./supply.js";

export interface EsmeOptions {
  readonly keys: DeviceKeyring;
  readonly energy: ImportEnergy;
  /** The device's clock (ms since the epoch). */
  readonly now: () => number;
  /** A twin-element ESME: its registers and profiles have the second element's values too. */
  readonly twin?: boolean;
  /** The supply state at installation (default Enabled). */
  readonly supply?: SupplyState;
  /** Its trust anchors, certificates and device log, for the ASN.1 use cases (CS02, CS03…). */
  readonly asn1?: Asn1Identity;
}

/** Facts of the objects the ESME's own behaviour is tied to (Blue Book classes, GBCS OBIS codes). */
const CLOCK = { classId: 8, obis: "0-0:1.0.0.255", time: 2 } as const;
const DISCONNECT_CONTROL = { classId: 70, obis: "0-0:96.3.10.255", controlState: 3 } as const;
const IMPORT_REGISTERS = { classId: 1, obis: "0-0:94.44.34.10", value: 2 } as const;
/** The Half Hour Profile Data (active import) of ECS22b: { capture time, active import in the half hour }. */
const HALF_HOUR_IMPORT_PROFILE = "0-0:99.1.0.255";
/** The half-hour profiles (ECS22a/b/c), which capture every 1800 s though no command reads their period. */
const HALF_HOUR_PROFILES: ReadonlySet<string> = new Set([
  "0-0:99.1.0.255",
  "0-0:99.1.1.255",
  "0-0:99.1.2.255",
]);
const HALF_HOUR = 1800;
const DATA_PROTECTION_CLASS = 30;
const GET_PROTECTED_ATTRIBUTES = 1;

/** Disconnect Control control_state (Blue Book class 70): disconnected, connected, ready_for_reconnection. */
const CONTROL_STATE: Readonly<Record<SupplyState, number>> = { Disabled: 0, Enabled: 1, Armed: 2 };

/** Rows a profile holds: the last periods up to the clock's time. */
const PROFILE_ROWS = 48;

/** The context of one command, as the method handlers see it. */
interface EsmeRequest extends SensitiveContext {
  /** The party that sent the command. */
  readonly originator: string;
  /** Alerts the command's effects raise. */
  readonly alerts: Uint8Array[];
}

const USE_CASES: ReadonlyMap<number, UseCaseFact> = new Map(ESME_USE_CASES.map((u) => [u.messageCode, u]));

export class SimEsme implements SimDevice {
  readonly type = "ESME" as const;
  readonly eui: string;
  private readonly keys: DeviceKeyring;
  private readonly energy: ImportEnergy;
  private readonly now: () => number;
  private readonly twin: boolean;
  private readonly checker: CommandChecker;
  private readonly alertCounter: AlertCounter;
  /** The Supplementary Originator Counter of responses whose data is for a supplementary party. */
  private readonly originatorCounter: AlertCounter;
  private readonly store: CosemStore;
  private readonly interpreter: CosemInterpreter<EsmeRequest>;
  /** The ASN.1 use cases (security credentials, joins, device log, firmware). */
  readonly asn1: Asn1Handler;
  private supply: SupplyState;
  /** The clock's offset from the device's time source, as a set of the clock left it (ms). */
  private clockOffset = 0;

  constructor(options: EsmeOptions) {
    this.keys = options.keys;
    this.eui = options.keys.eui;
    this.energy = options.energy;
    this.now = options.now;
    this.twin = options.twin ?? false;
    this.checker = new CommandChecker(options.keys);
    this.alertCounter = new AlertCounter(options.now);
    this.originatorCounter = new AlertCounter(options.now);
    this.supply = options.supply ?? "Enabled";
    this.store = new CosemStore(ESME_ATTRIBUTES, ESME_METHODS, this.twin);
    this.install();
    this.interpreter = new CosemInterpreter(this.store, this.handlers());
    this.asn1 = new Asn1Handler({
      keys: options.keys,
      now: () => this.clock(),
      counters: this.checker,
      ...options.asn1,
    });
  }

  /** The load switch's state, as the last Enable/Disable/Arm Supply command left it. */
  get supplyState(): SupplyState {
    return this.supply;
  }

  /** The register collection the meter would report now (what ECS17b returns, before encryption). */
  registers(at = this.clock()): ImportRegisterCollection {
    return importRegisterCollection(this.energy, at, this.twin);
  }

  /** An attribute's value as a get would answer it (undefined: no such attribute). */
  attribute(classId: number, obis: string, attributeId: number): DlmsData | undefined {
    return this.store.get(classId, obis, attributeId);
  }

  private clock(): number {
    return this.now() + this.clockOffset;
  }

  /** Live attributes, and the profiles' rows up to now. */
  private install(): void {
    this.store.live(CLOCK.classId, CLOCK.obis, CLOCK.time, {
      get: () => ({ type: "octet-string", value: toCosemDateTime(new Date(this.clock())) }),
      set: (value) => {
        const at = value.type === "octet-string" ? cosemDateTime(value.value) : null;
        if (at !== null) this.clockOffset = at.getTime() - this.now();
      },
    });
    this.store.live(DISCONNECT_CONTROL.classId, DISCONNECT_CONTROL.obis, DISCONNECT_CONTROL.controlState, {
      get: () => ({ type: "enum", value: CONTROL_STATE[this.supply] }),
    });
    this.store.live(IMPORT_REGISTERS.classId, IMPORT_REGISTERS.obis, IMPORT_REGISTERS.value, {
      get: () => importRegisterCollectionToData(this.registers()),
    });
    // Profiles capture as the clock moves: each read sees the rows of the periods up to now.
    for (const { obis, attributeId, value } of [...this.store.attributesOf(PROFILE_CLASS)]) {
      if (attributeId !== BUFFER) continue;
      const columns = obis === HALF_HOUR_IMPORT_PROFILE ? this.halfHourImport : undefined;
      const rows = () => {
        const period = this.store.get(PROFILE_CLASS, obis, CAPTURE_PERIOD);
        const seconds =
          period?.type === "double-long-unsigned"
            ? period.value
            : HALF_HOUR_PROFILES.has(obis)
              ? HALF_HOUR
              : 0;
        return capturedRows(value, seconds, this.clock(), PROFILE_ROWS, columns);
      };
      if (rows() !== undefined)
        this.store.live(PROFILE_CLASS, obis, attributeId, { get: () => rows() ?? value });
    }
  }

  /** The half-hour import profile's value column: the active import (Wh) of the period ending then. */
  private readonly halfHourImport = (seconds: number, step: number): readonly DlmsData[] => {
    const end = this.energy.at(msOf(seconds)).activeWh;
    const start = this.energy.at(msOf(seconds - step)).activeWh;
    return [{ type: "double-long-unsigned", value: Math.max(0, end - start) }];
  };

  private handlers(): Map<string, ActionHandler<EsmeRequest>> {
    const handlers = new Map<string, ActionHandler<EsmeRequest>>();
    handlers.set(
      methodKey(
        DISCONNECT_CONTROL_SCRIPTS.classId,
        DISCONNECT_CONTROL_SCRIPTS.obis,
        DISCONNECT_CONTROL_SCRIPTS.execute,
      ),
      (script, request) => this.runSupplyScript(script, request),
    );
    const protectedRead = protectedReadHandler(this.store);
    for (const m of ESME_METHODS) {
      if (m.classId === DATA_PROTECTION_CLASS && m.methodId === GET_PROTECTED_ATTRIBUTES) {
        handlers.set(methodKey(m.classId, m.obis, m.methodId), protectedRead);
      }
    }
    return handlers;
  }

  /** ECS42/43/44: the Disconnect Control Script Table's script moves the switch. */
  private runSupplyScript(script: DlmsData, request: EsmeRequest): { result: number } {
    const state = script.type === "long-unsigned" ? SUPPLY_SCRIPTS.get(script.value) : undefined;
    if (state === undefined) return { result: ActionResult["other-reason"] };
    const armed = state === "Armed" && this.supply !== "Armed";
    this.supply = state;
    if (armed) {
      const alert = this.raise(SUPPLY_ARMED_ALERT, request.originator);
      if (alert !== undefined) request.alerts.push(alert);
    }
    return { result: ActionResult.success };
  }

  async handle(_bytes: Uint8Array, frame: GbcsFrame): Promise<CommandOutcome> {
    if (Asn1Handler.handles(frame)) return this.asn1.handle(frame);
    // A use case RTDS has no vector for: critical when signed (the signature is then checked), and
    // answered MACed and undated, as most ESME responses are.
    const facts = USE_CASES.get(frame.messageCode) ?? {
      messageCode: frame.messageCode,
      useCase: "",
      critical: (frame.signature?.length ?? 0) > 0,
      signedResponse: false,
      responseDateTime: false,
    };
    const checked = this.checker.check(frame, { critical: facts.critical });
    if (!checked.ok) return { dropped: checked.dropped };
    if (!isDlmsContent(frame.content)) return { dropped: "unsupported" };
    let request: AccessRequest;
    try {
      const apdu = decodeDlmsPayload(frame.content).apdu;
      if (apdu.apdu !== "access-request") return { dropped: "malformed" };
      request = apdu;
    } catch (error) {
      if (error instanceof DecodeError) return { dropped: "malformed" };
      throw error;
    }
    return this.answer(frame, request, facts, checked.originator, checked.z);
  }

  private answer(
    command: GbcsFrame,
    request: AccessRequest,
    facts: UseCaseFact,
    originator: string,
    z: Uint8Array,
  ): CommandOutcome {
    const at = this.clock();
    const header = { cra: 2, counter: command.counter, originator: this.eui, recipient: originator } as const;
    const supplementary = command.supplementary;
    // The response repeats the Supplementary Remote Party; data for that party is keyed with the
    // ESME's own Supplementary Originator Counter, taken only when the response carries such data.
    let sealedFor: SupplementaryInfo | undefined =
      supplementary === undefined
        ? undefined
        : {
            remotePartyId: supplementary.remotePartyId,
            ...(supplementary.remotePartyCounter === undefined
              ? {}
              : { remotePartyCounter: supplementary.remotePartyCounter }),
          };
    const context: EsmeRequest = {
      counter: command.counter,
      device: this.eui,
      recipient: originator,
      originator,
      alerts: [],
      seal: (plaintext, aad) => {
        if (sealedFor !== undefined && sealedFor.originatorCounter === undefined) {
          sealedFor = { ...sealedFor, originatorCounter: this.originatorCounter.next() };
        }
        const keyed = { ...header, ...(sealedFor === undefined ? {} : { supplementary: sealedFor }) };
        const [a, b] = payloadParties(keyed);
        const secret = this.keys.sharedSecret(a, b);
        if (secret === undefined) return undefined;
        // Sensitive data (GBCS §4.3.3.5): encrypted under the KDF key with CRA flag 4.
        return encryptPayloadData(
          deriveKeyFromSecret(secret, payloadKdfInfo(keyed)),
          this.eui,
          plaintext,
          aad,
        );
      },
    };
    const content = encodeApdu(this.interpreter.answer(request, context));
    const response: GbcsFrame = {
      ...header,
      ...(sealedFor === undefined ? {} : { supplementary: sealedFor }),
      dateTime: facts.responseDateTime ? toCosemDateTime(new Date(at)) : null,
      messageCode: command.messageCode,
      content,
      signature: new Uint8Array(0),
    };
    const ds = facts.signedResponse ? this.keys.signingPrivateKey(this.eui) : undefined;
    const bytes = encodeFrame(
      ds === undefined ? protectFrame(response, macKey(response, z)) : signFrame(response, ds),
    );
    return context.alerts.length === 0 ? { response: bytes } : { response: bytes, alerts: context.alerts };
  }

  /** A critical alert for `recipient`, stamped with the device's clock. */
  private raise(alertCode: number, recipient: string): Uint8Array | undefined {
    return buildDlmsAlert(this.keys, {
      recipient,
      counter: this.alertCounter.next(),
      alertCode,
      at: this.clock(),
      critical: true,
    });
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
