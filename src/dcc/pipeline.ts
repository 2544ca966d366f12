/**
 * The request pipeline: one DUIS Service Request from the web service to the user's response.
 *
 * ```
 * submit (synchronous, answers the HTTP request)
 *   parse (XXE-safe) → schema → signature (the user's certificate by issuer+serial; its owner
 *   must be the RequestID's originator) → routing (CV ↔ SRV ↔ web service) → counter (anti-replay)
 *   → access (role, registered party, device) → transform (GBCS command, ACB MAC)
 *   → record the request in the store → I99 (signed), or a signed E-code / HTTP error
 * dispatch (asynchronous, a bus work queue)
 *   → WAN to the device's hub → response correlated by (originator, counter)
 *   → I0 with the GBCSPayload (signed) → outbox → delivery to the user's endpoint
 * alerts (asynchronous, the same inbound queue)
 *   → a hub's unsolicited GBCS alert → checks, recipient (alerts.ts) → signed DUIS Device Alert
 *   → outbox → delivery to the recipient user's endpoint
 * ```
 *
 * Nothing acknowledged is lost: the request is committed to the store (under this node's lease)
 * before the I99 is returned, the dispatch job only says "look at this id", a request's final state
 * and its signed response enter the store in one transaction (`conclude`), and on start `recover`
 * resumes what this node (or a node whose lease expired) acknowledged but did not send, and fails,
 * with a recorded error delivered to the user, what was on the WAN when its node stopped. While the
 * node runs, a heartbeat renews its leases and sweeps up the work of nodes whose leases expired.
 *
 * Command variants: CV1 sends the command; CV2 returns it at once (I0 with a LocalCommand) for the
 * user to deliver over the HAN; CV3 does both (the copy queued as an asynchronous I0 in the same
 * commit as the request). CV4 answers at once with the Pre-Command; CV5, 6 and 7 carry it signed
 * with the same RequestID, checked against what was issued and the user's GBCS signature, MACed by
 * the ACB, then sent (5), returned (6) or both (7). A future-dated request follows its SRV's DUIS
 * pattern: "DSP" is held by the DCC until its date (`runScheduled`), "Device" goes now with the date
 * in the command. Which SRVs are carried for which device types is the transform's command table
 * (docs/conformance.md); a request it cannot build is refused with the code of its reason
 * (`refusalError`), and `srvNotSupported` only for what is not built yet.
 */
import { type KeyObject, randomUUID, X509Certificate } from "node:crypto";
import type { Bus, Subscription } from "../bus/port.js";
import {
  type CommandVariant,
  isCriticalSrv,
  isSrv,
  type ResponseCode,
  type Srv,
  srvDeviceTypes,
  srvEntry,
  type WebService,
} from "../catalogue/index.js";
import { DuisError, type DuisErrorKey } from "../duis/errors.js";
import type { DuisElement } from "../duis/model/element.js";
import {
  buildAcknowledgement,
  buildServiceResponse,
  checkRouting,
  type DuisRequest,
  dateTimeToDate,
  executionDateTimeOf,
  formatRequestId,
  parseEui,
  parseRequest,
  parseRequestId,
  type RequestId,
  type ResponsePayload,
} from "../duis/model/index.js";
import { SignatureVerifier } from "../duis/signature/batch.js";
import { signDuis } from "../duis/signature/sign.js";
import type { VerifyFailureReason } from "../duis/signature/verify.js";
import { XmlError } from "../duis/xml/errors.js";
import { parseXml } from "../duis/xml/parse.js";
import { childElement, textContent, type XmlDocument, type XmlElement } from "../duis/xml/tree.js";
import type { GbcsKeys } from "../gbcs/crypto/keys.js";
import { verifySignature } from "../gbcs/crypto/signature.js";
import { fromHex, toHex } from "../gbcs/cursor.js";
import { DecodeError } from "../gbcs/errors.js";
import { decodeFrame, type GbcsFrame, SIGNATURE_LENGTH } from "../gbcs/frame.js";
import { sameDistinguishedName } from "../smki/distinguished-name.js";
import type { Store } from "../store/port.js";
import {
  type DeviceRecord,
  type DeviceType,
  euiFromDuis,
  euiToDuis,
  type RequestLease,
  type RequestPatch,
  type RequestRecord,
  type RequestState,
  type UserRecord,
  type UserRole,
} from "../store/types.js";
import type { Wan } from "../wan/port.js";
import { type AccessCode, AccessControl, type AccessRequest } from "./access.js";
import { AlertRouter } from "./alerts.js";
import { certificateEui } from "./certificate-eui.js";
import { RequestCounters, SIGNED_PRE_COMMAND_VARIANTS, TRANSFORM_VARIANT } from "./counters.js";
import type { Delivery } from "./delivery.js";
import {
  correlationKey,
  type DispatchEvent,
  Dispatcher,
  type DispatchNode,
  type RecoveryResult,
  type WanOutcome,
} from "./dispatch.js";
import type { Inventory } from "./inventory.js";
import type { Registration } from "./registration.js";
import { cinOfCommand } from "./transform/customer-identification-number.js";
import {
  bodyElement,
  CommandTransformer,
  type DeviceRecords,
  type TransformRefusal,
} from "./transform/index.js";

/** An EUI-64 as DUIS writes it. */
const DUIS_EUI = /^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){7}$/;

const DSIG = "http://www.w3.org/2000/09/xmldsig#";

/** The GBCS version named in the Pre-Commands the DCC returns (`PreCommand/GBCSVersion`). */
/** The command variants the pipeline carries for a device SRV whose command the DCC builds. */
export const CARRIED_COMMAND_VARIANTS: readonly CommandVariant[] = [1, 2, 3, 4, 5, 6, 7];

export const PRE_COMMAND_GBCS_VERSION = "4.2";

