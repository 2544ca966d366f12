/**
 * Verifying the enveloped XML signature of a DUIS message (request from a user, or a response
 * signed by DCC Boxed). A failed verification says why, once, as data: the caller decides which DUIS
 * error code it becomes.
 *
 * Only the profile DUIS uses is accepted (see `algorithms.ts`): exactly one `ds:Signature`, a child
 * of the root; one Reference with `URI=""`; transforms enveloped-signature, optionally followed by
 * exclusive (or inclusive) canonicalisation; exclusive canonical SignedInfo; ECDSA P-256/SHA-256 with
 * a raw r||s value; SHA-256 digest; the signer named by X509IssuerSerial. Anything else is refused
 * before any cryptography runs.
 *
 * Whitespace: DCC Boxed's verifier parses with "ignore element content whitespace", so the digest it
 * checks is over the message without whitespace between elements. We check that form first; when it
 * fails and the message had such whitespace, the message exactly as received is tried too (a signer
 * that signed its pretty-printed text is also right by XML-DSig).
 */
import { hash, type KeyObject, verify, type X509Certificate } from "node:crypto";
import { exclusiveC14n, inclusiveC14n } from "../xml/c14n.js";
import { XmlError } from "../xml/errors.js";
import { parseXml, type XmlLimits } from "../xml/parse.js";
import { exclusiveC14nFromSource, inclusiveC14nFromSource } from "../xml/source-c14n.js";
import {
  attributeValue,
  childElements,
  stripInterElementWhitespace,
  textContent,
  type XmlDocument,
  type XmlElement,
  type XmlPosition,
} from "../xml/tree.js";
import { ALGORITHM, DSIG_NAMESPACE, EXC_C14N_NAMESPACE, P256_SIGNATURE_BYTES } from "./algorithms.js";
import { normaliseSerial } from "./certificate.js";

/** Why a signature was not accepted. */
export type VerifyFailureReason =
  /** Not acceptable XML, or a `ds:Signature` that does not have the DUIS shape. */
  | "malformed"
  /** The root has no `ds:Signature` child. */
  | "no-signature"
  /** An algorithm, transform or Reference URI outside the DUIS profile. */
  | "unsupported-algorithm"
  /** No certificate is known for the issuer and serial in KeyInfo. */
  | "unknown-serial"
  /** The certificate's key is not an ECDSA P-256 key. */
  | "wrong-key"
  /** The certificate was not valid at the time given (`now`). */
  | "certificate-expired"
  | "certificate-not-yet-valid"
  /** The message content does not match DigestValue: it was changed after signing. */
  | "bad-digest"
  /** SignatureValue does not verify over SignedInfo with the certificate's key. */
  | "bad-signature";

export type VerifyResult =
  | {
      readonly valid: true;
      readonly certificate: X509Certificate;
      /** Issuer name and decimal serial as written in KeyInfo. */
      readonly issuer: string;
      readonly serial: string;
      /**
       * The message that was signed: the root without its `ds:Signature` and, when that is the form the
       * digest matched, without whitespace between elements. Read the message from this.
       */
      readonly signedDocument: XmlDocument;
    }
  | { readonly valid: false; readonly reason: VerifyFailureReason; readonly detail: string };

/** A certificate as a key store returns it; `publicKey` may be given to save extracting it per call. */
export type CertificateLookupResult =
  | X509Certificate
  | { readonly certificate: X509Certificate; readonly publicKey: KeyObject };

export interface VerifyDuisOptions {
  /**
   * Finds the signer's certificate by the issuer name (RFC 2253, as written) and decimal serial (leading
   * zeros removed); undefined when unknown. SMKI serials are unique, so a store may key on serial alone.
   */
  lookupCertificate(issuer: string, serialDecimal: string): CertificateLookupResult | undefined;
  /** When given, the certificate must be valid at this time (the test certificates have expired). */
  readonly now?: Date;
  /** Parser limits when the input is text. */
  readonly limits?: Partial<XmlLimits>;
}

