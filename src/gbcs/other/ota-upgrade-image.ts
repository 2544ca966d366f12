/**
 * The ZigBee OTA Upgrade File (ZCL §11.4, "OTA Upgrade File Format"): the container in which HAN
 * devices (gas meter, PPMID, HCALCS) receive firmware over ZigBee, and whose Upgrade Image
 * sub-element carries the manufacturer image that GBCS CS06 activates by its hash. A header
 * (little-endian, like all of ZCL) and a list of tagged sub-elements.
 */
import { Reader, Writer } from "../cursor.js";
import { DecodeError, inPath } from "../errors.js";

/** OTA Upgrade File Identifier: the first four bytes of every OTA file (0x0BEEF11E, little-endian). */
export const OTA_UPGRADE_FILE_IDENTIFIER = 0x0beef11e;
/** OTA Header Version of ZCL revision 6 and later. */
export const OTA_HEADER_VERSION = 0x0100;
/** Length of the header without its optional fields. */
const OTA_BASE_HEADER_LENGTH = 56;
const OTA_HEADER_STRING_LENGTH = 32;
const SUB_ELEMENT_HEADER_LENGTH = 6;

/** OTA Header Field Control bits. */
export const OtaHeaderFieldControl = {
  securityCredentialVersionPresent: 0x0001,
  deviceSpecificFile: 0x0002,
  hardwareVersionsPresent: 0x0004,
} as const;

/** Sub-element tag identifiers (ZCL Table 11-6). */
export const OtaSubElementTag = {
  upgradeImage: 0x0000,
  ecdsaSignatureCryptoSuite1: 0x0001,
  ecdsaSigningCertificateCryptoSuite1: 0x0002,
  imageIntegrityCode: 0x0003,
  pictureData: 0x0004,
  ecdsaSignatureCryptoSuite2: 0x0005,
  ecdsaSigningCertificateCryptoSuite2: 0x0006,
} as const;

export interface OtaUpgradeFileHeader {
  readonly otaHeaderVersion: number;
  /** Field control bits other than the three defined ones (zero in practice), kept as received. */
  readonly reservedFieldControlBits: number;
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly fileVersion: number;
  readonly zigbeeStackVersion: number;
  /** 32 bytes, a human-readable description (not necessarily NUL-terminated). */
  readonly otaHeaderString: Uint8Array;
  readonly securityCredentialVersion?: number;
  /** Upgrade File Destination: the EUI-64 of the one device this file is for, 16 uppercase hex. */
  readonly upgradeFileDestination?: string;
  readonly minimumHardwareVersion?: number;
  readonly maximumHardwareVersion?: number;
  /** Header bytes beyond the fields above (a longer OTA Header Length), kept as received. */
  readonly headerExtension?: Uint8Array;
}

export interface OtaSubElement {
  readonly tag: number;
  readonly data: Uint8Array;
}

export interface OtaUpgradeImage {
  readonly header: OtaUpgradeFileHeader;
  readonly subElements: readonly OtaSubElement[];
}

