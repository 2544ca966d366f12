/**
 * A Writer whose `u8` survives buffer growth. `Writer.u8` in cursor.ts evaluates `this.buffer`
 * before `reserve` grows it, so a byte written exactly when the buffer is full is lost (reported to
 * the owner of cursor.ts). Until that is fixed, the GBZ and ASN.1 encoders write through this.
 */
import { Writer } from "../cursor.js";

export class SafeWriter extends Writer {
  override u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }
}
