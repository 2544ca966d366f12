/**
 * Signing DUIS messages exactly as DCC Boxed does (its Java signer, Apache Santuario):
 *
 * ```xml
 * <ds:Signature>                                       last child of the root element
 *   <ds:SignedInfo>
 *     <ds:CanonicalizationMethod Algorithm="…xml-exc-c14n#"/>
 *     <ds:SignatureMethod Algorithm="…xmldsig-more#ecdsa-sha256"/>
 *     <ds:Reference URI="">
 *       <ds:Transforms><ds:Transform Algorithm="…xmldsig#enveloped-signature"/></ds:Transforms>
 *       <ds:DigestMethod Algorithm="…xmlenc#sha256"/>
 *       <ds:DigestValue>base64 SHA-256 of the message without the signature, Canonical XML 1.0</ds:DigestValue>
 *     </ds:Reference>
 *   </ds:SignedInfo>
 *   <ds:SignatureValue>base64 raw r||s of SignedInfo in exclusive canonical form</ds:SignatureValue>
 *   <ds:KeyInfo><ds:X509Data><ds:X509IssuerSerial>
 *     <ds:X509IssuerName>CN=Z1,OU=07</ds:X509IssuerName><ds:X509SerialNumber>decimal</ds:X509SerialNumber>
 *   </ds:X509IssuerSerial></ds:X509Data></ds:KeyInfo>
 * </ds:Signature>
 * ```
 *
 * The Reference has only the enveloped-signature transform, so its node-set is digested as Canonical
 * XML 1.0 (the XML-DSig default); that is what DCC Boxed writes and what its verifier, and ours, expect.
 * The message is signed, and written, without whitespace between elements: DCC Boxed's verifier drops
 * such whitespace before it checks the digest, so a pretty-printed signed form would not interoperate.
 */
import { hash, type KeyObject, sign, type X509Certificate } from "node:crypto";
import { exclusiveC14n, inclusiveC14n, serializeXml } from "../xml/c14n.js";
import { parseXml, type XmlLimits } from "../xml/parse.js";
import {
  attribute,
  element,
  stripInterElementWhitespace,
  withNamespaceDeclarations,
  type XmlDocument,
  type XmlElement,
  type XmlNamespaceDeclaration,
} from "../xml/tree.js";
import { ALGORITHM, DSIG_NAMESPACE } from "./algorithms.js";
import { type IssuerSerial, issuerSerialOf } from "./certificate.js";

export interface SignDuisOptions {
  /** The signer's P-256 private key (an XML-signing or organisation DS key). */
  readonly privateKey: KeyObject;
  /** The signer's certificate, or its issuer name (RFC 2253) and decimal serial. */
  readonly certificate: X509Certificate | IssuerSerial | { readonly issuer: string; readonly serial: bigint };
  /** Parser limits when the input is text (defaults as `parseXml`). */
  readonly limits?: Partial<XmlLimits>;
}

/** The XML declaration DCC Boxed writes before a signed message. */
export const SIGNED_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>';

/**
 * Signs a DUIS message and returns the signed XML text (UTF-8, no whitespace between elements).
 * An existing `ds:Signature` child of the root (e.g. a template's placeholder) is replaced.
 * Throws `XmlError` when the input text is not acceptable XML.
 */
export function signDuis(
  input: string | Uint8Array | XmlDocument | XmlElement,
  options: SignDuisOptions,
): string {
  return SIGNED_XML_DECLARATION + serializeXml(signDuisTree(input, options), { declaration: false });
}

/** As `signDuis`, but returns the signed root element (for callers that keep working on the tree). */
export function signDuisTree(
  input: string | Uint8Array | XmlDocument | XmlElement,
  options: SignDuisOptions,
): XmlElement {
  const parsed =
    typeof input === "string" || input instanceof Uint8Array
      ? parseXml(input, options.limits).root
      : "root" in input
        ? input.root
        : input;
  const withoutSignature = stripInterElementWhitespace(withNamespaceDeclarations(removeSignature(parsed)));
  const digest = hash("sha256", inclusiveC14n(withoutSignature), "base64");

  const { issuer, serial } = signerName(options.certificate);
  const dsBound = withoutSignature.namespaceDeclarations.some(
    (d) => d.prefix === "ds" && d.uri === DSIG_NAMESPACE,
  );
  const declarations: XmlNamespaceDeclaration[] = dsBound ? [] : [{ prefix: "ds", uri: DSIG_NAMESPACE }];
  const ds = (name: string, children: (XmlElement | string)[] = [], algorithm?: string) =>
    element(DSIG_NAMESPACE, `ds:${name}`, {
      attributes: algorithm === undefined ? [] : [attribute("Algorithm", algorithm)],
      children,
    });

  const signedInfo = ds("SignedInfo", [
    ds("CanonicalizationMethod", [], ALGORITHM.excC14n),
    ds("SignatureMethod", [], ALGORITHM.ecdsaSha256),
    element(DSIG_NAMESPACE, "ds:Reference", {
      attributes: [attribute("URI", "")],
      children: [
        ds("Transforms", [ds("Transform", [], ALGORITHM.envelopedSignature)]),
        ds("DigestMethod", [], ALGORITHM.sha256),
        ds("DigestValue", [digest]),
      ],
    }),
  ]);
  const signatureValue = sign("sha256", Buffer.from(exclusiveC14n(signedInfo), "utf8"), {
    key: options.privateKey,
    dsaEncoding: "ieee-p1363",
  }).toString("base64");

  const signature = element(DSIG_NAMESPACE, "ds:Signature", {
    namespaceDeclarations: declarations,
    children: [
      signedInfo,
      ds("SignatureValue", [signatureValue]),
      ds("KeyInfo", [
        ds("X509Data", [
          ds("X509IssuerSerial", [ds("X509IssuerName", [issuer]), ds("X509SerialNumber", [serial])]),
        ]),
      ]),
    ],
  });
  return { ...withoutSignature, children: [...withoutSignature.children, signature] };
}

/** The root without its `ds:Signature` children (a message is signed once, over everything else). */
export function removeSignature(root: XmlElement): XmlElement {
  const children = root.children.filter(
    (c) => !(c.kind === "element" && c.localName === "Signature" && c.namespace === DSIG_NAMESPACE),
  );
  return children.length === root.children.length ? root : { ...root, children };
}

function signerName(c: SignDuisOptions["certificate"]): IssuerSerial {
  if ("serialNumber" in c) return issuerSerialOf(c);
  return { issuer: c.issuer, serial: typeof c.serial === "bigint" ? c.serial.toString(10) : c.serial };
}
