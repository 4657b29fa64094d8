/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { fileURLToPath } from "node:url";

const backend = process.env.GANTRY_BACKEND ?? "http://localhost:8080";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: {
    port: 5173,
    strictPort: true,
    // The Origin check on cookie-authenticated writes compares Origin with Host: keep the browser's Host.
    proxy: {
      "/api/v1/ws": { target: backend.replace(/^http/, "ws"), ws: true },
      "/api": { target: backend },
      "^/plugins/[^/]+/static/": { target: backend },
    },
  },
  build: {
    outDir: "../gantry-core/src/gantry_core/web/static",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes("node_modules")) {
            if (/node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id)) return "react";
            if (id.includes("@xyflow") || id.includes("@dagrejs") || id.includes("d3-")) return "graph";
            if (id.includes("/yaml/")) return "yaml";
          }
          return undefined;
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    restoreMocks: true,
  },
});