/** The parts of a `ds:Signature` that verification needs, read and checked against the profile. */
interface ParsedSignature {
  readonly signature: XmlElement;
  readonly signedInfo: XmlElement;
  readonly digest: Buffer;
  readonly signatureValue: Buffer;
  readonly issuer: string;
  readonly serial: string;
  /** How the Reference's node-set becomes bytes. */
  readonly referenceC14n: "inclusive" | "exclusive";
  readonly inclusivePrefixes: readonly string[] | undefined;
}

type Failure = { readonly valid: false; readonly reason: VerifyFailureReason; readonly detail: string };

function fail(reason: VerifyFailureReason, detail: string): Failure {
  return { valid: false, reason, detail };
}

/** Verifies the enveloped signature of a DUIS message. Never throws for bad input: see `VerifyResult`. */
export function verifyDuis(
  input: string | Uint8Array | XmlDocument,
  options: VerifyDuisOptions,
): VerifyResult {
  const prepared = prepareDuisVerification(input, options);
  return prepared.kind === "prepared" ? completeDuisVerification(prepared) : prepared.result;
}

/**
 * A message checked in every way but the last: all that remains is the ECDSA verification of
 * SignatureValue over canonical SignedInfo (`completeDuisVerification`). Kept apart so that a server
 * under load can run the ECDSA verifications of several requests one after another, while the
 * curve's tables are in the processor's cache (see `SignatureVerifier`).
 */
export interface PreparedVerification {
  readonly kind: "prepared";
  /** Canonical SignedInfo, in the forms to try, in order (two only when it has whitespace to drop). */
  readonly signedInfo: readonly Buffer[];
  readonly signatureValue: Buffer;
  readonly publicKey: KeyObject;
  readonly valid: Extract<VerifyResult, { valid: true }>;
}

/**
 * Checks a DUIS message's signature up to the ECDSA verification: profile, certificate, digest.
 * A failure is final (`kind: "done"`); otherwise `completeDuisVerification` gives the result.
 */
export function prepareDuisVerification(
  input: string | Uint8Array | XmlDocument,
  options: VerifyDuisOptions,
): PreparedVerification | { readonly kind: "done"; readonly result: Failure } {
  const done = (result: Failure) => ({ kind: "done", result }) as const;
  let doc: XmlDocument;
  if (typeof input === "string" || input instanceof Uint8Array) {
    try {
      doc = parseXml(input, options.limits);
    } catch (e) {
      if (e instanceof XmlError) return done(fail("malformed", `${e.code}: ${e.message}`));
      throw e;
    }
  } else {
    doc = input;
  }

  const root = doc.root;
  const parsed = readSignature(root);
  if ("valid" in parsed) return done(parsed);

  const found = options.lookupCertificate(parsed.issuer, parsed.serial);
  if (found === undefined) {
    return done(
      fail("unknown-serial", `no certificate for issuer '${parsed.issuer}' serial ${parsed.serial}`),
    );
  }
  const certificate = "certificate" in found ? found.certificate : found;
  const publicKey = found.publicKey;
  if (publicKey.asymmetricKeyType !== "ec" || publicKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    return done(fail("wrong-key", `certificate serial ${parsed.serial} does not hold an ECDSA P-256 key`));
  }
  if (options.now !== undefined) {
    const t = options.now.getTime();
    if (t > Date.parse(certificate.validTo)) {
      return done(
        fail("certificate-expired", `certificate serial ${parsed.serial} expired ${certificate.validTo}`),
      );
    }
    if (t < Date.parse(certificate.validFrom)) {
      return done(
        fail(
          "certificate-not-yet-valid",
          `certificate serial ${parsed.serial} is valid from ${certificate.validFrom}`,
        ),
      );
    }
  }

  // Digest: when the message is canonical as received (the usual case), its canonical form is cut
  // straight from its text. Otherwise the whitespace-free form first (as DCC Boxed), then, if the
  // message had whitespace between elements, the text exactly as received. Both in one pass each,
  // without building a stripped tree.
  const whitespace = { dropped: 0 };
  let stripped = true;
  if (!sourceDigestMatches(doc, parsed) && !digestMatches(root, parsed, true, whitespace)) {
    if (whitespace.dropped === 0 || !digestMatches(root, parsed, false, whitespace)) {
      return done(
        fail("bad-digest", "the message does not match DigestValue: it was changed after it was signed"),
      );
    }
    stripped = false;
  }
  const signedRoot =
    stripped && whitespace.dropped > 0
      ? withoutSignature(stripInterElementWhitespace(root))
      : withoutSignature(root);

  if (parsed.signatureValue.length !== P256_SIGNATURE_BYTES) {
    return done(
      fail(
        "bad-signature",
        `SignatureValue is ${parsed.signatureValue.length} bytes; ecdsa-sha256 P-256 needs ${P256_SIGNATURE_BYTES} (raw r||s)`,
      ),
    );
  }
  return {
    kind: "prepared",
    signedInfo: canonicalSignedInfo(doc, parsed.signedInfo, stripped),
    signatureValue: parsed.signatureValue,
    publicKey,
    valid: {
      valid: true,
      certificate,
      issuer: parsed.issuer,
      serial: parsed.serial,
      signedDocument: new SignedDocument(signedRoot, doc),
    },
  };
}

