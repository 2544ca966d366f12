/**
 * The Communications Hub Function's own DLMS use cases (the commands whose recipient is the hub):
 * CCS01/02 (add to / remove from the CHF Device Log), CCS03 (restore it), CCS05/CCS04/CCS06 (read
 * it, with the HAN link figures), CCS07 (the Device Log and the Historic Device Log with their TC
 * Link Key hashes), DBCH01-05 (the sub-GHz channel, log, configuration and scan request), ECS26i/n
 * (the hub's identity, manufacturer and model) and ECS35c/d (its event and security logs).
 *
 * As the ESME: a COSEM object store (`cosem/chf-objects.ts`, generated from the RTDS CHF use cases)
 * behind the one xDLMS interpreter, after the checks every device makes (`CommandChecker`: MAC by
 * the ACB, known originator, rising counter, signature when critical). The response is the
 * interpreter's access-response, MACed for the originator and undated, as every RTDS CHF response
 * is; it repeats the command's Supplementary Remote Party. The device log methods are handlers over
 * a {@link ChfDeviceLog}; a device added to it joins the hub's HAN when `join` finds it.
 *
 * Commands whose payload is not DLMS (the hub's ASN.1 certificate use cases) are not modelled here:
 * the hub drops them as unsupported.
 */
import { macKey, protectFrame } from "../gbcs/crypto/mac.js";
import { type AccessRequest, decodeDlmsPayload, encodeApdu, isDlmsContent } from "../gbcs/dlms/index.js";
import { DecodeError } from "../gbcs/errors.js";
import { encodeFrame, type GbcsFrame } from "../gbcs/frame.js";
import {
  ACTIVE_DEVICES,
  BACKUP_PAN,
  type ChfDeviceLog,
  DEVICE_LOG,
  HISTORIC_DEVICE_LOG,
  REGISTER_DEVICE,
  RESTORE_PAN,
  UNREGISTER_DEVICE,
  ZIGBEE_NETWORK_CONTROL,
} from "./chf-device-log.js";
import { CommandChecker } from "./command-check.js";
import { CHF_ATTRIBUTES, CHF_METHODS, CHF_USE_CASES } from "./cosem/chf-objects.js";
import { type ActionHandler, CosemInterpreter, methodKey } from "./cosem/interpreter.js";
import { CosemStore } from "./cosem/store.js";
import type { CommandOutcome } from "./device.js";
import type { DeviceKeyring } from "./keyring.js";

/** The hub's Entity Identifier (ECS26i), answered as the hub's own EUI. */
const DEVICE_ID = { classId: 1, obis: "0-0:96.1.1.255", value: 2 } as const;

const CRITICAL: ReadonlySet<number> = new Set(
  CHF_USE_CASES.filter((u) => u.critical).map((u) => u.messageCode),
);

export interface ChfFunctionOptions {
  readonly keys: DeviceKeyring;
  readonly log: ChfDeviceLog;
  /** Joins the simulated device with this EUI to the HAN; false when there is none. */
  readonly join: (eui: string) => boolean;
}

export class ChfFunction {
  private readonly keys: DeviceKeyring;
  private readonly checker: CommandChecker;
  private readonly store: CosemStore;
  private readonly interpreter: CosemInterpreter<undefined>;

  constructor(options: ChfFunctionOptions) {
    this.keys = options.keys;
    this.checker = new CommandChecker(options.keys);
    this.store = new CosemStore(CHF_ATTRIBUTES, CHF_METHODS);
    const { log, join } = options;
    const eui = Uint8Array.from(Buffer.from(this.keys.eui, "hex"));
    this.store.live(DEVICE_ID.classId, DEVICE_ID.obis, DEVICE_ID.value, {
      get: () => ({ type: "octet-string", value: eui }),
    });
    this.store.live(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, ACTIVE_DEVICES, { get: () => log.activeDevices() });
    const handlers = new Map<string, ActionHandler<undefined>>([
      [methodKey(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, REGISTER_DEVICE), (p) => log.register(p, join)],
      [methodKey(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, UNREGISTER_DEVICE), (p) => log.unregister(p)],
      [methodKey(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, BACKUP_PAN), () => log.backup(false)],
      [methodKey(ZIGBEE_NETWORK_CONTROL, HISTORIC_DEVICE_LOG, BACKUP_PAN), () => log.backup(true)],
      [methodKey(ZIGBEE_NETWORK_CONTROL, DEVICE_LOG, RESTORE_PAN), (p) => log.restore(p, join)],
    ]);
    this.interpreter = new CosemInterpreter(this.store, handlers);
  }

  /** Handles a command addressed to the hub itself. */
  handle(frame: GbcsFrame): CommandOutcome {
    if (!isDlmsContent(frame.content)) return { dropped: "unsupported" };
    // A use case without RTDS facts is critical when signed (the signature is then checked).
    const critical = CRITICAL.has(frame.messageCode) || (frame.signature?.length ?? 0) > 0;
    const checked = this.checker.check(frame, { critical });
    if (!checked.ok) return { dropped: checked.dropped };
    let request: AccessRequest;
    try {
      const apdu = decodeDlmsPayload(frame.content).apdu;
      if (apdu.apdu !== "access-request") return { dropped: "malformed" };
      request = apdu;
    } catch (error) {
      if (error instanceof DecodeError) return { dropped: "malformed" };
      throw error;
    }
    const supplementary = frame.supplementary;
    const response: GbcsFrame = {
      cra: 2,
      counter: frame.counter,
      originator: this.keys.eui,
      recipient: checked.originator,
      ...(supplementary === undefined
        ? {}
        : {
            supplementary: {
              remotePartyId: supplementary.remotePartyId,
              ...(supplementary.remotePartyCounter === undefined
                ? {}
                : { remotePartyCounter: supplementary.remotePartyCounter }),
            },
          }),
      dateTime: null,
      messageCode: frame.messageCode,
      content: encodeApdu(this.interpreter.answer(request, undefined)),
      signature: new Uint8Array(0),
    };
    return { response: encodeFrame(protectFrame(response, macKey(response, checked.z))) };
  }
}