/** The DCC's XML-signing identity: every acknowledgement, response and alert it sends is signed. */
export interface DccSigner {
  readonly privateKey: KeyObject;
  readonly certificate: X509Certificate;
}

/** The synchronous answer of a DUIS web service. */
export interface SubmitResult {
  readonly httpStatus: number;
  readonly contentType: "application/xml" | "text/plain";
  readonly body: string;
  /** The DUIS response code when the answer is a DUIS Response (I99, E…); null for HTTP errors. */
  readonly responseCode: ResponseCode | null;
  /** The registry key of the refusal, when refused. */
  readonly error?: DuisErrorKey;
  /** When refused by a rate limit: seconds until the user may send again (`Retry-After`). */
  readonly retryAfterSeconds?: number;
}

/**
 * A per-user rate limit (token buckets, made in the composition root): admits a user's request,
 * or says how long until it would be admitted.
 */
export interface UserRateLimit {
  take(user: string): { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };
}

/** Where a request came from, as the web service saw it. */
export interface SubmitContext {
  /** The client's network address (kept in the audit lines of received and refused requests). */
  readonly clientAddress?: string;
}

/** The audit detail naming the client, when known. */
type ClientDetail = { readonly client?: string };

export interface PipelineDeps {
  readonly store: Store;
  readonly bus: Bus;
  readonly wan: Wan;
  readonly inventory: Inventory;
  readonly registration: Registration;
  /** The DCC's GBCS keys: the ACB's KA private key and the devices' KA certificates. */
  readonly gbcsKeys: GbcsKeys;
  /** A device's key-agreement certificate (DER) from SMKI, for commands that carry one (joins). */
  readonly kaCertificate?: (eui: string) => Uint8Array | undefined;
  readonly signer: DccSigner;
  readonly delivery: Delivery;
  /** The DCC's clock, ms since the epoch. */
  readonly now: () => number;
  /** The DUIS 5.4 schema check; throws DuisError `schemaInvalid`. Absent: structure checks only. */
  readonly validate?: (doc: XmlDocument) => void;
  /**
   * Check that the user's certificate is valid at the request's time. Off by default: the DCC Boxed
   * and RTDS test certificates have expired, and test tooling still signs with them.
   */
  readonly checkCertificateValidity?: boolean;
  /** Requests dispatched at once (each waits for its device on the WAN). */
  readonly dispatchConcurrency?: number;
  /** How often future-dated requests are looked at (ms of real time; default 1000). */
  readonly scheduleIntervalMs?: number;
  /** WAN timeout per command (ms). */
  readonly sendTimeoutMs?: number;
  /**
   * Told when a request gets its final answer (a synchronous E-code or refusal, or the asynchronous
   * I0/E2x): SRV (null when unknown), code (`I0`, `E4`, `HTTP 401`…), ms since it was received.
   * The composition root feeds metrics from it.
   */
  readonly onAnswered?: (srv: string | null, code: string, durationMs: number) => void;
  /** Told about failures the pipeline survives (a store error in a background job…). */
  readonly log?: (message: string, error?: unknown) => void;
  /** Told each device alert queued for a user, by its code (4 hex digits); metrics. */
  readonly onAlertRouted?: (alertCode: string) => void;
  /** Told the number of request signatures verified together, each time (metrics). */
  readonly onSignatureBatch?: (size: number) => void;
  /** Requests per user, checked once the signature names the user (none when left out). */
  readonly userRateLimit?: UserRateLimit;
  /**
   * This node's identity and leases (cluster mode: see DispatchNode). Absent: `local`, the one
   * process of an embedded DCC.
   */
  readonly node?: PipelineNode;
}

/** A node's identity and the timing of its leases. */
export interface PipelineNode {
  /** The node's id, the owner written on the requests it works on. */
  readonly id: string;
  /** How long a lease lasts without renewal (ms of the DCC's clock; default 30 s). */
  readonly leaseMs?: number;
  /** How often leases are renewed and expired work swept up (ms of real time; default 5 s). */
  readonly heartbeatMs?: number;
}

/** A lease outlives several missed heartbeats before another node takes the work over. */
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_HEARTBEAT_MS = 5_000;

/** Tries of the transaction that finishes a request (a store error may be passing: a dropped connection). */
const CONCLUDE_TRIES = 3;

/** Thrown inside `conclude`'s transaction to roll it back: another worker answered the request. */
class AnsweredAlready extends Error {}

const ACCESS_ERRORS: Record<AccessCode, DuisErrorKey> = {
  E2: "roleNotEligible",
  E4: "notRegisteredParty",
  E5: "deviceStatusNotAllowed",
  E11: "deviceTypeNotAllowed",
  E19: "unknownDevice",
};

const SIGNATURE_ERRORS: Record<VerifyFailureReason, DuisErrorKey> = {
  malformed: "signatureUnsupported",
  "no-signature": "signatureMissing",
  "unsupported-algorithm": "signatureUnsupported",
  "unknown-serial": "certificateUnknown",
  "wrong-key": "signatureInvalid",
  "certificate-expired": "certificateNotValid",
  "certificate-not-yet-valid": "certificateNotValid",
  "bad-digest": "signatureInvalid",
  "bad-signature": "signatureInvalid",
};

export class Pipeline {
  readonly counters: RequestCounters;
  readonly access: AccessControl;
  readonly transformer: CommandTransformer;
  readonly dispatcher: Dispatcher;
  readonly alerts: AlertRouter;
  private readonly deps: PipelineDeps;
  private subscriptions: Subscription[] = [];
  private stopInbound: (() => void) | undefined;
  private scheduleTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** This node's id and lease length. */
  private readonly node: DispatchNode;
  /** Request signatures: the ECDSA verifications of requests read together run together. */
  private readonly signatures: SignatureVerifier;
  /** Parsed user certificates by PEM (see `certificate`). */
  private readonly certificates = new Map<
    string,
    { certificate: X509Certificate; publicKey: KeyObject; eui: string | undefined }
  >();

