/** The DUIS namespace (`sr:`), of every Request and Response element. */
export const SR_NAMESPACE = "http://www.dccinterface.co.uk/ServiceUserGateway";
/** The MMC namespace (`ra:`), of the SMETS1 and MMC-format parts of a Response. */
export const RA_NAMESPACE = "http://www.dccinterface.co.uk/ResponseAndAlert";
/** XML Signature (`ds:`). */
export const DS_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#";
/** The DUIS schema version meterway writes. */
export const DUIS_SCHEMA_VERSION = "5.4";
