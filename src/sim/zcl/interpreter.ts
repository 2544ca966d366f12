/**
 * One interpreter for every GBZ command a GSME or GPF receives (GBCS §7.2, ZCL §2.5): each GBZ
 * component of the command is one ZCL command, answered in order by one or more response
 * components with the same ZCL transaction sequence number, in the opposite direction:
 *
 * - Read Attributes → Read Attributes Response: each attribute's value from the store, or
 *   UNSUPPORTED_ATTRIBUTE;
 * - Write Attributes (and Undivided) → Write Attributes Response: a lone success, or one status
 *   record per failed attribute (ZCL §2.5.5); later reads show the values; No Response: nothing;
 * - cluster-specific commands → the registered handler's replies (e.g. Supply Status Response,
 *   Publish Snapshot…) or its status in a Default Response; a command without a handler is stored
 *   as published (calendars, tariffs, messages) and acknowledged with a success Default Response.
 *
 * As in GBCS (and the RTDS error responses), once one command of a payload fails, the commands
 * after it are not executed: each is answered by a Default Response with command id 0xFF and status
 * FAILURE. NOT_FOUND (nothing to return) and UNSUPPORTED_ATTRIBUTE (one record of a read) are not
 * failures.
 *
 * A device can be given faults (`ZclFault`): a command, or the read of one attribute, that answers
 * with a status of its own (HARDWARE_FAILURE, NOT_FOUND…), as the RTDS ERROR responses show, so that
 * the DCC's error paths can be exercised.
 */
import {
  componentFrame,
  type GbzComponentsPayload,
  type ZclFields,
  type ZclFrame,
  type ZclFrameControl,
  ZclGlobalCommand,
  type ZclHeader,
  type ZclPayload,
  type ZclReadAttributeRecord,
  ZclStatus,
  type ZclWriteAttributeStatus,
  zclCommands,
} from "../../gbcs/gbz/index.js";
import {
  isSensitiveRead,
  isSensitiveReply,
  readResponseDisablesDefaultResponse,
  replyDisablesDefaultResponse,
} from "./layout.js";
import type { ZclStore } from "./store.js";

/** One response component: the ZCL frame, and whether it goes ciphered for the requester. */
export interface ZclAnswer {
  readonly clusterId: number;
  readonly frame: ZclFrame;
  readonly encrypt: boolean;
}

export interface CommandContext {
  readonly store: ZclStore;
  readonly clusterId: number;
  /** The command's fields as decoded. */
  readonly fields: ZclFields;
  readonly messageCode: number;
  /** The device's clock, ms since the epoch. */
  readonly now: number;
}

/** A fault the device has: the command (or one attribute's read) answers `status`. */
export interface ZclFault {
  readonly clusterId: number;
  /** The command's ZCL transaction sequence number in its payload; absent: any. */
  readonly sequence?: number;
  /** The attribute whose read fails; absent: the whole command fails (Default Response). */
  readonly attributeId?: number;
  readonly status: number;
}

export interface ZclInterpreterOptions {
  readonly store: ZclStore;
  /** Cluster-specific command handlers by ZSE command name (e.g. `changeSupply`). */
  readonly handlers: ReadonlyMap<string, CommandHandler>;
  /** Refreshes live attributes (registers that follow the clock) before a payload is answered. */
  readonly refresh?: ((store: ZclStore, now: number) => void) | undefined;
  readonly faults?: readonly ZclFault[] | undefined;
}

/** A handler's answer: replies (cluster-specific response commands, by ZSE name), or a status. */
export type CommandResult =
  | { readonly status: number }
  | { readonly replies: readonly { readonly name: string; readonly fields: ZclFields }[] };

export type CommandHandler = (ctx: CommandContext) => CommandResult;

/** A handler's status answer. */
export const status = (code: number): CommandResult => ({ status: code });

/** Command id 0xFF in the Default Responses of the commands not executed after a failure. */
const NOT_EXECUTED_COMMAND_ID = 0xff;

/** Response command layouts by cluster and name (both directions: the DCC is client or server). */
const replySpecs = new Map(zclCommands.map((c) => [`${c.cluster}:${c.name}`, c] as const));

export class ZclInterpreter {
  private readonly store: ZclStore;
  private readonly handlers: ReadonlyMap<string, CommandHandler>;
  private readonly refresh: (store: ZclStore, now: number) => void;
  private readonly faults: readonly ZclFault[];

  constructor(options: ZclInterpreterOptions) {
    this.store = options.store;
    this.handlers = options.handlers;
    this.refresh = options.refresh ?? (() => {});
    this.faults = options.faults ?? [];
  }

  /** The response components to a command payload (none when nothing asks for an answer). */
  answer(payload: GbzComponentsPayload, messageCode: number, now: number): ZclAnswer[] {
    this.refresh(this.store, now);
    const answers: ZclAnswer[] = [];
    let failed = false;
    for (const component of payload.components) {
      const frame = componentFrame(component);
      if (frame === undefined) continue;
      const { clusterId } = component;
      if (failed) {
        answers.push(defaultResponse(clusterId, frame.header, NOT_EXECUTED_COMMAND_ID, ZclStatus.failure));
        continue;
      }
      const out = this.one(clusterId, frame, messageCode, now);
      answers.push(...out);
      failed = out.some((a) => statusesOf(a.frame.payload).some(isFailure));
    }
    return answers;
  }

  private fault(clusterId: number, header: ZclHeader, attributeId?: number): ZclFault | undefined {
    return this.faults.find(
      (f) =>
        f.clusterId === clusterId &&
        (f.sequence === undefined || f.sequence === header.transactionSequenceNumber) &&
        f.attributeId === attributeId,
    );
  }

