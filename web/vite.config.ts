import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The dashboard page, built into web/dist and served by the server (src/server/dashboard.ts serves
 * index.html at `/` and web/dist/assets at `/assets/`, so the assets folder name is fixed here).
 *
 * While working on the page: run `meterway start`, then `npx vite --config web/vite.config.ts`; the
 * dev server proxies the dashboard API to the running DCC (METERWAY_URL, default port 8079).
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
  },
  server: {
    proxy: { "/api": process.env.METERWAY_URL ?? "http://127.0.0.1:8079" },
  },
});
