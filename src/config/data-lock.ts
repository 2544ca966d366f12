/**
 * One DCC per data folder. Two processes on one folder would both run the fleet and both deliver
 * the outbox, so `meterway start` takes `<data>/meterway.pid` (created exclusively, holding the
 * process id) and refuses a folder whose lock names a live process. A lock left by a process that
 * died is taken over.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "./config.js";

export const DATA_LOCK_FILE = "meterway.pid";

/** Whether a process with this id exists (signal 0 only checks; it delivers nothing). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM";
  }
}

/** Takes the data folder's lock; resolves with the function that releases it. */
export async function lockDataDir(dir: string, pid = process.pid): Promise<() => Promise<void>> {
  const path = join(dir, DATA_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${pid}\n`, { flag: "wx" });
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        const holder = await readFile(path, "utf8").catch(() => "");
        if (holder.trim() === String(pid)) await rm(path, { force: true });
      };
    } catch (error) {
      if (!(typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST"))
        throw error;
      const holder = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new ConfigError(
          `${dir} is in use by meterway process ${holder}; stop it or choose another folder with --data`,
        );
      }
      // Left by a process that is gone (or unreadable): take it over.
      await rm(path, { force: true });
    }
  }
  throw new ConfigError(`${dir}: cannot take the lock file ${path}`);
}
