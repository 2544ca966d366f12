/**
 * What the GBZ codec needs from the message around it: the message code and CRA flag choose the
 * layout (alerts have an alert header; a few alert message codes have a bespoke body), and the
 * decrypt hook opens ciphered components.
 */
import type { PayloadContext } from "../payload-context.js";

export type GbzMessageContext = Pick<PayloadContext, "messageCode" | "cra" | "decrypt">;

/** GBCS message codes of GBZ alerts whose body is not GBZ components. */
export const GbzAlertMessageCode = {
  /** Future Dated Execution Of Instruction Alert (GBZ). */
  futureDatedExecutionOfInstruction: 0x00cd,
  /** Firmware Distribution Receipt Alert (GSME). */
  firmwareDistributionReceipt: 0x00cf,
  /** Meter Integrity Issue Warning Alert - GSME. */
  meterIntegrityIssueWarning: 0x00f2,
} as const;

export type GbzAlertLayout =
  | "components"
  | "futureDatedAlert"
  | "firmwareDistributionReceiptAlert"
  | "meterIntegrityIssueWarningAlert";

/** The body layout of a GBZ alert with this message code. */
export function gbzAlertLayout(messageCode: number): GbzAlertLayout {
  switch (messageCode) {
    case GbzAlertMessageCode.futureDatedExecutionOfInstruction:
      return "futureDatedAlert";
    case GbzAlertMessageCode.firmwareDistributionReceipt:
      return "firmwareDistributionReceiptAlert";
    case GbzAlertMessageCode.meterIntegrityIssueWarning:
      return "meterIntegrityIssueWarningAlert";
    default:
      return "components";
  }
}
