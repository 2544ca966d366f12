/**
 * The HAN device logs' commands that carry facts of the Smart Metering Inventory besides the DUIS
 * body: 8.11 "Add" (CCS01 Add Device to CHF device log: the joining device's type) and 8.12.2
 * Restore GPF Device Log (GCS59: the old GPF's device log, as its last GCS62 backup alert gave it).
 * The command specs have no inventory to read yet (`CommandContext` carries the body and the target
 * alone), so these are builders for when it does, checked against the RTDS commands.
 */
import type { DuisElement } from "../../duis/model/element.js";
import type { Asn1Payload } from "../../gbcs/asn1/index.js";
import type { DlmsPayload, ObisCode } from "../../gbcs/dlms/index.js";
import type { DeviceType } from "../../store/types.js";
import { asn1, entityId } from "./asn1-fields.js";
import { hexBinary, integer } from "./body.js";
import { BodyFieldError } from "./command-spec.js";
import { accessRequest, action, dlms, set } from "./dlms-builder.js";

/** The CHF device log (CHTS 4.5.1.2; class 104 ZigBee network control). */
const CHF_DEVICE_LOG = { classId: 104, obis: "0-0:30.3.0.255" as ObisCode } as const;
const ChfDeviceLog = { enableDisableJoining: 2, joinTimeout: 3, registerDevice: 1 } as const;

/** register_device.key_type: the key is an Install Code. */
const KEY_TYPE_INSTALL_CODE = 1;

/** register_device.device_type: the CHTS (Blue Book) values, with GBCS's 254 for the GPF. */
const CHF_DEVICE_TYPES: Partial<Record<DeviceType, number>> = {
  ESME: 0,
  GSME: 1,
  HCALCS: 13,
  IHD: 128,
  CAD: 130,
  PPMID: 132,
  GPF: 254,
};

/**
 * CCS01 Add Device to CHF device log: register the device (EUI, install code, type), set the join
 * window to JoinTimePeriod seconds and open joining (GBCS CCS01 template order).
 */
export function addToChfDeviceLog(counter: bigint, body: DuisElement, deviceType: DeviceType): DlmsPayload {
  const chtsType = CHF_DEVICE_TYPES[deviceType];
  if (chtsType === undefined) throw new BodyFieldError("DeviceID", `a ${deviceType} does not join the HAN`);
  const add = "AddDeviceToCHFWhitelist";
  return accessRequest(counter, [
    action(
      CHF_DEVICE_LOG.classId,
      CHF_DEVICE_LOG.obis,
      ChfDeviceLog.registerDevice,
      dlms.structure(
        dlms.octets(entityId(body, "DeviceID")),
        dlms.enum(KEY_TYPE_INSTALL_CODE),
        dlms.octets(hexBinary(body, `${add}/InstallCode`)),
        dlms.enum(chtsType),
      ),
    ),
    set(
      CHF_DEVICE_LOG.classId,
      CHF_DEVICE_LOG.obis,
      ChfDeviceLog.joinTimeout,
      dlms.longUnsigned(integer(body, `${add}/JoinTimePeriod`)),
    ),
    set(CHF_DEVICE_LOG.classId, CHF_DEVICE_LOG.obis, ChfDeviceLog.enableDisableJoining, dlms.boolean(true)),
  ]);
}

/** One entry of a GPF device log: a device's EUI (16 hex) and its GBCS DeviceType number. */
export interface DeviceLogEntry {
  readonly eui: string;
  readonly gbcsDeviceType: number;
}

/** GCS59 Restore GPF Device Log: the old GPF's entries, for the new GPF to join. */
export function gpfDeviceLogRestore(entries: readonly DeviceLogEntry[]): Asn1Payload {
  return asn1("GpfDeviceLogRestoreCommand", {
    deviceLogEntries: entries.map((e) => ({
      deviceId: Uint8Array.from(Buffer.from(e.eui, "hex")),
      deviceType: e.gbcsDeviceType,
    })),
  });
}
