/**
 * The XML-DSig vocabulary DUIS uses, as DCC Boxed writes it: an enveloped signature over the whole
 * message (`Reference URI=""`), SignedInfo in exclusive canonical form, ECDSA P-256 with SHA-256 and a
 * raw r||s SignatureValue (RFC 6931 `ecdsa-sha256`), a SHA-256 digest, and the signer named by
 * `KeyInfo/X509Data/X509IssuerSerial` with a decimal serial number.
 */

/** The XML-DSig namespace (`ds:`). */
export const DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#";
/** The namespace of the `ec:InclusiveNamespaces` element of exclusive canonicalisation. */
export const EXC_C14N_NAMESPACE = "http://www.w3.org/2001/10/xml-exc-c14n#";

export const ALGORITHM = {
  /** CanonicalizationMethod of SignedInfo, and the optional second Reference transform. */
  excC14n: "http://www.w3.org/2001/10/xml-exc-c14n#",
  /** Canonical XML 1.0: what a Reference's node-set becomes when no transform says otherwise. */
  c14n10: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
  /** SignatureMethod: ECDSA with SHA-256 (RFC 6931 §2.3.6). */
  ecdsaSha256: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
  /** DigestMethod: SHA-256 (XML Encryption namespace, as XML-DSig 1.1 names it). */
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  /** The enveloped-signature transform: the Signature element leaves the digested node-set. */
  envelopedSignature: "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
} as const;

/** Length of a raw P-256 ECDSA signature (r||s, 32 bytes each). */
export const P256_SIGNATURE_BYTES = 64;
