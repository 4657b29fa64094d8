import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const E2E = dirname(fileURLToPath(import.meta.url));
export const WEB = resolve(E2E, "..");
export const ROOT = resolve(WEB, "..");
export const ARTIFACTS = join(ROOT, "test-artifacts");
export const SCREENSHOTS = join(ARTIFACTS, "screenshots");
export const STORAGE_STATE = join(ARTIFACTS, "e2e-admin-state.json");
export const STATIC_INDEX = join(ROOT, "gantry-core", "src", "gantry_core", "web", "static", "index.html");

export const CHROMIUM = process.env.GANTRY_E2E_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export const ADMIN = { username: "admin", password: "changeme" };
