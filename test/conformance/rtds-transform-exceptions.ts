/**
 * The RTDS command files that `meterway transform` does not reproduce, each with the reason. The
 * transform conformance test expects every other paired file to match byte for byte, and each file
 * here to differ (so that the list cannot go stale). Keep it short: an entry is a finding about the
 * RTDS (a field that contradicts its own request) or a command not built yet, said as such.
 */
export const RTDS_TRANSFORM_EXCEPTIONS: ReadonlyMap<string, string> = new Map<string, string>([]);
