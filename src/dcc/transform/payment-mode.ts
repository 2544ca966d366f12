/**
 * Payment mode (SRV 1.6, ECS02/ECS03 and GCS02/GCS03): how the DUIS choice of credit or prepayment,
 * with the prepayment mode's SuspendDebtDisabled and SuspendDebtEmergency flags, becomes what the
 * meter is told.
 *
 * An ESME is told with its Account's `credit_charge_configuration` (class 111, attribute 11): which
 * charges are taken from which credit register, and when collection goes on (GBCS §18.2.1 allows a
 * small set of these tables; they are built here from the flags). A GSME is told with the ZSE
 * Change Payment Mode's Proposed Payment Control Configuration, one of five bitmaps.
 */
import type { DlmsData } from "../../gbcs/dlms/data.js";
import { type ObisCode, obisToBytes } from "../../gbcs/dlms/index.js";
import { dlms } from "./dlms-builder.js";

/** The ESME's credit registers (class 112 Credit) that charges are taken from. */
export const CREDIT = {
  meterBalance: "0-0:19.10.0.255",
  emergencyCreditBalance: "0-0:19.10.1.255",
  accumulatedDebtRegister: "0-0:19.10.2.255",
} as const satisfies Record<string, ObisCode>;

/** The ESME's charges (class 113 Charge). */
export const CHARGE = {
  primaryPriceMatrix: "0-0:19.20.0.255",
  debtRecoveryRate1: "0-0:19.20.1.255",
  debtRecoveryRate2: "0-0:19.20.2.255",
  debtRecoveryPerPayment: "0-0:19.20.3.255",
  standingCharge: "0-0:19.20.4.255",
  secondaryPriceMatrix: "0-0:19.20.5.255",
} as const satisfies Record<string, ObisCode>;

type Credit = keyof typeof CREDIT;
type Charge = keyof typeof CHARGE;

/**
 * collection_configuration, a bit-string of 3 collection conditions (Blue Book class 111). Every
 * row collects in all three, except that SuspendDebtDisabled clears the last bit of the time-based
 * debt recovery rows (110), as GBCS §18.2.1's tables and the RTDS ECS03 commands have it.
 */
const COLLECT_ALWAYS = 0b111;
const COLLECT_SUSPENDED_DEBT = 0b110;

/** The payment mode a meter is to take: credit, or prepayment with its two suspension flags. */
export type PaymentMode =
  | { readonly mode: "credit" }
  | {
      readonly mode: "prepayment";
      readonly suspendDebtDisabled: boolean;
      readonly suspendDebtEmergency: boolean;
    };

/**
 * The credit_charge_configuration rows in the order GBCS sends them. `secondaryElement`: the ESME
 * has a secondary (twin) element, whose price matrix is charged from the same registers.
 */
export function creditChargeConfiguration(mode: PaymentMode, secondaryElement: boolean): DlmsData {
  const rows: [Credit, Charge, number][] = [];
  const debt =
    mode.mode === "prepayment" && mode.suspendDebtDisabled ? COLLECT_SUSPENDED_DEBT : COLLECT_ALWAYS;
  rows.push(
    ["meterBalance", "primaryPriceMatrix", COLLECT_ALWAYS],
    ["meterBalance", "standingCharge", COLLECT_ALWAYS],
  );
  if (mode.mode === "prepayment") {
    rows.push(
      ["meterBalance", "debtRecoveryRate1", debt],
      ["meterBalance", "debtRecoveryRate2", debt],
      ["meterBalance", "debtRecoveryPerPayment", COLLECT_ALWAYS],
      ["emergencyCreditBalance", "debtRecoveryPerPayment", COLLECT_ALWAYS],
      ["emergencyCreditBalance", "primaryPriceMatrix", COLLECT_ALWAYS],
      ["emergencyCreditBalance", "standingCharge", COLLECT_ALWAYS],
      ["emergencyCreditBalance", "debtRecoveryRate1", debt],
      ["emergencyCreditBalance", "debtRecoveryRate2", debt],
    );
    // Debt suspended while on emergency credit: the standing charge and the time-based debt
    // recovery are also charged to the accumulated debt register (rows present only then).
    if (mode.suspendDebtEmergency) {
      rows.push(
        ["accumulatedDebtRegister", "standingCharge", COLLECT_ALWAYS],
        ["accumulatedDebtRegister", "debtRecoveryRate1", COLLECT_ALWAYS],
        ["accumulatedDebtRegister", "debtRecoveryRate2", COLLECT_ALWAYS],
      );
    }
  }
  if (secondaryElement) {
    rows.push(["meterBalance", "secondaryPriceMatrix", COLLECT_ALWAYS]);
    if (mode.mode === "prepayment")
      rows.push(["emergencyCreditBalance", "secondaryPriceMatrix", COLLECT_ALWAYS]);
  }
  return dlms.array(
    rows.map(([credit, charge, collect]) =>
      dlms.structure(
        dlms.octets(obisToBytes(CREDIT[credit])),
        dlms.octets(obisToBytes(CHARGE[charge])),
        dlms.bits(3, Uint8Array.of(collect << 5)),
      ),
    ),
  );
}

/** Account class 111 account_mode_and_status: payment mode 1 credit, 2 prepayment; status 1 (new). */
export const PAYMENT_MODE = { credit: 1, prepayment: 2 } as const;
export const ACCOUNT_STATUS_NEW_INACTIVE = 1;

/**
 * ZSE Proposed Payment Control Configuration of GCS02/GCS03 (one of five bitmaps GBCS lists):
 * credit 0x0C94; prepayment 0x0097 with bit 10 when debt is suspended while disabled and bit 11
 * when debt is collected while on emergency credit (that is, not suspended).
 */
export function paymentControlConfiguration(mode: PaymentMode): number {
  if (mode.mode === "credit") return 0x0c94;
  return 0x0097 | (mode.suspendDebtDisabled ? 0x0400 : 0) | (mode.suspendDebtEmergency ? 0 : 0x0800);
}