/** The ECDSA verification a prepared message still needs, and so its result. */
export function completeDuisVerification(prepared: PreparedVerification): VerifyResult {
  for (const signedInfo of prepared.signedInfo) {
    if (
      verify(
        "sha256",
        signedInfo,
        { key: prepared.publicKey, dsaEncoding: "ieee-p1363" },
        prepared.signatureValue,
      )
    ) {
      return prepared.valid;
    }
  }
  return fail(
    "bad-signature",
    `SignatureValue does not verify with the key of certificate serial ${prepared.valid.serial}`,
  );
}

/**
 * SignedInfo in exclusive canonical form: from the source when it is canonical there (it then has no
 * whitespace to drop, so that is the one form); otherwise from the tree, in the digest's form first,
 * then the other if it differs.
 */
function canonicalSignedInfo(doc: XmlDocument, signedInfo: XmlElement, stripped: boolean): Buffer[] {
  const fromSource = exclusiveC14nFromSource(doc, signedInfo);
  if (fromSource !== undefined) return [Buffer.from(fromSource, "utf8")];
  const whitespace = { dropped: 0 };
  const first = exclusiveC14n(signedInfo, { dropInterElementWhitespace: stripped, whitespace });
  const forms = [Buffer.from(first, "utf8")];
  if (whitespace.dropped > 0) {
    forms.push(Buffer.from(exclusiveC14n(signedInfo, { dropInterElementWhitespace: !stripped }), "utf8"));
  }
  return forms;
}

/**
 * The signed message: its root without the signature, with the source positions of the document it
 * came from (looked up only when asked for; a class, because an object literal with a getter per
 * request costs the garbage collector dearly).
 */
class SignedDocument implements XmlDocument {
  constructor(
    readonly root: XmlElement,
    private readonly source: XmlDocument,
  ) {}

  get positions(): ReadonlyMap<XmlElement, XmlPosition> {
    return this.source.positions;
  }
}

/**
 * Whether the digest matches the canonical form taken from the source text; false also when the
 * source cannot be used. The source form is only given when there is no whitespace between elements,
 * so a match stands for the whitespace-free form and the form as received alike.
 */
function sourceDigestMatches(doc: XmlDocument, sig: ParsedSignature): boolean {
  if (sig.referenceC14n !== "inclusive") return false;
  const canonical = inclusiveC14nFromSource(doc, sig.signature);
  return canonical !== undefined && sig.digest.equals(hash("sha256", canonical, "buffer"));
}

