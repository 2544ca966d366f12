/**
 * Device alerts, from the WAN to the Service User (DUIS "Device Alert"): a GBCS alert (CRA flag 3)
 * that a hub sends unsolicited is checked, routed by its recipient and delivered as a signed DUIS
 * `DeviceAlertMessage`, through the same outbox and delivery as responses.
 *
 * ```
 * frame from a hub ─▶ decode (grouping header, payload, alert code)
 *   ─▶ the originator is a device the SMI knows, joined to the hub that sent the frame
 *   ─▶ authenticity (GBCS §6.2): the device's signature and/or the MAC verify where the DCC holds
 *      the key (the device's DS certificate from SMKI; a MAC between device and user only when the
 *      user's KA key is in the DCC's key store, as in the demo PKI); an alert with neither is refused
 *   ─▶ recipient: the grouping header's recipient, the remote party the device addressed (supplier,
 *      network operator, …); the ACB's are for the DCC itself
 *   ─▶ DUIS Response: ResponseID device:user:counter (the alert's originator counter), no
 *      RequestID, ResponseCode I0, Body/DeviceAlertMessage { AlertCode, GBCSPayload (the alert's
 *      bytes as received) }, signed with the DCC's XML-signing key
 *   ─▶ outbox, with its `alert.routed` audit line in the same commit (before the frame's job
 *      completes) ─▶ delivery to the user's endpoint
 * ```
 *
 * Anything else is audited with its reason and dropped, never thrown: `alert.refused` when a
 * check fails (bad signature or MAC, unprotected), `alert.dropped` when it cannot be routed
 * (undecodable, unknown device, wrong hub, unknown recipient, addressed to the DCC).
 */
import { buildDeviceAlert, parseEui } from "../duis/model/index.js";
import type { XmlElement } from "../duis/xml/tree.js";
import { alertCodeOf } from "../gbcs/alert.js";
import { ACB_EUI } from "../gbcs/crypto/keys.js";
import { DecodeError } from "../gbcs/errors.js";
import { type DecodedMessage, decodeMessage, type MessageKeys } from "../gbcs/message.js";
import type { Store, UserRepository } from "../store/port.js";
import { type DeviceRecord, euiToDuis } from "../store/types.js";
import type { Delivery } from "./delivery.js";

/** Why an alert was not delivered. */
export type AlertDropReason =
  | "undecodable"
  | "unknown-device"
  | "wrong-hub"
  | "for-dcc"
  | "unknown-recipient"
  | "bad-signature"
  | "bad-mac"
  | "unprotected";

export type AlertOutcome =
  | {
      readonly routed: true;
      /** The user (16 lowercase hex) and its outbox entry. */
      readonly userEui: string;
      readonly outboxId: string;
      /** 4 uppercase hex digits, as in the DUIS AlertCode. */
      readonly alertCode: string;
    }
  | { readonly routed: false; readonly reason: AlertDropReason; readonly detail: string };

/** Failed checks are refusals (someone may be forging alerts); the rest are drops. */
const REFUSALS: ReadonlySet<AlertDropReason> = new Set(["bad-signature", "bad-mac", "unprotected"]);

export interface AlertRouterDeps {
  readonly users: Pick<UserRepository, "get">;
  /** The SMI. */
  readonly inventory: { device(eui: string): Promise<DeviceRecord | undefined> };
  /** The DCC's GBCS keys: devices' DS certificates, and KA keys where held. */
  readonly keys: MessageKeys;
  readonly delivery: Pick<Delivery, "newEntry" | "kickUser">;
  /** The alert's outbox entry and its `alert.routed` audit line commit together (see `route`). */
  readonly store: Pick<Store, "transaction">;
  /** Signs a DUIS Response with the DCC's XML-signing key. */
  readonly sign: (tree: XmlElement) => string;
  readonly audit: (kind: string, actor: string | null, detail: Record<string, unknown>) => Promise<void>;
  readonly now: () => number;
  /** Told each alert queued for a user, by its code (metrics). */
  readonly onRouted?: (alertCode: string) => void;
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");

export class AlertRouter {
  constructor(private readonly deps: AlertRouterDeps) {}

