/**
 * The ESME's supply switch as the critical use cases drive it: ECS42 Enable Supply, ECS43 Disable
 * Supply, ECS44 Arm Supply (message codes 0x004F, 0x0050, 0x0051). Each command executes a script of
 * the Disconnect Control Script Table (class 9, 0-0:10.0.106.255, method 1) — 51 enables, 52
 * disables, 54 arms — and the ESME answers with an access-response whose one action result is
 * `success` (0) and whose data is null-data, as in the RTDS responses.
 *
 * The simulator reads the command's DLMS itself: it knows GBCS, not the DCC's transform.
 */
import {
  type AccessResponse,
  ActionResult,
  decodeDlmsPayload,
  encodeApdu,
  type LongInvokeIdAndPriority,
} from "../gbcs/dlms/index.js";
import { DecodeError } from "../gbcs/errors.js";

/** The supply states of an ESME's load switch. */
export type SupplyState = "Enabled" | "Disabled" | "Armed";

/** Message code → the script it runs and the state it leaves the supply in. */
export const SUPPLY_COMMANDS: ReadonlyMap<
  number,
  { readonly useCase: string; readonly scriptId: number; readonly state: SupplyState }
> = new Map([
  [0x004f, { useCase: "ECS42", scriptId: 51, state: "Enabled" }],
  [0x0050, { useCase: "ECS43", scriptId: 52, state: "Disabled" }],
  [0x0051, { useCase: "ECS44", scriptId: 54, state: "Armed" }],
]);

const SCRIPT_TABLE_CLASS = 9;
const DISCONNECT_CONTROL = "0-0:10.0.106.255";
const EXECUTE = 1;

/**
 * The invoke id of a well-formed supply command for `messageCode` (its content executes the
 * expected script), or undefined when the content is anything else.
 */
export function readSupplyCommand(
  messageCode: number,
  content: Uint8Array,
): { readonly state: SupplyState; readonly invoke: LongInvokeIdAndPriority } | undefined {
  const expected = SUPPLY_COMMANDS.get(messageCode);
  if (expected === undefined) return undefined;
  let apdu: ReturnType<typeof decodeDlmsPayload>["apdu"];
  try {
    apdu = decodeDlmsPayload(content).apdu;
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
  if (apdu.apdu !== "access-request" || apdu.accessRequestSpecification.length !== 1) return undefined;
  const spec = apdu.accessRequestSpecification[0]!;
  const data = apdu.accessRequestListOfData[0];
  if (
    spec.kind !== "access-request-action" ||
    spec.cosemMethodDescriptor.classId !== SCRIPT_TABLE_CLASS ||
    spec.cosemMethodDescriptor.instanceId !== DISCONNECT_CONTROL ||
    spec.cosemMethodDescriptor.methodId !== EXECUTE ||
    data?.type !== "long-unsigned" ||
    data.value !== expected.scriptId
  ) {
    return undefined;
  }
  return { state: expected.state, invoke: apdu.longInvokeIdAndPriority };
}

/** The DLMS content of the response: one action result (`success` unless told otherwise). */
export function buildSupplyResponse(
  invoke: LongInvokeIdAndPriority,
  result: number = ActionResult.success,
): Uint8Array {
  const response: AccessResponse = {
    apdu: "access-response",
    longInvokeIdAndPriority: invoke,
    dateTime: null,
    accessRequestSpecification: null,
    accessResponseListOfData: [{ type: "null-data" }],
    accessResponseSpecification: [{ kind: "access-response-action", result }],
  };
  return encodeApdu(response);
}
