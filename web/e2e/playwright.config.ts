/**
 * End-to-end tests: Playwright driving Debian's Chromium (/usr/bin/chromium, never a downloaded browser)
 * against a real `gantry serve` on a temporary database, started by global-setup.ts.
 *
 *   npx playwright test -c e2e          (or `nox -s e2e`, which builds the UI first when it is missing)
 *
 * Screenshots of every page (light and dark) land in ../test-artifacts/screenshots/.
 */
import { defineConfig } from "@playwright/test";
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, STORAGE_STATE } from "./paths";

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.e2e\.ts$/,
  globalSetup: "./global-setup.ts",
  outputDir: `${ARTIFACTS}/e2e-results`,
  // One server, one worker: the tests share its catalog and run in file order.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    viewport: { width: 1440, height: 900 },
    colorScheme: "light",
    // Transitions off (the app honours prefers-reduced-motion): screenshots and axe see final colours.
    reducedMotion: "reduce",
    storageState: STORAGE_STATE,
    screenshot: "only-on-failure",
    trace: "off",
    actionTimeout: 10_000,
  },
});
