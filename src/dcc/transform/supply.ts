/**
 * SRV 7.1 Enable Supply, 7.2 Disable Supply and 7.3 Arm Supply to an ESME → GBCS ECS42, ECS43 and
 * ECS44 (message codes 0x004F, 0x0050, 0x0051, from the catalogue's use-case table). Each SRV is
 * critical: the DCC returns the command as a
 * Pre-Command (CV4) for the supplier to sign, and sends it once signed (CV5).
 *
 * The DLMS content is one access-request action on the Disconnect Control Script Table (class 9
 * Script Table, 0-0:10.0.106.255, method 1 `execute`) whose parameter is the script to run, a
 * long-unsigned: 51 enables, 52 disables, 54 arms the supply (GBCS use-case templates; the RTDS
 * pre-commands carry exactly these). The DUIS bodies (`EnableSupply`, `DisableSupply`,
 * `ArmSupply`) are empty.
 */
import { messageCodeOf } from "../../catalogue/index.js";
import { encodeApdu, gbcsInvokeIdAndPriority, type ObisCode } from "../../gbcs/dlms/index.js";
import type { TransformInput, UseCaseTransform } from "./index.js";

/** The ESME's Disconnect Control Script Table (class 9). */
export const DISCONNECT_CONTROL_SCRIPT_TABLE: { readonly classId: number; readonly logicalName: ObisCode } = {
  classId: 9,
  logicalName: "0-0:10.0.106.255",
};

/** Script Table method 1, `execute(script_identifier)`. */
const EXECUTE = 1;

/** The supply use cases: name, message code and the script the ESME runs. */
export const SUPPLY_SCRIPTS = {
  ECS42: { messageCode: messageCodeOf("ECS42"), scriptId: 51 },
  ECS43: { messageCode: messageCodeOf("ECS43"), scriptId: 52 },
  ECS44: { messageCode: messageCodeOf("ECS44"), scriptId: 54 },
} as const;

export type SupplyUseCase = keyof typeof SUPPLY_SCRIPTS;

/** The DLMS content of ECS42/43/44: execute the use case's disconnect-control script. */
export function buildSupplyCommand(useCase: SupplyUseCase, counter: bigint): Uint8Array {
  return encodeApdu({
    apdu: "access-request",
    longInvokeIdAndPriority: gbcsInvokeIdAndPriority(counter),
    dateTime: null,
    accessRequestSpecification: [
      {
        kind: "access-request-action",
        cosemMethodDescriptor: {
          classId: DISCONNECT_CONTROL_SCRIPT_TABLE.classId,
          instanceId: DISCONNECT_CONTROL_SCRIPT_TABLE.logicalName,
          methodId: EXECUTE,
        },
      },
    ],
    accessRequestListOfData: [{ type: "long-unsigned", value: SUPPLY_SCRIPTS[useCase].scriptId }],
  });
}

function supplyTransform(useCase: SupplyUseCase): UseCaseTransform {
  return {
    useCase,
    messageCode: SUPPLY_SCRIPTS[useCase].messageCode,
    build: (input: TransformInput) => buildSupplyCommand(useCase, input.counter),
  };
}

export const ecs42 = supplyTransform("ECS42");
export const ecs43 = supplyTransform("ECS43");
export const ecs44 = supplyTransform("ECS44");
