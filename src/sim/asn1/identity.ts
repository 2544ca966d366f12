/**
 * What a device of a premises starts with for its ASN.1 use cases: its trust anchor cells (the
 * remote parties placed on it), its own certificates (CS02e provides them), and its device log: the
 * devices it was joined to at installation (GBCS §10: a meter is joined to the premises' PPMID and
 * HCALCS, the GSME and GPF to each other; the CHF's log holds every HAN device).
 */
import type { KeyStore } from "../../smki/keystore.js";
import type { SimDeviceType } from "../device.js";
import type { Asn1Identity } from "./device.js";
import { DEVICE_TYPE_CODE, type DeviceLogEntry } from "./handler.js";
import { trustAnchorsFromKeyStore } from "./trust-anchors.js";

/** Which device types a device of each type is joined to at installation. */
const JOINED_AT_INSTALLATION: Readonly<Record<SimDeviceType, readonly SimDeviceType[]>> = {
  ESME: ["PPMID", "HCALCS", "IHD"],
  GSME: ["GPF", "PPMID", "IHD"],
  GPF: ["GSME", "PPMID", "IHD"],
  PPMID: ["ESME", "GSME"],
  HCALCS: ["ESME"],
  IHD: ["ESME", "GSME"],
  CHF: ["ESME", "GSME", "GPF", "PPMID", "HCALCS", "IHD"],
};

export function installedIdentity(
  keys: KeyStore,
  device: { readonly eui: string; readonly type: SimDeviceType },
  premises: readonly { readonly eui: string; readonly type: SimDeviceType }[],
  parties: readonly string[],
): Asn1Identity {
  const joinedTypes = JOINED_AT_INSTALLATION[device.type];
  const deviceLog: DeviceLogEntry[] = premises
    .filter((d) => d.eui.toUpperCase() !== device.eui.toUpperCase() && joinedTypes.includes(d.type))
    .map((d) => ({ eui: d.eui.toUpperCase(), deviceType: DEVICE_TYPE_CODE[d.type] }));
  const ds = keys.certificate(device.eui, "ds");
  const ka = keys.certificate(device.eui, "ka");
  return {
    trustAnchors: trustAnchorsFromKeyStore(keys, parties),
    certificates: {
      ...(ds === undefined ? {} : { digitalSignature: new Uint8Array(ds.raw) }),
      ...(ka === undefined ? {} : { keyAgreement: new Uint8Array(ka.raw) }),
    },
    deviceLog,
  };
}
