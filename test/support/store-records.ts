/** Records to put in a store in tests: a plausible ESME and a received 4.1.1 request, to be patched. */
import type { DeviceRecord, RequestRecord } from "../../src/store/types.js";

export const T0 = Date.UTC(2026, 0, 1);

export function device(eui: string, patch: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    eui,
    type: "ESME",
    status: "Commissioned",
    hubEui: "0000000000000001",
    mpxn: "1234567890123",
    region: "North",
    updatedAt: T0,
    ...patch,
  };
}

export function request(id: string, patch: Partial<RequestRecord> = {}): RequestRecord {
  return {
    id,
    requestId: "90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A4:1000",
    originator: "90b3d51f30010000",
    target: "00db1234567890a4",
    counter: 1000n,
    srv: "4.1.1",
    commandVariant: 1,
    state: "received",
    responseCode: null,
    correlation: null,
    gbcsCommand: null,
    gbcsResponse: null,
    requestXml: null,
    error: null,
    executeAt: null,
    receivedAt: T0,
    updatedAt: T0,
    ...patch,
  };
}