function digestMatches(
  root: XmlElement,
  sig: ParsedSignature,
  dropWhitespace: boolean,
  whitespace: { dropped: number },
): boolean {
  const options = {
    exclude: sig.signature,
    dropInterElementWhitespace: dropWhitespace,
    whitespace,
    ...(sig.inclusivePrefixes === undefined ? {} : { inclusivePrefixes: sig.inclusivePrefixes }),
  };
  const canonical =
    sig.referenceC14n === "inclusive" ? inclusiveC14n(root, options) : exclusiveC14n(root, options);
  return sig.digest.equals(hash("sha256", canonical, "buffer"));
}

/** The root without its (one) `ds:Signature` child. */
function withoutSignature(root: XmlElement): XmlElement {
  return {
    ...root,
    children: root.children.filter(
      (c) => !(c.kind === "element" && c.localName === "Signature" && c.namespace === DSIG_NAMESPACE),
    ),
  };
}

/** The one DSig child element with this local name, or a description of what is wrong. */
function only(parent: XmlElement, localName: string): XmlElement | string {
  let found: XmlElement | undefined;
  for (const c of parent.children) {
    if (c.kind !== "element") {
      if (c.text.trim() !== "") return `unexpected text in ds:${parent.localName}`;
      continue;
    }
    if (c.localName === localName && c.namespace === DSIG_NAMESPACE) {
      if (found !== undefined) return `more than one ds:${localName} in ds:${parent.localName}`;
      found = c;
    }
  }
  return found ?? `ds:${parent.localName} has no ds:${localName}`;
}

const HAS_WHITESPACE = /\s/;

/**
 * The bytes of a base64 element (line breaks allowed), or undefined when it is not exactly base64:
 * Node's decoder skips characters it does not know, so the bytes are encoded again and compared,
 * which refuses junk, missing padding and stray bits at once (and costs less than a regular expression).
 */
function base64(el: XmlElement): Buffer | undefined {
  const raw = textContent(el);
  const s = HAS_WHITESPACE.test(raw) ? raw.replace(/\s+/g, "") : raw;
  const bytes = Buffer.from(s, "base64");
  return bytes.toString("base64") === s ? bytes : undefined;
}

