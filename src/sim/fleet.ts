/**
 * A fleet of simulated premises: for each, a Communications Hub and the HAN devices joined to it,
 * with their keys from a key store in RTDS layout. The fleet knows nothing of the DCC: the
 * composition root attaches each hub's handler to the WAN (`HubLink.attach(hub.eui, region,
 * hub.handle)`), exactly as a real hub registers with its CSP.
 */
import type { KeyStore } from "../smki/keystore.js";
import type { Asn1Identity } from "./asn1/device.js";
import { SimChfAsn1 } from "./asn1/device.js";
import { installedIdentity } from "./asn1/identity.js";
import { SimCommsHub } from "./chf.js";
import type { SimDevice, SimDeviceType, Uplink } from "./device.js";
import { deviceEnergy } from "./energy.js";
import { SimEsme } from "./esme.js";
import { SimGpf } from "./gpf.js";
import { SimGsme } from "./gsme.js";
import { SimHcalcs } from "./hcalcs.js";
import { DeviceKeyring } from "./keyring.js";
import { SimPpmid } from "./ppmid.js";
import { SimStubDevice } from "./stubs.js";

export interface SimPremisesSpec {
  /** The CHF's EUI. */
  readonly hubEui: string;
  /** The HAN devices (the CHF itself excluded). */
  readonly devices: readonly { readonly eui: string; readonly type: Exclude<SimDeviceType, "CHF"> }[];
  /**
   * The remote parties whose certificates are placed on the devices (their trust anchors): the ACB,
   * the supplier(s), the network operator. A device answers only parties it holds a key for.
   */
  readonly remoteParties: readonly string[];
}

export class SimFleet {
  private readonly hubsByEui = new Map<string, SimCommsHub>();
  private readonly devicesByEui = new Map<string, SimDevice>();

  constructor(
    private readonly keys: KeyStore,
    /** The devices' clock (ms since the epoch). */
    private readonly now: () => number,
    /** How hubs send their devices' alerts to the DCC (`HubLink.sendUnsolicited`); none: alerts are lost. */
    private readonly uplink?: Uplink,
  ) {}

  /** Builds one premises; returns its hub (attach `hub.handle` to the WAN). */
  addPremises(spec: SimPremisesSpec): SimCommsHub {
    // The hub answers its own use cases when the key store holds its KA private key.
    const keys =
      this.keys.privateKey(spec.hubEui, "ka") === undefined
        ? undefined
        : DeviceKeyring.fromKeyStore(this.keys, spec.hubEui, spec.remoteParties);
    const premises = [...spec.devices, { eui: spec.hubEui, type: "CHF" as const }];
    const asn1 = this.hubAsn1(spec, premises);
    const hub = new SimCommsHub(spec.hubEui, [], this.uplink, {
      ...(keys === undefined ? {} : { keys }),
      ...(asn1 === undefined ? {} : { asn1 }),
      now: this.now,
      // A device of the fleet that a CCS01 adds to the hub's device log joins its HAN.
      resolve: (eui) => this.device(eui),
    });
    // The gas meter first: the GPF mirrors its data.
    const ordered = [...spec.devices].sort((a, b) => Number(a.type === "GPF") - Number(b.type === "GPF"));
    let gsme: SimGsme | undefined;
    for (const d of ordered) {
      const asn1 = installedIdentity(this.keys, d, premises, spec.remoteParties);
      const device = this.buildDevice(d.eui, d.type, spec.remoteParties, gsme, asn1);
      if (device instanceof SimGsme) gsme ??= device;
      hub.join(device);
      this.devicesByEui.set(device.eui, device);
    }
    this.hubsByEui.set(hub.eui, hub);
    return hub;
  }

  /**
   * A hub handler that builds its premises on the first command it relays, so that a large fleet
   * costs a closure per hub until a device is used. Attach it to the WAN like `hub.handle`.
   */
  lazyHub(spec: SimPremisesSpec): (bytes: Uint8Array) => Promise<Uint8Array[]> {
    let hub: SimCommsHub | undefined;
    return (bytes) => {
      hub ??= this.hub(spec.hubEui) ?? this.addPremises(spec);
      return hub.handle(bytes);
    };
  }

  hub(eui: string): SimCommsHub | undefined {
    return this.hubsByEui.get(eui.toUpperCase());
  }

  device(eui: string): SimDevice | undefined {
    return this.devicesByEui.get(eui.toUpperCase());
  }

  /** The ESME with this EUI (tests read its registers to compare with what the DCC returned). */
  esme(eui: string): SimEsme | undefined {
    const device = this.device(eui);
    return device instanceof SimEsme ? device : undefined;
  }

  private buildDevice(
    eui: string,
    type: Exclude<SimDeviceType, "CHF">,
    parties: readonly string[],
    gsme: SimGsme | undefined,
    asn1: Asn1Identity,
  ): SimDevice {
    if (type === "ESME") {
      return new SimEsme({
        keys: DeviceKeyring.fromKeyStore(this.keys, eui, parties),
        energy: deviceEnergy(eui),
        now: this.now,
        asn1,
      });
    }
    if (type === "GSME") {
      return new SimGsme({
        keys: DeviceKeyring.fromKeyStore(this.keys, eui, parties),
        energy: deviceEnergy(eui),
        now: this.now,
        asn1,
      });
    }
    if (type === "GPF") {
      return new SimGpf({
        keys: DeviceKeyring.fromKeyStore(this.keys, eui, parties),
        now: this.now,
        asn1,
        ...(gsme === undefined ? {} : { meter: gsme.mirror() }),
      });
    }
    if ((type === "PPMID" || type === "HCALCS") && this.keys.privateKey(eui, "ka") !== undefined) {
      const options = { keys: DeviceKeyring.fromKeyStore(this.keys, eui, parties), now: this.now, asn1 };
      return type === "PPMID" ? new SimPpmid(options) : new SimHcalcs(options);
    }
    // The IHD (and a PPMID or HCALCS without keys): a stub that drops every command.
    return new SimStubDevice(eui, type);
  }

  /** The hub's own ASN.1 use cases, when the key store holds its KA key. */
  private hubAsn1(
    spec: SimPremisesSpec,
    premises: readonly { readonly eui: string; readonly type: SimDeviceType }[],
  ): SimChfAsn1 | undefined {
    if (this.keys.privateKey(spec.hubEui, "ka") === undefined) return undefined;
    return new SimChfAsn1({
      keys: DeviceKeyring.fromKeyStore(this.keys, spec.hubEui, spec.remoteParties),
      now: this.now,
      asn1: installedIdentity(this.keys, { eui: spec.hubEui, type: "CHF" }, premises, spec.remoteParties),
    });
  }
}