  constructor(deps: PipelineDeps) {
    this.deps = deps;
    this.signatures = new SignatureVerifier(
      deps.onSignatureBatch === undefined ? {} : { onBatch: deps.onSignatureBatch },
    );
    this.counters = new RequestCounters(deps.store.counters, deps.store.requests);
    this.access = new AccessControl(deps.inventory, deps.registration);
    this.transformer = new CommandTransformer(deps.gbcsKeys);
    this.alerts = new AlertRouter({
      users: deps.store.users,
      inventory: deps.inventory,
      keys: deps.gbcsKeys,
      delivery: deps.delivery,
      store: deps.store,
      sign: (tree) => this.sign(tree),
      audit: (kind, actor, detail) => this.audit(kind, actor, null, detail),
      now: deps.now,
      ...(deps.onAlertRouted === undefined ? {} : { onRouted: deps.onAlertRouted }),
    });
    this.node = { id: deps.node?.id ?? "local", leaseMs: deps.node?.leaseMs ?? DEFAULT_LEASE_MS };
    this.dispatcher = new Dispatcher({
      requests: deps.store.requests,
      inventory: deps.inventory,
      wan: deps.wan,
      now: deps.now,
      node: this.node,
      conclude: (request, from, outcome) => this.conclude(request, from, outcome),
      onEvent: (event) => this.onDispatchEvent(event),
      alert: (bytes, hubEui) => this.alerts.receive(bytes, hubEui),
      // A device's next command, once the one in flight has ended (one per device; see dispatch.ts).
      enqueueDispatch: (id) => deps.bus.enqueue("request.dispatch", { id }),
      ...(deps.sendTimeoutMs === undefined ? {} : { sendTimeoutMs: deps.sendTimeoutMs }),
    });
  }

