/**
 * The EUI an SMKI organisation certificate names: the subject's x500UniqueIdentifier (2.5.4.45), a
 * BIT STRING of the 8-byte EUI (`03 09 00 <eui>`), as in the DCC Boxed and RTDS test certificates
 * and our test PKI. The pipeline checks it against the RequestID's originator, so that a user's
 * certificate cannot sign for another EUI even if a directory entry were wrong.
 */
import type { X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";

const X500_UNIQUE_IDENTIFIER = "2.5.4.45";

/** The EUI (16 lowercase hex) in the certificate's subject, or undefined when it names none. */
export function certificateEui(certificate: X509Certificate): string | undefined {
  let parsed: Certificate;
  try {
    parsed = AsnConvert.parse(certificate.raw, Certificate);
  } catch {
    return undefined;
  }
  for (const rdn of parsed.tbsCertificate.subject) {
    for (const attribute of rdn) {
      if (attribute.type !== X500_UNIQUE_IDENTIFIER || attribute.value.anyValue === undefined) continue;
      const der = new Uint8Array(attribute.value.anyValue);
      // BIT STRING, length 9, no unused bits, then the 8 bytes of the EUI.
      if (der.length === 11 && der[0] === 0x03 && der[1] === 0x09 && der[2] === 0x00) {
        return Buffer.from(der.subarray(3)).toString("hex");
      }
    }
  }
  return undefined;
}