  /** Handles one alert frame from `hubEui`; audits what it did and never throws for the frame's sake. */
  async receive(bytes: Uint8Array, hubEui: string): Promise<AlertOutcome> {
    const outcome = await this.route(bytes, hubEui.toLowerCase());
    if (!outcome.routed) {
      await this.deps.audit(REFUSALS.has(outcome.reason) ? "alert.refused" : "alert.dropped", hubEui, {
        hubEui,
        reason: outcome.reason,
        detail: outcome.detail,
      });
    }
    return outcome;
  }

  private async route(received: Uint8Array, hubEui: string): Promise<AlertOutcome> {
    const drop = (reason: AlertDropReason, detail: string): AlertOutcome => ({
      routed: false,
      reason,
      detail,
    });
    // Own copy: the checks run over these bytes and they go to the user as they came.
    const bytes = new Uint8Array(received);
    let message: DecodedMessage;
    try {
      message = decodeMessage(bytes, { keys: this.deps.keys });
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      return drop("undecodable", error.message);
    }
    const { frame } = message;
    if (message.kind !== "alert") return drop("undecodable", `CRA flag ${frame.cra}, not an alert`);
    const code = alertCodeOf(message.payload);
    if (code === undefined) {
      return drop("undecodable", `message code 0x${hex4(frame.messageCode)}: no alert code in the payload`);
    }
    const alertCode = hex4(code);
    const originator = frame.originator.toLowerCase();
    const about = `alert ${alertCode} from ${originator} (counter ${frame.counter})`;
    const device = await this.deps.inventory.device(originator);
    if (device === undefined) return drop("unknown-device", `${about}: device not in the SMI`);
    if (device.hubEui !== null && device.hubEui !== hubEui) {
      return drop("wrong-hub", `${about}: came through hub ${hubEui}, the device is on ${device.hubEui}`);
    }
    if (message.signature.valid === false) {
      return drop("bad-signature", `${about}: signature ${message.signature.reason}`);
    }
    if (message.mac.valid === false) return drop("bad-mac", `${about}: MAC ${message.mac.reason}`);
    if (!message.signature.present && !message.mac.present) {
      return drop("unprotected", `${about}: neither signed nor MACed`);
    }
    const recipient = frame.recipient.toLowerCase();
    if (recipient === ACB_EUI.toLowerCase()) {
      return drop(
        "for-dcc",
        `${about}: addressed to the ACB; alerts for the DCC itself are not acted on yet`,
      );
    }
    const user = await this.deps.users.get(recipient);
    if (user === undefined)
      return drop("unknown-recipient", `${about}: recipient ${recipient} is not a user`);

    const at = this.deps.now();
    const tree = buildDeviceAlert({
      responseId: {
        originator: parseEui(euiToDuis(originator)),
        target: parseEui(euiToDuis(user.eui)),
        counter: frame.counter,
      },
      alertCode: code,
      gbcsPayload: bytes,
      at: new Date(at),
    });
    const entry = this.deps.delivery.newEntry({
      userEui: user.eui,
      kind: "alert",
      requestId: null,
      body: this.deps.sign(tree),
    });
    const outboxId = entry.id;
    // One commit: a failure between two would leave an alert queued but not audited, and the frame's
    // job, tried again, would queue it a second time.
    await this.deps.store.transaction(async (tx) => {
      await tx.outbox.enqueue(entry);
      await tx.audit.append({
        at,
        kind: "alert.routed",
        actor: originator,
        requestId: null,
        detail: {
          hubEui,
          user: user.eui,
          alertCode,
          messageCode: hex4(frame.messageCode),
          counter: frame.counter.toString(),
          signature: message.signature.valid,
          mac: message.mac.valid,
          outboxId,
        },
      });
    });
    this.deps.onRouted?.(alertCode);
    this.deps.delivery.kickUser(user.eui);
    return { routed: true, userEui: user.eui, outboxId, alertCode };
  }
}
