import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const dir = mkdtempSync(join(tmpdir(), "meterway-signal-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const mainModule = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

describe("meterway start and signals", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`stops cleanly on ${signal}: exit code 0, nothing left running`, async () => {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "--input-type=module",
          "-e",
          `import { main } from ${JSON.stringify(mainModule)}; process.exitCode = await main(process.argv.slice(1));`,
          "start",
          "--data",
          join(dir, signal),
          "--port",
          "0",
          "--host",
          "127.0.0.1",
          "--premises",
          "2",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let sent = false;
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        // One signal only: a second one is the user insisting, and ends the process at once.
        if (!sent && out.includes("Ctrl-C to stop.")) {
          sent = true;
          child.kill(signal);
        }
      });
      let err = "";
      child.stderr.on("data", (chunk: Buffer) => {
        err += chunk.toString();
      });
      // The process must exit by itself once stopped: a leaked timer or socket would keep it alive.
      const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      assert.equal(code, 0, `stdout: ${out}\nstderr: ${err}`);
      assert.match(out, /stopping\.\.\./);
    });
  }
});