/** Reads `ds:Signature` from the root and checks it against the DUIS profile. */
function readSignature(root: XmlElement): ParsedSignature | Failure {
  let signature: XmlElement | undefined;
  for (const c of root.children) {
    if (c.kind === "element" && c.localName === "Signature" && c.namespace === DSIG_NAMESPACE) {
      if (signature !== undefined) return fail("malformed", "more than one ds:Signature in the root element");
      signature = c;
    }
  }
  if (signature === undefined) return fail("no-signature", "the message has no ds:Signature");

  const signedInfo = only(signature, "SignedInfo");
  if (typeof signedInfo === "string") return fail("malformed", signedInfo);
  const signatureValueEl = only(signature, "SignatureValue");
  if (typeof signatureValueEl === "string") return fail("malformed", signatureValueEl);

  const c14n = only(signedInfo, "CanonicalizationMethod");
  if (typeof c14n === "string") return fail("malformed", c14n);
  const c14nAlg = attributeValue(c14n, "Algorithm");
  if (c14nAlg !== ALGORITHM.excC14n) {
    return fail(
      "unsupported-algorithm",
      `CanonicalizationMethod '${c14nAlg ?? ""}' (DUIS uses ${ALGORITHM.excC14n})`,
    );
  }
  if (childElements(c14n).length > 0) {
    return fail("unsupported-algorithm", "CanonicalizationMethod with parameters is not supported");
  }
  const method = only(signedInfo, "SignatureMethod");
  if (typeof method === "string") return fail("malformed", method);
  const methodAlg = attributeValue(method, "Algorithm");
  if (methodAlg !== ALGORITHM.ecdsaSha256) {
    return fail(
      "unsupported-algorithm",
      `SignatureMethod '${methodAlg ?? ""}' (DUIS uses ${ALGORITHM.ecdsaSha256})`,
    );
  }
  const reference = only(signedInfo, "Reference");
  if (typeof reference === "string") return fail("malformed", reference);
  const uri = attributeValue(reference, "URI");
  if (uri !== "") {
    return fail(
      "unsupported-algorithm",
      `Reference URI '${uri ?? "(absent)"}': DUIS signs the whole message (URI="")`,
    );
  }

  const transformsEl = only(reference, "Transforms");
  if (typeof transformsEl === "string") return fail("malformed", transformsEl);
  const transforms = childElements(transformsEl);
  const first = transforms[0];
  if (
    first === undefined ||
    first.localName !== "Transform" ||
    attributeValue(first, "Algorithm") !== ALGORITHM.envelopedSignature
  ) {
    return fail("unsupported-algorithm", "the first Reference transform must be enveloped-signature");
  }
  let referenceC14n: "inclusive" | "exclusive" = "inclusive";
  let inclusivePrefixes: string[] | undefined;
  if (transforms.length > 2) return fail("unsupported-algorithm", "more than two Reference transforms");
  const second = transforms[1];
  if (second !== undefined) {
    const alg = attributeValue(second, "Algorithm");
    if (second.localName !== "Transform")
      return fail("malformed", "ds:Transforms holds something else than ds:Transform");
    if (alg === ALGORITHM.excC14n) {
      referenceC14n = "exclusive";
      for (const p of childElements(second)) {
        if (p.localName === "InclusiveNamespaces" && p.namespace === EXC_C14N_NAMESPACE) {
          const list = attributeValue(p, "PrefixList") ?? "";
          inclusivePrefixes = list.split(/\s+/).filter((x) => x !== "");
        } else {
          return fail(
            "unsupported-algorithm",
            `unexpected ${p.localName} in the exclusive canonicalisation transform`,
          );
        }
      }
    } else if (alg !== ALGORITHM.c14n10) {
      return fail("unsupported-algorithm", `Reference transform '${alg ?? ""}' is not supported`);
    }
  }
  const digestMethod = only(reference, "DigestMethod");
  if (typeof digestMethod === "string") return fail("malformed", digestMethod);
  const digestAlg = attributeValue(digestMethod, "Algorithm");
  if (digestAlg !== ALGORITHM.sha256) {
    return fail("unsupported-algorithm", `DigestMethod '${digestAlg ?? ""}' (DUIS uses ${ALGORITHM.sha256})`);
  }
  const digestValueEl = only(reference, "DigestValue");
  if (typeof digestValueEl === "string") return fail("malformed", digestValueEl);
  const digest = base64(digestValueEl);
  if (digest === undefined || digest.length !== 32) {
    return fail("malformed", "DigestValue is not the base64 of a 32-byte SHA-256 digest");
  }
  const signatureValue = base64(signatureValueEl);
  if (signatureValue === undefined) return fail("malformed", "SignatureValue is not base64");

  const keyInfo = only(signature, "KeyInfo");
  if (typeof keyInfo === "string") return fail("malformed", keyInfo);
  const x509Data = only(keyInfo, "X509Data");
  if (typeof x509Data === "string") return fail("malformed", x509Data);
  const issuerSerial = only(x509Data, "X509IssuerSerial");
  if (typeof issuerSerial === "string") return fail("malformed", issuerSerial);
  const issuerEl = only(issuerSerial, "X509IssuerName");
  if (typeof issuerEl === "string") return fail("malformed", issuerEl);
  const serialEl = only(issuerSerial, "X509SerialNumber");
  if (typeof serialEl === "string") return fail("malformed", serialEl);
  const serialText = textContent(serialEl);
  const serial = normaliseSerial(serialText);
  if (serial === undefined) {
    return fail("malformed", `X509SerialNumber '${serialText.slice(0, 80)}' is not a decimal number`);
  }
  return {
    signature,
    signedInfo,
    digest,
    signatureValue,
    issuer: textContent(issuerEl).trim(),
    serial,
    referenceC14n,
    inclusivePrefixes,
  };
}
