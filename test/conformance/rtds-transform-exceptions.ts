/**
 * The RTDS command files that `meterway transform` does not reproduce, each with the reason. The
 * transform conformance test expects every other paired file to match byte for byte, and each file
 * here to differ (so that the list cannot go stale). Keep it short: an entry is a finding about the
 * RTDS (a field that contradicts its own request) or a command not built yet, said as such.
 */
export const RTDS_TRANSFORM_EXCEPTIONS: ReadonlyMap<string, string> = new Map<string, string>([
  [
    "ECS25a_6.22_SUCCESS_COMMAND_GBCS.HEX",
    "RTDS contradicts its request: the body enables polyphase alert 0x81B7, the command changes bits 0xC4/0xC5 and enables neither",
  ],
  [
    "ECS25b_6.22_SUCCESS_COMMAND_GBCS.HEX",
    "RTDS contradicts its request: the body enables polyphase alert 0x8003, the command carries no bit for it",
  ],
  [
    "GCS20_6.22_SUCCESS_COMMAND_GBCS.HEX",
    "same contents, other order: RTDS groups the alerts by behaviour in an order nothing in the body gives",
  ],
  [
    "ECS29f_6.27_SUCCESS_COMMAND_GBCS.HEX",
    "ECS29f (polyphase) has the body and device type of ECS29e; the DCC builds ECS29e for an ESME",
  ],
  [
    "ECS35f_6.13_SUCCESS_COMMAND_GBCS.HEX",
    "ECS35f is the older code of ECS35g, same body and device type; the DCC builds ECS35g",
  ],
  [
    "ECS02_1.6_IMMEDIATE_SINGLE_SUCCESS_PRECOMMAND_GBCS.HEX",
    "single-element form of a twin-element command to the same ESME with the same body; the DCC builds the twin form (the ESME takes secondary-element tariffs) and has no ESME variant in its records yet",
  ],
  [
    "ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_PRECOMMAND_GBCS.HEX",
    "single-element form of a twin-element command to the same ESME with the same body (as ECS02 single)",
  ],
  [
    "CS03CCritical_8.7.1_SUCCESS_PRECOMMAND_GBCS.HEX",
    "carries the other device's (00DB123456789098) KA certificate, which is not in the RTDS key store",
  ],
  [
    "GCS59_8.12.2_SUCCESS_COMMAND_GBCS.HEX",
    "carries the old GPF's device log, which the DCC does not keep yet",
  ],
  [
    "CS02bNOByNO_6.15.1_SUCCESS_PRECOMMAND_GBCS.HEX",
    "the 4.9.1 template carries reissued replacement certificates, not the ones in the 4.5.0 command (with the command's certificates in the template it matches: test/dcc/transform-hub-security.test.ts)",
  ],
  [
    "CS02bSupplierBySupplier_6.15.1_CANCELLATION_SUCCESS_PRECOMMAND_GBCS.HEX",
    "the 4.9.1 template carries reissued replacement certificates, not the ones in the 4.5.0 command (with the command's certificates in the template it matches: test/dcc/transform-hub-security.test.ts)",
  ],
  [
    "CS02bSupplierBySupplier_6.15.1_FUTURE_DATED_SUCCESS_PRECOMMAND_GBCS.HEX",
    "the 4.9.1 template carries reissued replacement certificates, not the ones in the 4.5.0 command (with the command's certificates in the template it matches: test/dcc/transform-hub-security.test.ts)",
  ],
  [
    "CS02bSupplierBySupplier_6.15.1_IMMEDIATE_SUCCESS_PRECOMMAND_GBCS.HEX",
    "the 4.9.1 template carries reissued replacement certificates, not the ones in the 4.5.0 command (with the command's certificates in the template it matches: test/dcc/transform-hub-security.test.ts)",
  ],
  [
    "CS02gLoadControllerBySupplier_6.15.1_CANCELLATION_SUCCESS_PRECOMMAND_GBCS.HEX",
    "the 4.9.1 template carries reissued replacement certificates, not the ones in the 4.5.0 command (with the command's certificates in the template it matches: test/dcc/transform-hub-security.test.ts)",
  ],
  [
    "CS02gLoadControllerBySupplier_6.15.1_FUTURE_DATED_SUCCESS_PRECOMMAND_GBCS.HEX",
    "the 4.9.1 template carries reissued replacement certificates, not the ones in the 4.5.0 command (with the command's certificates in the template it matches: test/dcc/transform-hub-security.test.ts)",
  ],
  [
    "CS02gLoadControllerBySupplier_6.15.1_IMMEDIATE_SUCCESS_PRECOMMAND_GBCS.HEX",
    "the 4.9.1 template carries reissued replacement certificates, not the ones in the 4.5.0 command (with the command's certificates in the template it matches: test/dcc/transform-hub-security.test.ts)",
  ],
  [
    "ECS23b_4.10_SUCCESS_COMMAND_GBCS.HEX",
    "ECS23b (polyphase) has the body and device type of ECS23; the DCC builds ECS23 and has no ESME variant in its records yet",
  ],
  [
    "GCS15c_4.4.3_SUCCESS_COMMAND_GBCS.HEX",
    "RTDS contradicts its request: the command asks for 2015-01-01T00:00:01 onwards, the template for 2014-12-01 to 2015-11-01",
  ],
  [
    "GCS60a_4.18_SUCCESS_UNRELIABLE_GSME_COMMAND_GBCS.HEX",
    "RTDS sends both GCS60 and GCS60a to the GSME for the same body; the DCC sends GCS60 to a GSME, GCS60a to a GPF",
  ],
  [
    "ECS26k_6.2.1_SUCCESS_COMMAND_GBCS.HEX",
    "the polyphase form of ECS26b, same body and device type; the DCC has no ESME variant in its records yet",
  ],
  [
    "ECS26l_6.2.3_SUCCESS_COMMAND_GBCS.HEX",
    "the later-GBCS-version form of ECS26d, same body and device type; the DCC has no device GBCS version in its records yet",
  ],
  ["ECS26m_6.2.4_SUCCESS_COMMAND_GBCS.HEX", "the later-GBCS-version form of ECS26e (as ECS26l)"],
  ["GCS21k_6.2.3_SUCCESS_COMMAND_GBCS.HEX", "the later-GBCS-version form of GCS21d (as ECS26l)"],
  ["GCS21m_6.2.4_SUCCESS_COMMAND_GBCS.HEX", "the later-GBCS-version form of GCS21e (as ECS26l)"],
  [
    "ECS08_2.1_IMMEDIATE_SUCCESS_PRECOMMAND_GBCS.HEX",
    "ECS08 (0x001F) is the older form of ECS08a (0x00DE) with the same DUIS body; the DCC builds ECS08a",
  ],
  [
    "ECS08_2.1_FUTURE_DATED_SUCCESS_PRECOMMAND_GBCS.HEX",
    "ECS08 (0x001F) is the older form of ECS08a (0x00DE) with the same DUIS body; the DCC builds ECS08a",
  ],
  [
    "ECS08_2.1_CANCELLATION_SUCCESS_PRECOMMAND_GBCS.HEX",
    "ECS08 (0x001F) is the older form of ECS08a (0x00DE) with the same DUIS body; the DCC builds ECS08a",
  ],
  [
    "GCS09_3.2_SUCCESS_COMMAND_GBCS.HEX",
    "RTDS contradicts its request: the implementation date is 2016-11-22T02:46:56Z, the template's RestrictionDateTime 2015-02-01T00:00:00Z",
  ],
]);
