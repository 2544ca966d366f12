import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The dashboard is a static page built into web/dist and served by the server at `/`.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
