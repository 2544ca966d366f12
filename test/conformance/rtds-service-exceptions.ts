/**
 * The RTDS 4.9.1 templates that do not get DUIS's answer from the running service today, each with
 * the outcome they get and why. The service conformance test expects exactly that outcome for each
 * (so the list cannot go stale) and DUIS's answer for every other template. `deviceAnswer: "E21"`
 * marks an acknowledged request whose simulated device does not answer yet.
 */
export interface ServiceException {
  readonly outcome: string;
  readonly reason: string;
  readonly deviceAnswer?: "E21";
}

const DCC_ORIGINATED =
  "the originator is the DCC's own EUI, not a Service User: the records issue decides what the DCC does with it";
const NON_DEVICE = "non-device SRVs are not built yet (the records issue)";

export const RTDS_SERVICE_EXCEPTIONS: ReadonlyMap<string, ServiceException> = new Map<
  string,
  ServiceException
>([
  ["CS02fMAC_6.24.1_SUCCESS_REQUEST_DUIS.XML", { outcome: "certificateUnknown", reason: DCC_ORIGINATED }],
  ["CS08_11.2_SUCCESS_REQUEST_DUIS.XML", { outcome: "certificateUnknown", reason: DCC_ORIGINATED }],
  ["GCS59_8.12.2_SUCCESS_REQUEST_DUIS.XML", { outcome: "certificateUnknown", reason: DCC_ORIGINATED }],
  [
    "GCS16b_4.14_URP_SUCCESS_REQUEST_DUIS.XML",
    {
      outcome: "E4",
      reason:
        "the originator 90-B3-D5-1F-30-03-00-00 is not the GPF's registered gas supplier in the profile's registration data (RTDS names the case URP)",
    },
  ],
  [
    "CCS03_8.12.1_SUCCESS_REQUEST_DUIS.XML",
    {
      outcome: "srvNotSupported",
      reason: "CCS03 carries the old hub's device log, which the DCC does not keep yet",
    },
  ],
  ...["CS02bNOByNOHandover_6.21", "CS02bSupplierBySupplierHandover_6.21"].map(
    (f): [string, ServiceException] => [
      `${f}_SUCCESS_REQUEST_DUIS.XML`,
      {
        outcome: "srvNotSupported",
        reason:
          "the DCC sends 6.21 under its own identity and counter (the handover of a DCC-controlled device): not built yet",
      },
    ],
  ),
  ...["CANCELLATION", "FUTURE_DATED", "IMMEDIATE"].map((k): [string, ServiceException] => [
    `CS02bSupplierByTransCoS_6.23_${k}_SUCCESS_REQUEST_DUIS.XML`,
    {
      outcome: "srvNotSupported",
      reason:
        "6.23 goes to the device signed by the transitional CoS party under its own counter, not the user's: not built yet",
    },
  ]),
]);

export const NON_DEVICE_REASON = NON_DEVICE;
