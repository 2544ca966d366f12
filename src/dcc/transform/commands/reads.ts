/**
 * SRV 4.x, the reads: registers, profiles, logs and billing data of ESMEs and GSMEs (and the GPF's
 * mirror of the gas meter).
 */
import { messageCodeOf } from "../../../catalogue/index.js";
import { decodeDlmsPayload } from "../../../gbcs/dlms/index.js";
import { buildEcs17bCommand } from "../../../gbcs/dlms/use-cases/ecs17b.js";
import { gcs13aCommand } from "../../../gbcs/gbz/use-cases/gcs13a.js";
import type { CommandSpec } from "../command-spec.js";

export const readCommands: readonly CommandSpec[] = [
  {
    srv: "4.1.1",
    useCase: "ECS17b",
    messageCode: messageCodeOf("ECS17b"),
    deviceTypes: ["ESME"],
    payload: (ctx) =>
      decodeDlmsPayload(
        buildEcs17bCommand({ counter: ctx.counter, originator: ctx.originator, recipient: ctx.device }),
      ),
  },
  {
    srv: "4.1.1",
    useCase: "GCS13a",
    messageCode: messageCodeOf("GCS13a"),
    deviceTypes: ["GSME"],
    payload: () => gcs13aCommand(),
  },
];