  private one(clusterId: number, frame: ZclFrame, messageCode: number, now: number): ZclAnswer[] {
    const { header, payload } = frame;
    const fault = this.fault(clusterId, header);
    if (fault !== undefined) return [defaultResponse(clusterId, header, header.commandId, fault.status)];
    if (header.frameControl.frameType === "global")
      return this.global(clusterId, header, payload, messageCode);
    if (payload.kind !== "command") {
      return [defaultResponse(clusterId, header, header.commandId, ZclStatus.unsupClusterCommand)];
    }
    const handler = this.handlers.get(payload.name);
    const ctx: CommandContext = { store: this.store, clusterId, fields: payload.fields, messageCode, now };
    const result = handler === undefined ? acceptPublished(ctx, payload.name) : handler(ctx);
    if ("status" in result) {
      // ZCL §2.5.12.2: no Default Response to a success when the command asked for none.
      if (result.status === ZclStatus.success && header.frameControl.disableDefaultResponse) return [];
      return [defaultResponse(clusterId, header, header.commandId, result.status)];
    }
    return result.replies.map(({ name, fields }) => {
      const spec = replySpecs.get(`${clusterId}:${name}`);
      if (spec === undefined)
        throw new Error(`no ZCL command ${name} in cluster 0x${clusterId.toString(16)}`);
      return {
        clusterId,
        encrypt: isSensitiveReply(name),
        frame: {
          header: replyHeader(
            header,
            "clusterSpecific",
            spec.id,
            replyDisablesDefaultResponse(name, messageCode),
          ),
          payload: { kind: "command", name, fields },
        },
      };
    });
  }

  private global(
    clusterId: number,
    header: ZclHeader,
    payload: ZclPayload,
    messageCode: number,
  ): ZclAnswer[] {
    switch (payload.kind) {
      case "readAttributes": {
        const records: ZclReadAttributeRecord[] = payload.attributeIds.map((attributeId) => {
          const fault = this.fault(clusterId, header, attributeId);
          if (fault !== undefined) return { attributeId, status: fault.status };
          const value = this.store.read(clusterId, attributeId);
          return value === undefined
            ? { attributeId, status: ZclStatus.unsupportedAttribute }
            : { attributeId, status: ZclStatus.success, value };
        });
        return [
          {
            clusterId,
            encrypt: isSensitiveRead(messageCode, clusterId),
            frame: {
              header: replyHeader(
                header,
                "global",
                ZclGlobalCommand.readAttributesResponse,
                readResponseDisablesDefaultResponse(messageCode),
              ),
              payload: { kind: "readAttributesResponse", records },
            },
          },
        ];
      }
      case "writeAttributes":
      case "writeAttributesUndivided":
      case "writeAttributesNoResponse": {
        const undivided = payload.kind === "writeAttributesUndivided";
        const check = payload.records.map((r) => ({
          attributeId: r.attributeId,
          status: this.store.write(clusterId, r.attributeId, r.value, true),
        }));
        const allowed = !undivided || check.every((c) => c.status === ZclStatus.success);
        const statuses: ZclWriteAttributeStatus[] = payload.records.map((r, i) => ({
          attributeId: r.attributeId,
          status: allowed ? this.store.write(clusterId, r.attributeId, r.value) : check[i]!.status,
        }));
        if (payload.kind === "writeAttributesNoResponse") return [];
        const failures = statuses.filter((s) => s.status !== ZclStatus.success);
        const records = failures.length === 0 ? [{ status: ZclStatus.success }] : failures;
        return [
          {
            clusterId,
            encrypt: false,
            frame: {
              header: replyHeader(header, "global", ZclGlobalCommand.writeAttributesResponse, false),
              payload: { kind: "writeAttributesResponse", records },
            },
          },
        ];
      }
      default:
        return [defaultResponse(clusterId, header, header.commandId, ZclStatus.unsupGeneralCommand)];
    }
  }
}

/** The statuses an answer carries (a Default Response's, a read's or write's records'). */
function statusesOf(p: ZclPayload): number[] {
  switch (p.kind) {
    case "defaultResponse":
      return [p.status];
    case "readAttributesResponse":
    case "writeAttributesResponse":
      return p.records.map((r) => r.status);
    default:
      return [];
  }
}

/** A status that stops the rest of the payload: anything but success, not found, unsupported attribute. */
function isFailure(code: number): boolean {
  return code !== ZclStatus.success && code !== ZclStatus.notFound && code !== ZclStatus.unsupportedAttribute;
}

/** A command with no handler of its own: what the DCC published is kept, and acknowledged. */
function acceptPublished(ctx: CommandContext, name: string): CommandResult {
  ctx.store.publish(name, ctx.fields);
  return status(ZclStatus.success);
}

function replyHeader(
  request: ZclHeader,
  frameType: ZclFrameControl["frameType"],
  commandId: number,
  disableDefaultResponse: boolean,
): ZclHeader {
  return {
    frameControl: {
      frameType,
      manufacturerSpecific: false,
      direction: request.frameControl.direction === "clientToServer" ? "serverToClient" : "clientToServer",
      disableDefaultResponse,
      reserved: 0,
    },
    transactionSequenceNumber: request.transactionSequenceNumber,
    commandId,
  };
}

function defaultResponse(clusterId: number, request: ZclHeader, commandId: number, code: number): ZclAnswer {
  return {
    clusterId,
    encrypt: false,
    frame: {
      header: replyHeader(request, "global", ZclGlobalCommand.defaultResponse, false),
      payload: { kind: "defaultResponse", commandId, status: code },
    },
  };
}
