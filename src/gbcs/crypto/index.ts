/** GBCS cryptography: ECDH + KDF, AES-GCM with the GBCS IV, MAC, ECDSA signatures, UTRN. */
export * from "./ecdsa.js";
export * from "./gcm.js";
export * from "./kdf.js";
export * from "./keys.js";
export * from "./mac.js";
export * from "./payload-encryption.js";
export * from "./signature.js";
export * from "./utrn.js";