  /**
   * Starts the background half: dispatch jobs, inbound WAN frames, recovery of what this node's
   * previous run (or a node whose lease expired) left, and the heartbeat. Returns what recovery did.
   */
  async start(): Promise<RecoveryResult> {
    const { bus, wan } = this.deps;
    this.subscriptions.push(
      bus.consume("request.dispatch", (job) => this.dispatcher.dispatch(job.id), {
        concurrency: this.deps.dispatchConcurrency ?? 256,
      }),
      bus.consume("wan.inbound", (job) => this.dispatcher.inbound(fromHex(job.frameHex), job.hubEui), {
        concurrency: 64,
      }),
    );
    this.stopInbound = wan.onInbound((inbound) => {
      bus
        .enqueue("wan.inbound", { hubEui: inbound.hubEui, frameHex: toHex(inbound.frame), at: inbound.at })
        .catch((error: unknown) => this.log("inbound frame not queued", error));
    });
    // The DCC's schedule: future-dated requests are looked at every `scheduleIntervalMs` of real time.
    this.scheduleTimer = setInterval(() => {
      this.runScheduled().catch((error: unknown) => this.log("scheduled requests not dispatched", error));
    }, this.deps.scheduleIntervalMs ?? 1000);
    this.scheduleTimer.unref();
    const recovered = await this.dispatcher.recover((id) => bus.enqueue("request.dispatch", { id }), {
      own: true,
    });
    this.heartbeatTimer = setInterval(() => {
      this.heartbeat().catch((error: unknown) => this.log("heartbeat failed", error));
    }, this.deps.node?.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    return recovered;
  }

  /**
   * One heartbeat: renews this node's leases, then takes over the open work of nodes whose leases
   * expired (never a live node's, never this node's own: what it runs is in hand). Returns what the
   * sweep did.
   */
  async heartbeat(): Promise<RecoveryResult> {
    await this.dispatcher.renewLeases();
    return this.dispatcher.recover((id) => this.deps.bus.enqueue("request.dispatch", { id }), { own: false });
  }

  /** Stops taking background work (running jobs finish; the bus is the caller's to drain). */
  stop(): void {
    if (this.scheduleTimer !== undefined) clearInterval(this.scheduleTimer);
    this.scheduleTimer = undefined;
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    this.stopInbound?.();
    this.stopInbound = undefined;
  }

  /** Handles one DUIS request POSTed to `webService`; never throws. */
  async submit(
    webService: WebService,
    body: string | Uint8Array,
    context: SubmitContext = {},
  ): Promise<SubmitResult> {
    const at = this.deps.now();
    const client: ClientDetail = context.clientAddress === undefined ? {} : { client: context.clientAddress };
    let request: DuisRequest | undefined;
    try {
      const doc = this.parse(body);
      this.deps.validate?.(doc);
      const { user, signed, eui: named } = await this.authenticate(doc, at);

      // Per-user rate limit: the first thing once the sender is known, so a user's flood costs the
      // DCC a signature check and a 429, and other users' requests keep their share.
      const admitted = this.deps.userRateLimit?.take(user.eui);
      if (admitted !== undefined && !admitted.ok) return this.throttled(admitted.retryAfterMs, at);

      request = parseRequest(signed.root);
      const { requestId, commandVariant } = request.header;
      const originator = euiFromDuis(requestId.originator);
      // The certificate's owner in the directory, and the EUI the certificate itself names.
      if (user.eui !== originator || (named !== undefined && named !== originator)) {
        throw new DuisError(
          "certificateNotOriginator",
          `signed by ${euiToDuis(named ?? user.eui)}, RequestID from ${requestId.originator}`,
        );
      }
      checkRouting(request, webService);
      // A user whose delivery queue is at its cap sends nothing new (answers already owed still
      // queue); checked before the counter, so the refused request may be sent again as it is.
      await this.deps.delivery.checkBacklog(originator);
      const verdict = await this.counters.accept({
        originator,
        counter: requestId.counter,
        requestId: formatRequestId(requestId),
        commandVariant,
      });
      if (!verdict.ok) {
        throw new DuisError(
          "counterNotIncreasing",
          `counter ${requestId.counter} is not above ${verdict.last}`,
        );
      }
      if (commandVariant === TRANSFORM_VARIANT) {
        return await this.acceptCritical(request, user, body, at, client);
      }
      if (SIGNED_PRE_COMMAND_VARIANTS.has(commandVariant)) {
        return await this.acceptSignedPreCommand(request, user, body, at, verdict.continuation, client);
      }
      return await this.acceptDeviceRequest(request, user, body, at, client);
    } catch (error) {
      const refusal = error instanceof DuisError ? error : this.internal(error);
      return this.refuse(refusal, request, at, client);
    }
  }

  /** Access, transform, record, acknowledge: the part after the sender is known and fresh. */
  private async acceptDeviceRequest(
    request: DuisRequest,
    user: UserRecord,
    body: string | Uint8Array,
    at: number,
    client: ClientDetail,
  ): Promise<SubmitResult> {
    const { requestId, commandVariant, serviceReferenceVariant: srv } = request.header;
    const entry = srvEntry(srv);
    if (entry.nonDevice || (commandVariant !== 1 && commandVariant !== 2 && commandVariant !== 3)) {
      throw new DuisError("srvNotSupported", `SRV ${srv} with Command Variant ${commandVariant}`);
    }
    const deviceTypes = srvDeviceTypes[srv];
    // Without its device types the access check would answer a false E11: say what is true.
    if (deviceTypes === undefined) throw new DuisError("srvNotSupported", `SRV ${srv} has no transform yet`);
    const originator = euiFromDuis(requestId.originator);
    const deviceEui = euiFromDuis(requestId.target);
    const { executeAt, runsAt } = this.executionDate(request, at);
    const { device, role } = await this.authorise({
      user: originator,
      userRoles: user.roles,
      device: deviceEui,
      srv: { srv, roles: entry.roles, deviceTypes },
      // A future-dated request is checked for the date it runs (the registration then).
      at: runsAt ?? at,
    });
    const command = this.transformer.transform(srv, device.type, {
      originator,
      device: deviceEui,
      counter: requestId.counter,
      body: request.body,
      at,
      role,
      records: await this.recordsFor(request),
    });
    if (!command.ok) throw refusalError(command);
    const local = commandVariant === 2;
    if (local && executeAt !== null) {
      // The DCC cannot hold a command it hands to the user: only a device-held date goes locally.
      throw new DuisError(
        "commandVariantNotAllowed",
        "a DCC-held future-dated command cannot go for local delivery (CV2)",
      );
    }

    return this.acceptCommand({
      requestId,
      srv,
      commandVariant,
      originator,
      device: deviceEui,
      command: command.bytes,
      body,
      executeAt,
      at,
      audit: { useCase: command.useCase, ...client },
    });
  }

  /**
   * CV4 of a critical SRV (DUIS §3.8): access, then the GBCS Pre-Command (grouping header and
   * content, no signature, no MAC), recorded as answered so that the CV5 with the same RequestID
   * continues it, and returned at once in a signed I0 `PreCommand`.
   */
  private async acceptCritical(
    request: DuisRequest,
    user: UserRecord,
    body: string | Uint8Array,
    at: number,
    client: ClientDetail,
  ): Promise<SubmitResult> {
    const { requestId, commandVariant, serviceReferenceVariant: srv } = request.header;
    const entry = srvEntry(srv);
    const deviceTypes = srvDeviceTypes[srv];
    // One flag gates CV4 here and in the transform: the SRV's criticality (catalogue `isCriticalSrv`).
    if (entry.nonDevice || !isCriticalSrv(srv) || deviceTypes === undefined) {
      throw new DuisError("srvNotSupported", `SRV ${srv} with Command Variant ${commandVariant}`);
    }
    // A device-held date is in the Pre-Command; a DCC-held one comes again with the CV5.
    const { runsAt } = this.executionDate(request, at);
    const originator = euiFromDuis(requestId.originator);
    const deviceEui = euiFromDuis(requestId.target);
    const { device, role } = await this.authorise({
      user: originator,
      userRoles: user.roles,
      device: deviceEui,
      srv: { srv, roles: entry.roles, deviceTypes },
      at: runsAt ?? at,
    });
    const pre = this.transformer.preCommand(srv, device.type, {
      originator,
      device: deviceEui,
      counter: requestId.counter,
      body: request.body,
      at,
      role,
      records: await this.recordsFor(request),
    });
    if (!pre.ok) throw refusalError(pre);
    const record: RequestRecord = {
      id: randomUUID(),
      requestId: formatRequestId(requestId),
      originator,
      target: deviceEui,
      counter: requestId.counter,
      srv,
      commandVariant,
      // Answered now; the Pre-Command is kept to check the signed one against (`counters` finds it).
      state: "responded",
      responseCode: "I0",
      correlation: null,
      gbcsCommand: pre.bytes,
      gbcsResponse: null,
      requestXml: typeof body === "string" ? body : Buffer.from(body).toString("utf8"),
      error: null,
      executeAt: null,
      receivedAt: at,
      updatedAt: at,
    };
    await this.deps.store.requests.insert(record);
    await this.audit("request.precommand", originator, record.requestId, {
      id: record.id,
      srv,
      useCase: pre.useCase,
      device: deviceEui,
      ...client,
    });
    await this.publishState(record, "responded", "I0");
    this.deps.onAnswered?.(srv, "I0", this.deps.now() - at);
    const payload = {
      kind: "PreCommand",
      gbcsVersion: PRE_COMMAND_GBCS_VERSION,
      gbcsPayload: pre.bytes,
    } as const;
    return this.answer(
      200,
      buildServiceResponse({ requestId, responseCode: "I0", srv, payload, at: new Date(at) }),
      "I0",
    );
  }

  /**
   * CV5 (a Signed Pre-Command sent over the WAN) continuing a CV4: the signed payload must be the
   * Pre-Command the DCC issued for that RequestID, byte for byte, followed by the user's signature,
   * which must verify with the user's GBCS digital-signing certificate. The ACB then MACs it, and it
   * goes like any acknowledged request (I99 now, I0 with the device's response later). CV6/CV7
   * (local delivery) are not supported yet.
   */
  private async acceptSignedPreCommand(
    request: DuisRequest,
    user: UserRecord,
    body: string | Uint8Array,
    at: number,
    continuation: boolean,
    client: ClientDetail,
  ): Promise<SubmitResult> {
    const { requestId, commandVariant, serviceReferenceVariant: srv } = request.header;
    if (commandVariant !== 5 && commandVariant !== 6 && commandVariant !== 7) {
      throw new DuisError("srvNotSupported", `SRV ${srv} with Command Variant ${commandVariant}`);
    }
    const rid = formatRequestId(requestId);
    const issued = continuation
      ? (await this.deps.store.requests.byRequestId(rid)).find(
          (r) =>
            r.commandVariant === TRANSFORM_VARIANT &&
            r.state === "responded" &&
            r.responseCode === "I0" &&
            r.gbcsCommand !== null,
        )
      : undefined;
    const preCommand = issued?.gbcsCommand ?? null;
    if (issued === undefined || preCommand === null) {
      throw new DuisError("noPreCommand", `no Pre-Command issued for ${rid}`);
    }
    if (request.body.kind !== "SignedPreCommand") throw new DuisError("requestInconsistent");
    const { executeAt } = this.executionDate(request, at);
    const local = commandVariant === 6;
    if (local && executeAt !== null) {
      throw new DuisError(
        "commandVariantNotAllowed",
        "a DCC-held future-dated command cannot go for local delivery (CV6)",
      );
    }
    const originator = euiFromDuis(requestId.originator);
    const deviceEui = euiFromDuis(requestId.target);
    const entry = srvEntry(srv);
    const deviceTypes = srvDeviceTypes[srv];
    if (deviceTypes === undefined) throw new DuisError("srvNotSupported", `SRV ${srv} has no transform yet`);
    // The device and the user's registration are checked again: either may have changed since CV4.
    await this.authorise({
      user: originator,
      userRoles: user.roles,
      device: deviceEui,
      srv: { srv, roles: entry.roles, deviceTypes },
      at,
    });
    const signed = this.checkSignedPreCommand(preCommand, request.body.gbcsPayload, originator);
    const command = this.transformer.protectSigned(signed);
    if (!command.ok) throw refusalError(command);

    return this.acceptCommand({
      requestId,
      srv,
      commandVariant,
      originator,
      device: deviceEui,
      command: command.bytes,
      body,
      executeAt,
      at,
      audit: { preCommand: issued.id, ...client },
    });
  }

  /**
   * Records a command the DCC built and answers: sent (CV1, 3, 5, 7: acknowledged with I99 and
   * dispatched now or at its date) or returned for local delivery (CV2, 6: a synchronous I0 with
   * the command). CV3 and CV7 also queue a copy of the command for local delivery as an
   * asynchronous I0. The request, the copy and the audit line are one commit, made before the
   * answer leaves: an acknowledged request is never lost (commits, not CPU, bound the embedded
   * store's requests per second).
   */
  private async acceptCommand(c: {
    requestId: RequestId;
    srv: Srv;
    commandVariant: CommandVariant;
    originator: string;
    device: string;
    command: Uint8Array;
    body: string | Uint8Array;
    executeAt: number | null;
    at: number;
    audit: Record<string, unknown>;
  }): Promise<SubmitResult> {
    const { requestId, srv, commandVariant, originator, at } = c;
    const local = commandVariant === 2 || commandVariant === 6;
    const id = randomUUID();
    const record: RequestRecord = {
      id,
      requestId: formatRequestId(requestId),
      originator,
      target: c.device,
      counter: requestId.counter,
      srv,
      commandVariant,
      // A command for local delivery goes back to the user; nothing goes on the WAN.
      state: local ? "responded" : "acknowledged",
      responseCode: local ? "I0" : "I99",
      correlation: local ? null : correlationKey(originator, requestId.counter),
      gbcsCommand: c.command,
      gbcsResponse: null,
      requestXml: typeof c.body === "string" ? c.body : Buffer.from(c.body).toString("utf8"),
      error: null,
      executeAt: c.executeAt,
      receivedAt: at,
      updatedAt: at,
    };
    const copy =
      commandVariant === 3 || commandVariant === 7
        ? this.localCopy(originator, requestId, srv, c.command, at)
        : undefined;
    await this.deps.store.transaction(async (tx) => {
      await tx.requests.insert(record, this.lease());
      if (copy !== undefined) await tx.outbox.enqueue(copy);
      await tx.audit.append({
        at: this.deps.now(),
        kind: local ? "request.returned" : "request.acknowledged",
        actor: originator,
        requestId: record.requestId,
        detail: { id, srv, device: c.device, ...c.audit },
      });
    });
    if (copy !== undefined) this.deps.delivery.kickUser(originator);
    if (local) {
      await this.publishState(record, "responded", "I0");
      this.deps.onAnswered?.(srv, "I0", this.deps.now() - at);
      const payload = { kind: "LocalCommand", gbcsPayload: c.command } as const;
      return this.answer(
        200,
        buildServiceResponse({ requestId, responseCode: "I0", srv, payload, at: new Date(at) }),
        "I0",
      );
    }
    await this.publishState(record, "acknowledged", "I99");
    if (c.executeAt === null) await this.deps.bus.enqueue("request.dispatch", { id });
    return this.answer(200, buildAcknowledgement(requestId, "I99", srv, new Date(at)), "I99");
  }

  /**
   * The signed frame of a CV5, checked: the issued Pre-Command's bytes, then a 64-byte signature
   * field, nothing else; and the signature verifies with the originator's DS public key.
   */
  private checkSignedPreCommand(issued: Uint8Array, payload: Uint8Array, originator: string): GbcsFrame {
    const mismatch = (why: string) => new DuisError("signedPreCommandMismatch", why);
    if (
      payload.length !== issued.length + 1 + SIGNATURE_LENGTH ||
      !Buffer.from(payload.buffer, payload.byteOffset, issued.length).equals(issued) ||
      payload[issued.length] !== SIGNATURE_LENGTH
    ) {
      throw mismatch("the signed payload is not the issued Pre-Command followed by a signature");
    }
    let frame: GbcsFrame;
    try {
      frame = decodeFrame(payload);
    } catch (error) {
      if (error instanceof DecodeError) throw mismatch(`the signed payload: ${error.message}`);
      throw error;
    }
    if (frame.mac !== undefined || frame.cra !== 1) throw mismatch("the signed payload is not a Pre-Command");
    const key = this.deps.gbcsKeys.signingPublicKey(originator.toUpperCase());
    if (key === undefined) throw mismatch(`no GBCS digital-signing certificate for ${originator}`);
    if (!verifySignature(frame, key)) throw mismatch("the Pre-Command's signature does not verify");
    return frame;
  }

  /**
   * When a future-dated request runs, by the SRV's DUIS future-dated pattern: the DCC holds a "DSP"
   * request until its date (`executeAt`, kept in the store and dispatched once then); a "Device"
   * request goes now with the date in its command, and the device holds it. `runsAt` is the date
   * either way (access is judged for it); both are null for an on-demand request or a date passed.
   */
  private executionDate(
    request: DuisRequest,
    at: number,
  ): { executeAt: number | null; runsAt: number | null } {
    const text = executionDateTimeOf(request);
    if (text === undefined) return { executeAt: null, runsAt: null };
    const srv = request.header.serviceReferenceVariant;
    const pattern = srvEntry(srv).futureDated;
    if (pattern === "none") {
      throw new DuisError("requestNotTransformable", `SRV ${srv} cannot be future-dated`);
    }
    const when = dateTimeToDate(text).getTime();
    const runsAt = when > at ? when : null;
    // "DSP & Device" (6.23): the DCC holds it until its date too.
    return { executeAt: pattern === "device" ? null : runsAt, runsAt };
  }

  /**
   * The DCC's records of the devices a request body names besides its target (a join's other
   * device, the device a hub's log adds): their inventory types, read before the transform (which is
   * synchronous), and SMKI's KA certificates.
   */
  private async recordsFor(request: DuisRequest): Promise<DeviceRecords> {
    const named = new Set<string>();
    const walk = (e: DuisElement) => {
      if (e.text !== undefined && DUIS_EUI.test(e.text.trim())) named.add(euiFromDuis(e.text.trim()));
      for (const c of e.children) walk(c);
    };
    walk(bodyElement(request.body));
    const types = new Map<string, DeviceType>();
    for (const eui of named) {
      const device = await this.deps.store.devices.get(eui);
      if (device !== undefined) types.set(eui, device.type);
    }
    return {
      deviceType: (eui) => types.get(eui.toLowerCase()),
      kaCertificate: (eui) => this.deps.kaCertificate?.(eui),
    };
  }

  /**
   * The copy of a command for local delivery that CV3 and CV7 send the user beside the command on
   * the WAN: a DUIS Response, I0, with the command as its LocalCommand, signed, as an outbox entry.
   */
  private localCopy(originator: string, requestId: RequestId, srv: Srv, command: Uint8Array, at: number) {
    const payload = { kind: "LocalCommand", gbcsPayload: command } as const;
    return this.deps.delivery.newEntry({
      userEui: originator,
      kind: "response",
      requestId: formatRequestId(requestId),
      body: this.sign(
        buildServiceResponse({ requestId, responseCode: "I0", srv, payload, at: new Date(at) }),
      ),
    });
  }

  /** Hands the future-dated requests whose date has come to the dispatcher; returns how many. */
  runScheduled(): Promise<number> {
    return this.dispatcher.dispatchDue((id) => this.deps.bus.enqueue("request.dispatch", { id }));
  }

  /** The answer to a refused request: a signed DUIS E-code when the sender is known, else HTTP only. */
  private async refuse(
    error: DuisError,
    request: DuisRequest | undefined,
    at: number,
    client: ClientDetail,
  ): Promise<SubmitResult> {
    const requestId = request?.header.requestId;
    const srv = request?.header.serviceReferenceVariant;
    await this.audit(
      "request.refused",
      requestId === undefined ? null : euiFromDuis(requestId.originator),
      requestId === undefined ? null : formatRequestId(requestId),
      { error: error.key, message: error.message, ...client },
    ).catch((e: unknown) => this.log("audit failed", e));
    this.deps.onAnswered?.(
      srv ?? null,
      error.responseCode ?? `HTTP ${error.httpStatus}`,
      this.deps.now() - at,
    );
    if (error.responseCode !== null && requestId !== undefined && srv !== undefined && isSrv(srv)) {
      await this.recordRefusal(request!, error.responseCode, error.message, at).catch((e: unknown) =>
        this.log("refusal not recorded", e),
      );
      const tree = buildAcknowledgement(requestId, error.responseCode, srv, new Date(at));
      return { ...this.answer(error.httpStatus, tree, error.responseCode), error: error.key };
    }
    return {
      httpStatus: error.httpStatus,
      contentType: "text/plain",
      body: `${error.message}\n`,
      responseCode: null,
      error: error.key,
    };
  }

  /**
   * A request over its user's rate limit: HTTP 429 with Retry-After. Neither audited nor recorded
   * (a flood would fill the audit log); counted by `onAnswered` as `HTTP 429`.
   */
  private throttled(retryAfterMs: number, at: number): SubmitResult {
    const refusal = new DuisError("rateLimited");
    this.deps.onAnswered?.(null, `HTTP ${refusal.httpStatus}`, this.deps.now() - at);
    return {
      httpStatus: refusal.httpStatus,
      contentType: "text/plain",
      body: `${refusal.message}\n`,
      responseCode: null,
      error: refusal.key,
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    };
  }

  /** A refused but authenticated request is kept too, as failed (the dashboard counts E-codes). */
  private async recordRefusal(
    request: DuisRequest,
    code: ResponseCode,
    reason: string,
    at: number,
  ): Promise<void> {
    const { requestId, commandVariant, serviceReferenceVariant: srv } = request.header;
    const id = randomUUID();
    await this.deps.store.requests.insert({
      id,
      requestId: formatRequestId(requestId),
      originator: euiFromDuis(requestId.originator),
      target: euiFromDuis(requestId.target),
      counter: requestId.counter,
      srv,
      commandVariant,
      state: "failed",
      responseCode: code,
      correlation: null,
      gbcsCommand: null,
      gbcsResponse: null,
      requestXml: null,
      error: reason,
      executeAt: null,
      receivedAt: at,
      updatedAt: at,
    });
    // The dashboard counts synchronous E-code refusals from the published states.
    await this.publishState({ id, requestId: formatRequestId(requestId), srv }, "failed", code);
  }

  /**
   * Finishes a request that left the DCC (the Dispatcher's `conclude`): builds and signs its DUIS
   * response first, then one store transaction moves the request from `from` to its final state,
   * marks it answered and puts the response in the outbox. Either all of it commits or none: an
   * acknowledged request never ends without its answer queued, and a request someone else finished
   * (the transition or the mark refused) gets no second answer. A failed transaction is tried again
   * (it is safe to: the transition guards it); what still fails is left to recovery.
   */
  private async conclude(
    request: RequestRecord,
    from: readonly RequestState[],
    outcome: WanOutcome,
  ): Promise<boolean> {
    const at = this.deps.now();
    const entry = this.deps.delivery.newEntry({
      userEui: request.originator,
      kind: "response",
      requestId: request.requestId,
      body: this.sign(this.responseTree(request, outcome, at)),
    });
    const final = outcome.code === "I0" ? "responded" : "failed";
    const patch: RequestPatch =
      outcome.code === "I0"
        ? { gbcsResponse: outcome.gbcsResponse, responseCode: "I0" }
        : { responseCode: outcome.code, error: outcome.reason };
    // All or nothing: when the request is answered already, the transition is rolled back too
    // (a returned false would commit it).
    const write = () =>
      this.deps.store.transaction(async (tx) => {
        if (!(await tx.requests.transition(request.id, from, final, at, patch))) return false;
        if (!(await tx.requests.markAnswered(request.id))) throw new AnsweredAlready();
        await tx.outbox.enqueue(entry);
        return true;
      });
    let done: boolean;
    for (let attempt = 1; ; attempt++) {
      try {
        done = await write();
        break;
      } catch (error) {
        if (error instanceof AnsweredAlready) {
          done = false;
          break;
        }
        if (attempt >= CONCLUDE_TRIES) throw error;
        this.log(`response to ${request.requestId} not recorded (try ${attempt})`, error);
        await new Promise((resolve) => setTimeout(resolve, 50 * 4 ** attempt));
      }
    }
    if (!done) return false;
    await this.publishState(request, final, outcome.code);
    this.deps.onAnswered?.(request.srv, outcome.code, at - request.receivedAt);
    this.deps.delivery.kickUser(request.originator);
    return true;
  }

  /** The asynchronous DUIS response to a request that left the DCC, unsigned. */
  private responseTree(request: RequestRecord, outcome: WanOutcome, at: number): XmlElement {
    const requestId = parseRequestId(request.requestId);
    const srv = request.srv as Srv;
    return outcome.code === "I0"
      ? buildServiceResponse({
          requestId,
          responseId: {
            originator: parseEui(euiToDuis(request.target)),
            target: requestId.originator,
            counter: requestId.counter,
          },
          responseCode: "I0",
          srv,
          payload: this.responsePayload(request, outcome.gbcsResponse),
          at: new Date(at),
        })
      : buildServiceResponse({ requestId, responseCode: outcome.code, srv, at: new Date(at) });
  }

  /**
   * The payload of a device's answer: its GBCS response; for 9.1, with the Customer Identification
   * Number the DCC generated, read back from the command it sent (DUIS CINMessage).
   */
  private responsePayload(request: RequestRecord, gbcsResponse: Uint8Array): ResponsePayload {
    const cin =
      request.srv === "9.1" && request.gbcsCommand !== null ? cinOfCommand(request.gbcsCommand) : undefined;
    return cin === undefined
      ? { kind: "GBCSPayload", gbcsPayload: gbcsResponse }
      : { kind: "CINMessage", gbcsPayload: gbcsResponse, customerIdentificationNumber: cin };
  }

  /** This node's lease on a request, from now. */
  private lease(): RequestLease {
    return { owner: this.node.id, expiresAt: this.deps.now() + this.node.leaseMs };
  }

  private onDispatchEvent(event: DispatchEvent): void {
    const actor = typeof event.detail.hubEui === "string" ? event.detail.hubEui : "dcc";
    this.audit(event.kind, actor, event.requestId, event.detail).catch((e: unknown) =>
      this.log("audit failed", e),
    );
  }

  /** Parses the body as XML (XXE-safe); XML failures become the registry's errors. */
  private parse(body: string | Uint8Array): XmlDocument {
    try {
      return parseXml(body);
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      const key: DuisErrorKey =
        error.code === "doctype-forbidden" || error.code === "processing-instruction-forbidden"
          ? "xmlForbidden"
          : error.code === "too-large"
            ? "bodyTooLarge"
            : error.code === "malformed" || error.code === "encoding"
              ? "xmlMalformed"
              : "xmlLimit";
      throw new DuisError(key, error.message, { cause: error });
    }
  }

  /**
   * Verifies the XML signature with the certificate its KeyInfo names (looked up in the user
   * directory by issuer and serial) and returns the user and the signed document.
   */
  private async authenticate(
    doc: XmlDocument,
    at: number,
  ): Promise<{ user: UserRecord; signed: XmlDocument; eui: string | undefined }> {
    const named = signatureIssuerSerial(doc.root);
    if (named === undefined) throw new DuisError("signatureMissing");
    const { issuer, serial } = named;
    const user = await this.deps.store.users.byCertificate(issuer, serial);
    const pem = user?.certificates.find(
      (c) => c.serial === serial && c.usage !== "ka" && sameDistinguishedName(c.issuer, issuer),
    )?.pem;
    const known = pem === undefined ? undefined : this.certificate(pem);
    const result = await this.signatures.verify(doc, {
      lookupCertificate: (i, s) => (s === serial && i === issuer ? known : undefined),
      ...(this.deps.checkCertificateValidity === true ? { now: new Date(at) } : {}),
    });
    if (!result.valid) throw new DuisError(SIGNATURE_ERRORS[result.reason], result.detail);
    if (user === undefined) throw new DuisError("certificateUnknown");
    return { user, signed: result.signedDocument, eui: known?.eui };
  }

  /**
   * A user's certificate from its PEM, with its public key and the EUI it names, parsed once per
   * PEM (the directory's text is the key, so a replaced certificate is parsed afresh).
   */
  private certificate(pem: string): {
    certificate: X509Certificate;
    publicKey: KeyObject;
    eui: string | undefined;
  } {
    let entry = this.certificates.get(pem);
    if (entry === undefined) {
      const certificate = new X509Certificate(pem);
      entry = { certificate, publicKey: certificate.publicKey, eui: certificateEui(certificate) };
      if (this.certificates.size >= 10_000) this.certificates.clear();
      this.certificates.set(pem, entry);
    }
    return entry;
  }

  private answer(httpStatus: number, tree: XmlElement, code: ResponseCode): SubmitResult {
    return { httpStatus, contentType: "application/xml", body: this.sign(tree), responseCode: code };
  }

  /** Signs with the DCC's XML-signing key (the whitespace-free form DCC Boxed verifies). */
  sign(tree: XmlElement): string {
    return signDuis(tree, {
      privateKey: this.deps.signer.privateKey,
      certificate: this.deps.signer.certificate,
    });
  }

  private async publishState(
    request: Pick<RequestRecord, "id" | "requestId" | "srv">,
    state: "acknowledged" | "responded" | "failed",
    code: string,
  ): Promise<void> {
    await this.deps.bus
      .publish("request.state", {
        id: request.id,
        requestId: request.requestId,
        srv: request.srv,
        state,
        responseCode: code,
        at: this.deps.now(),
      })
      .catch((e: unknown) => this.log("state not published", e));
  }

  private async audit(
    kind: string,
    actor: string | null,
    requestId: string | null,
    detail: unknown,
  ): Promise<void> {
    await this.deps.store.audit.append({ at: this.deps.now(), kind, actor, requestId, detail });
  }

  /** Access control (role, registration, device status and type): the device, or its DUIS error. */
  /** The access check: the device and the role the user acts in, or the refusal's DuisError. */
  private async authorise(request: AccessRequest): Promise<{ device: DeviceRecord; role: UserRole }> {
    const decision = await this.access.check(request);
    if (!decision.ok) throw new DuisError(ACCESS_ERRORS[decision.code], decision.reason);
    return { device: decision.device, role: decision.role };
  }

  private internal(error: unknown): DuisError {
    this.log("request failed inside the DCC", error);
    return new DuisError("internal", undefined, { cause: error });
  }

  private log(message: string, error?: unknown): void {
    this.deps.log?.(message, error);
  }
}

/**
 * The DUIS answer to a request the transform refused, one per reason: a device type the SRV does not
 * apply to is E11, a critical SRV sent without its Pre-Command round trip is E12, a body that asks
 * for no command the SRV has (or lacks a field the command needs) is refused as such, a device
 * without key agreement with the ACB is the DCC's records' problem, and only what is genuinely not
 * built is "not yet supported".
 */
function refusalError(refusal: TransformRefusal): DuisError {
  switch (refusal.kind) {
    case "deviceType":
      return new DuisError("deviceTypeNotAllowed", refusal.reason);
    case "criticality":
      return new DuisError("commandVariantNotAllowed", refusal.reason);
    case "noVariant":
    case "body":
      return new DuisError("requestNotTransformable", refusal.reason);
    case "noKeyAgreement":
      return new DuisError("noKeyAgreement", refusal.reason);
    case "notImplemented":
      return new DuisError("srvNotSupported", refusal.reason);
  }
}

/**
 * The issuer name (as written) and decimal serial of the signature's X509IssuerSerial, read before
 * verifying (to find the key).
 */
function signatureIssuerSerial(root: XmlElement): { issuer: string; serial: string } | undefined {
  const signature = childElement(root, "Signature", DSIG);
  const data = signature && childElement(signature, "KeyInfo", DSIG);
  const x509 = data && childElement(data, "X509Data", DSIG);
  const issuerSerial = x509 && childElement(x509, "X509IssuerSerial", DSIG);
  const serial = issuerSerial && childElement(issuerSerial, "X509SerialNumber", DSIG);
  const issuer = issuerSerial && childElement(issuerSerial, "X509IssuerName", DSIG);
  if (serial === undefined) return undefined;
  const text = textContent(serial)
    .trim()
    .replace(/^0+(?=\d)/, "");
  // No issuer name: nothing is found, and the verifier says the KeyInfo is malformed.
  const name = issuer === undefined ? "" : textContent(issuer).trim();
  return /^\d+$/.test(text) ? { issuer: name, serial: text } : undefined;
}