function euiFromLe(b: Uint8Array): string {
  return Array.from(b)
    .reverse()
    .map((x) => x.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
}

function euiToLe(eui: string): Uint8Array {
  if (!/^[0-9A-Fa-f]{16}$/.test(eui)) throw new TypeError(`an EUI-64 is 16 hex digits, got '${eui}'`);
  return Uint8Array.from(Buffer.from(eui, "hex")).reverse();
}

export function decodeOtaUpgradeImage(bytes: Uint8Array): OtaUpgradeImage {
  const r = new Reader(bytes);
  const header = inPath("header", () => {
    const id = r.u32le();
    if (id !== OTA_UPGRADE_FILE_IDENTIFIER) {
      throw new DecodeError(`OTA Upgrade File Identifier 0x${id.toString(16)}`, {
        code: "unexpected",
        offset: 0,
      });
    }
    const otaHeaderVersion = r.u16le();
    const headerLength = r.u16le();
    const control = r.u16le();
    const manufacturerCode = r.u16le();
    const imageType = r.u16le();
    const fileVersion = r.u32le();
    const zigbeeStackVersion = r.u16le();
    const otaHeaderString = r.copy(OTA_HEADER_STRING_LENGTH);
    const totalImageSize = r.u32le();
    if (totalImageSize !== bytes.length) {
      throw new DecodeError(`Total Image Size ${totalImageSize}, the file has ${bytes.length} bytes`, {
        code: totalImageSize > bytes.length ? "length" : "trailing",
        offset: r.absoluteOffset - 4,
      });
    }
    const out: Record<string, unknown> = {
      otaHeaderVersion,
      reservedFieldControlBits: control & ~0x0007,
      manufacturerCode,
      imageType,
      fileVersion,
      zigbeeStackVersion,
      otaHeaderString,
    };
    if (control & OtaHeaderFieldControl.securityCredentialVersionPresent)
      out.securityCredentialVersion = r.u8();
    if (control & OtaHeaderFieldControl.deviceSpecificFile)
      out.upgradeFileDestination = euiFromLe(r.bytes(8));
    if (control & OtaHeaderFieldControl.hardwareVersionsPresent) {
      out.minimumHardwareVersion = r.u16le();
      out.maximumHardwareVersion = r.u16le();
    }
    if (headerLength < r.offset) {
      throw new DecodeError(`OTA Header Length ${headerLength} is shorter than its fields (${r.offset})`, {
        code: "unexpected",
        offset: 6,
      });
    }
    if (headerLength > r.offset) out.headerExtension = r.copy(headerLength - r.offset);
    return out as unknown as OtaUpgradeFileHeader;
  });
  const subElements: OtaSubElement[] = [];
  while (!r.done) {
    subElements.push(
      inPath(`subElement[${subElements.length}]`, () => {
        const tag = r.u16le();
        const length = r.u32le();
        r.checkLength(length, "sub-element length");
        return { tag, data: r.copy(length) };
      }),
    );
  }
  return { header, subElements };
}

function writeHeader(w: Writer, h: OtaUpgradeFileHeader, totalImageSize: number, headerLength: number): void {
  const control =
    (h.securityCredentialVersion !== undefined ? OtaHeaderFieldControl.securityCredentialVersionPresent : 0) |
    (h.upgradeFileDestination !== undefined ? OtaHeaderFieldControl.deviceSpecificFile : 0) |
    (h.minimumHardwareVersion !== undefined ? OtaHeaderFieldControl.hardwareVersionsPresent : 0) |
    (h.reservedFieldControlBits & ~0x0007);
  if (h.otaHeaderString.length !== OTA_HEADER_STRING_LENGTH)
    throw new TypeError("the OTA Header String is 32 bytes");
  w.u32le(OTA_UPGRADE_FILE_IDENTIFIER).u16le(h.otaHeaderVersion).u16le(headerLength).u16le(control);
  w.u16le(h.manufacturerCode).u16le(h.imageType).u32le(h.fileVersion).u16le(h.zigbeeStackVersion);
  w.bytes(h.otaHeaderString).u32le(totalImageSize);
  if (h.securityCredentialVersion !== undefined) w.u8(h.securityCredentialVersion);
  if (h.upgradeFileDestination !== undefined) w.bytes(euiToLe(h.upgradeFileDestination));
  if (h.minimumHardwareVersion !== undefined) {
    w.u16le(h.minimumHardwareVersion).u16le(h.maximumHardwareVersion ?? h.minimumHardwareVersion);
  }
  if (h.headerExtension !== undefined) w.bytes(h.headerExtension);
}

/** The OTA Header Length of `h`: the base header, its optional fields and any extension. */
export function otaHeaderLength(h: OtaUpgradeFileHeader): number {
  return (
    OTA_BASE_HEADER_LENGTH +
    (h.securityCredentialVersion !== undefined ? 1 : 0) +
    (h.upgradeFileDestination !== undefined ? 8 : 0) +
    (h.minimumHardwareVersion !== undefined ? 4 : 0) +
    (h.headerExtension?.length ?? 0)
  );
}

export function encodeOtaUpgradeImage(image: OtaUpgradeImage): Uint8Array {
  const headerLength = otaHeaderLength(image.header);
  const total = image.subElements.reduce(
    (n, s) => n + SUB_ELEMENT_HEADER_LENGTH + s.data.length,
    headerLength,
  );
  const w = new Writer(total);
  writeHeader(w, image.header, total, headerLength);
  for (const s of image.subElements) w.u16le(s.tag).u32le(s.data.length).bytes(s.data);
  return w.finish();
}
