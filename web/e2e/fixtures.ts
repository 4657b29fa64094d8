/** The suite's `test`: baseURL of the server global-setup started, an API client, screenshots and axe checks. */
import { createRequire } from "node:module";
import { join } from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import { SCREENSHOTS } from "./paths";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

export interface Api {
  /** A request with the admin's bearer token (no cookie, so no Origin check); throws on non-2xx. */
  call: <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;
}

export const test = base.extend<{ api: Api }>({
  baseURL: async ({}, use) => {
    const url = process.env.GANTRY_E2E_URL;
    if (!url) throw new Error("GANTRY_E2E_URL is not set: run through e2e/playwright.config.ts (global setup)");
    await use(url);
  },
  api: async ({ baseURL }, use) => {
    const token = process.env.GANTRY_E2E_TOKEN ?? "";
    await use({
      call: async <T,>(method: string, path: string, body?: unknown) => {
        const r = await fetch(`${baseURL}/api/v1${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await r.text();
        if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
        return (text ? JSON.parse(text) : undefined) as T;
      },
    });
  },
});

export { expect };

/** Let requests, lazy chunks and skeletons settle before a screenshot or an axe run. */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await expect(page.locator(".skeleton")).toHaveCount(0);
  await page.evaluate(() => document.fonts.ready);
}

const HIDE_TOASTS = '[role="region"][aria-label="Notifications"] { visibility: hidden !important; }';

/** Save `<name>-light.png` and `<name>-dark.png` (the app follows the system theme unless one was chosen). */
export async function screenshots(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: "light" });
  await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  await settle(page);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-light.png`), style: HIDE_TOASTS });
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-dark.png`), style: HIDE_TOASTS });
  await page.emulateMedia({ colorScheme: "light" });
  await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core on the current page: no serious or critical violations (WCAG 2.x A/AA rules and best practices). */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await settle(page);
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`).join("\n")}`).join("\n");
  expect(bad, `${label}: axe found serious or critical violations:\n${report}`).toEqual([]);
}
