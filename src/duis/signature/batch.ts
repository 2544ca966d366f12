/**
 * Signature verification for a server: the ECDSA verifications of the requests that arrive together
 * are run together.
 *
 * Verifying a request is two kinds of work: JavaScript (parsing, canonical form, digest) and one ECDSA
 * P-256 verification in OpenSSL, whose precomputed tables (about 150 kB) do not stay in the processor's
 * cache while the JavaScript runs. Run alternately, each evicts the other, and both slow down; run as
 * all the JavaScript of a batch, then all its ECDSA verifications, they do not (about 8% more requests
 * a second on one core, measured by `meterway bench duis`). A server under load reads several requests
 * in one turn of the event loop: each is prepared at once, and their verifications run when the turn's
 * I/O has been read (`setImmediate`). With one request at a time it costs one turn of the loop.
 */

import type { XmlDocument } from "../xml/tree.js";
import {
  completeDuisVerification,
  type PreparedVerification,
  prepareDuisVerification,
  type VerifyDuisOptions,
  type VerifyResult,
} from "./verify.js";

interface Pending {
  readonly prepared: PreparedVerification;
  readonly resolve: (result: VerifyResult) => void;
  readonly reject: (error: unknown) => void;
}

export interface SignatureVerifierOptions {
  /** Runs the batch later (default `setImmediate`: after the I/O of this turn of the loop). */
  readonly schedule?: (run: () => void) => void;
  /** Told the size of each batch as it runs (metrics). */
  readonly onBatch?: (size: number) => void;
}

export class SignatureVerifier {
  #pending: Pending[] = [];
  #scheduled = false;
  readonly #schedule: (run: () => void) => void;
  readonly #onBatch: ((size: number) => void) | undefined;

  constructor(options: SignatureVerifierOptions = {}) {
    this.#schedule = options.schedule ?? setImmediate;
    this.#onBatch = options.onBatch;
  }

  /** As `verifyDuis`; a failure found before the ECDSA verification is answered at once. */
  verify(input: string | Uint8Array | XmlDocument, options: VerifyDuisOptions): Promise<VerifyResult> {
    let prepared: ReturnType<typeof prepareDuisVerification>;
    try {
      prepared = prepareDuisVerification(input, options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (prepared.kind === "done") return Promise.resolve(prepared.result);
    const ready = prepared;
    return new Promise((resolve, reject) => {
      this.#pending.push({ prepared: ready, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        this.#schedule(() => this.#run());
      }
    });
  }

  /** Requests waiting for their ECDSA verification. */
  get waiting(): number {
    return this.#pending.length;
  }

  #run(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    this.#onBatch?.(batch.length);
    for (const { prepared, resolve, reject } of batch) {
      try {
        resolve(completeDuisVerification(prepared));
      } catch (error) {
        reject(error);
      }
    }
  }
}
