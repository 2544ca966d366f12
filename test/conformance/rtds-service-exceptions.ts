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
]);

export const NON_DEVICE_REASON = NON_DEVICE;
