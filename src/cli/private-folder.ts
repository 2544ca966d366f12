/**
 * Folders that hold secrets (the data folder: the store, audit, keys; the generated PKI: private
 * keys) are for the DCC's own user only: created 0700, and tightened, with a line in the log, when
 * an earlier version or a hand-made folder left them readable by others.
 */
import { chmod, mkdir, stat } from "node:fs/promises";

/** Creates `dir` (and missing parents) 0700, or tightens it to 0700 when group or others may enter it. */
export async function privateFolder(dir: string, what: string, log: (line: string) => void): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    await chmod(dir, 0o700);
    log(`${what} ${dir} was open to others (mode ${octal(mode)}): tightened to 0700`);
  } catch (error) {
    log(
      `${what} ${dir} is open to others (mode ${octal(mode)}) and could not be tightened: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Says when a folder meterway must not change (a given --pki) is open to others. */
export async function warnIfOpen(dir: string, what: string, log: (line: string) => void): Promise<void> {
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    log(`${what} ${dir} is open to others (mode ${octal(mode)}): its private keys are exposed; chmod 700 it`);
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
