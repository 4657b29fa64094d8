/**
 * Every page in light and dark (test-artifacts/screenshots/), and axe-core on the main ones in both themes:
 * no serious or critical violations.
 */
import { expect, expectAccessible, screenshots, settle, test } from "./fixtures";

interface PageCase {
  name: string;
  path: string;
  /** Something that shows the page has its data. */
  ready: (page: import("@playwright/test").Page) => import("@playwright/test").Locator;
  axe?: boolean;
}

const h1 = (name: string | RegExp) => (page: import("@playwright/test").Page) => page.getByRole("heading", { level: 1, name });

const PAGES: PageCase[] = [
  { name: "dashboard", path: "/", ready: h1("Welcome to Gantry"), axe: true },
  { name: "catalog", path: "/catalog", ready: (p) => p.locator("tbody tr").first(), axe: true },
  { name: "catalog-services", path: "/catalog?kind=service", ready: (p) => p.locator("tbody tr").first() },
  { name: "catalog-grid", path: "/catalog?kind=service&view=grid", ready: (p) => p.getByRole("list", { name: "Entities" }) },
  { name: "entity", path: "/catalog/service/payment-api", ready: h1("Payment API"), axe: true },
  { name: "entity-relations", path: "/catalog/service/payment-api?tab=relations", ready: (p) => p.locator(".react-flow__node").first(), axe: true },
  { name: "entity-activity", path: "/catalog/service/payment-api?tab=activity", ready: (p) => p.getByText("create", { exact: true }).first() },
  { name: "entity-yaml", path: "/catalog/service/payment-api?tab=yaml", ready: (p) => p.getByText("apiVersion").first() },
  { name: "entity-edit", path: "/catalog/service/payment-api/edit", ready: (p) => p.getByRole("button", { name: /Save/ }), axe: true },
  { name: "team", path: "/catalog/team/payments", ready: h1(/Payments/) },
  { name: "actions-runs", path: "/actions/runs", ready: h1("Actions"), axe: true },
  { name: "actions-catalog", path: "/actions", ready: (p) => p.getByRole("button", { name: /^Execute / }).first(), axe: true },
  { name: "plugins-overview", path: "/plugins", ready: h1("Plugins"), axe: true },
  { name: "plugin-detail", path: "/plugins/reference?tab=config", ready: (p) => p.getByRole("button", { name: "Save configuration" }), axe: true },
  { name: "plugin-about", path: "/plugins/reference?tab=about", ready: (p) => p.getByText("About this plugin") },
  { name: "status", path: "/status", ready: h1("Status") },
  { name: "gitops", path: "/gitops", ready: h1(/GitOps/) },
  { name: "settings-account", path: "/settings/account", ready: (p) => p.getByRole("button", { name: "Change password" }), axe: true },
  { name: "settings-keys", path: "/settings/api-keys", ready: (p) => p.getByRole("button", { name: "Create new key" }), axe: true },
  { name: "admin-users", path: "/admin/users", ready: (p) => p.getByRole("row").filter({ hasText: "admin" }).first(), axe: true },
  { name: "admin-access", path: "/admin/access", ready: h1("Access Control"), axe: true },
  { name: "admin-audit", path: "/admin/audit", ready: (p) => p.getByRole("heading", { level: 1, name: "Audit Log" }), axe: true },
  { name: "not-found", path: "/no/such/page", ready: (p) => p.getByText(/not found|doesn.t exist|no page/i).first() },
];

for (const c of PAGES) {
  test(`page: ${c.name}`, async ({ page }) => {
    await page.goto(c.path);
    await expect(c.ready(page)).toBeVisible();
    await settle(page);
    await screenshots(page, c.name);
    if (c.axe) {
      await expectAccessible(page, `${c.name} (light)`);
      await page.emulateMedia({ colorScheme: "dark" });
      await expect(page.locator("html")).toHaveClass(/\bdark\b/);
      await expectAccessible(page, `${c.name} (dark)`);
    }
  });
}

test("page: command palette", async ({ page }) => {
  await page.goto("/catalog");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await page.keyboard.press("Control+k");
  const dialog = page.getByRole("dialog", { name: "Command palette" });
  await expect(dialog).toBeVisible();
  await page.keyboard.type("payment");
  await expect(dialog.getByRole("option", { name: /Payment API/ })).toBeVisible();
  await screenshots(page, "command-palette");
  await expectAccessible(page, "command palette");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  // "/" opens it too, and Enter goes to the highlighted result.
  await page.locator("body").press("/");
  await expect(dialog).toBeVisible();
  await page.keyboard.type("fraud detection");
  const target = dialog.getByRole("option", { name: /Fraud detection/ });
  await expect(target).toBeVisible();
  // The first result is highlighted; arrows move the highlight to the wanted one.
  await expect(dialog.getByRole("option").first()).toHaveAttribute("aria-selected", "true");
  for (let i = 0; i < 10 && (await target.getAttribute("aria-selected")) !== "true"; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/catalog\/service\/fraud-detection/);
});
