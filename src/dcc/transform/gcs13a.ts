/**
 * SRV 4.1.1 Read Instantaneous Import Registers to a GSME → GBCS GCS13a Read GSME Consumption
 * Register (message code 0x0074): a ZCL Read Attributes of the Metering cluster in a GBZ payload.
 * The command's payload carries no identities (the grouping header does).
 */
import { buildGcs13aCommand, GCS13A_MESSAGE_CODE } from "../../gbcs/gbz/use-cases/gcs13a.js";
import type { UseCaseTransform } from "./index.js";

export const gcs13a: UseCaseTransform = {
  useCase: "GCS13a",
  messageCode: GCS13A_MESSAGE_CODE,
  build: () => buildGcs13aCommand(),
};
