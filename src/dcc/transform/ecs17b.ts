/**
 * SRV 4.1.1 Read Instantaneous Import Registers to an ESME → GBCS ECS17b (message code 0x0027):
 * a DLMS get_protected_attributes on the import register collection. The DUIS body carries nothing
 * the command needs (an ExecutionDateTime is the scheduler's business).
 */
import { buildEcs17bCommand, ECS17B_MESSAGE_CODE } from "../../gbcs/dlms/use-cases/ecs17b.js";
import type { TransformInput, UseCaseTransform } from "./index.js";

export const ecs17b: UseCaseTransform = {
  useCase: "ECS17b",
  messageCode: ECS17B_MESSAGE_CODE,
  build(input: TransformInput): Uint8Array {
    return buildEcs17bCommand({
      counter: input.counter,
      originator: Buffer.from(input.originator, "hex"),
      recipient: Buffer.from(input.device, "hex"),
    });
  },
};
