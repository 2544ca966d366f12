/**
 * The Writer the DLMS codec encodes with. `Writer.u8` in cursor.ts indexes its buffer before
 * `reserve` may replace it, so a single byte written just as the buffer grows is lost (it lands in
 * the old buffer). Until that is fixed there, single bytes go through `bytes`, which reserves first.
 */
import { Writer } from "../cursor.js";

export class DlmsWriter extends Writer {
  override u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }
}
