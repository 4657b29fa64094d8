import type { Page } from "@playwright/test";
import { expect, screenshots, test } from "./fixtures";

/** A marker on window that a reload would wipe. */
const markPage = (page: Page) => page.evaluate(() => ((window as unknown as { __e2eMark: boolean }).__e2eMark = true));
const pageWasKept = (page: Page) => page.evaluate(() => (window as unknown as { __e2eMark?: boolean }).__e2eMark === true);

test("browse and filter the catalog; the URL keeps the filters", async ({ page }) => {
  await page.goto("/catalog");
  const rows = page.locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  await page.getByRole("tab", { name: /^Services/ }).click();
  await expect(page).toHaveURL(/kind=service/);
  await expect(rows).toHaveCount(20);

  await page.getByRole("button", { name: "Owner" }).click();
  await page.getByRole("option", { name: /^payments/ }).click();
  await expect(page).toHaveURL(/owner=payments/);
  await expect(rows).not.toHaveCount(20);
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) await expect(rows.nth(i).getByRole("link", { name: "payments" })).toBeVisible();

  await page.getByRole("searchbox", { name: "Search the catalog" }).fill("refunds");
  await expect(page).toHaveURL(/q=refunds/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Payment API");

  // A deep link restores the same view.
  await page.reload();
  await expect(page.getByRole("searchbox", { name: "Search the catalog" })).toHaveValue("refunds");
  await expect(rows).toHaveCount(1);
  await page.getByRole("button", { name: "Clear Owner filter" }).click();
  await expect(page).not.toHaveURL(/owner=/);
});

test("open an entity and walk its relations graph", async ({ page }) => {
  await page.goto("/catalog?kind=service&q=refunds");
  await page.getByRole("link", { name: "Payment API" }).click();
  await expect(page).toHaveURL(/\/catalog\/service\/payment-api/);
  await expect(page.getByRole("heading", { level: 1, name: "Payment API" })).toBeVisible();
  await expect(page.getByText("Card payments, refunds and payouts")).toBeVisible();

  await page.getByRole("tab", { name: "Relations" }).click();
  const graph = page.getByRole("figure", { name: "Relations graph" });
  const nodes = graph.locator(".react-flow__node");
  await expect(nodes.first()).toBeVisible();
  const atDepth1 = await nodes.count();
  expect(atDepth1).toBeGreaterThan(5);
  await page.getByRole("radiogroup", { name: "Graph depth" }).getByRole("radio", { name: "2" }).click();
  await expect.poll(() => nodes.count()).toBeGreaterThan(atDepth1);
  await page.getByRole("radiogroup", { name: "Graph depth" }).getByRole("radio", { name: "1" }).click();
  await expect.poll(() => nodes.count()).toBe(atDepth1);

  // Clicking a node opens that entity (on its Relations tab).
  await nodes.filter({ hasText: "Payments database" }).click();
  await expect(page).toHaveURL(/\/catalog\/infrastructure\/payments-db.*tab=relations|\/catalog\/infrastructure\/[^/?]+\?tab=relations/);
  await expect(page.getByRole("heading", { level: 1, name: "Payments database" })).toBeVisible();
});

test("create an entity through the form; errors are shown at their fields", async ({ page, api }) => {
  await page.goto("/catalog/new?kind=Service");
  await expect(page.getByRole("heading", { name: "New Service" })).toBeVisible();
  await page.getByLabel("Name").first().fill("Not A Name");
  await page.getByRole("button", { name: "Create Service" }).click();
  // The server's 422 lands next to the field.
  await expect(page.getByText(/problems? to fix/)).toBeVisible();
  await expect(page.getByLabel("Name").first()).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Name").first().fill("e2e-ledger");
  await page.getByLabel("Title").fill("Ledger (e2e)");
  await page.getByLabel("Description").fill("Double-entry bookkeeping for every payment");
  await page.getByLabel("Owner").fill("payments");
  await page.getByLabel("Type").selectOption("backend");
  await screenshots(page, "entity-create");
  await page.getByRole("button", { name: "Create Service" }).click();
  await expect(page).toHaveURL(/\/catalog\/service\/e2e-ledger/);
  await expect(page.getByRole("heading", { level: 1, name: "Ledger (e2e)" })).toBeVisible();
  const stored = await api.call<{ metadata: { owner: string; createdBy: string } }>("GET", "/entities/service/e2e-ledger");
  expect(stored.metadata).toMatchObject({ owner: "payments", createdBy: "admin" });
});

test("a change made through the API appears live, without a reload", async ({ page, api }) => {
  await page.goto("/catalog/service/e2e-ledger");
  await expect(page.getByRole("heading", { level: 1, name: "Ledger (e2e)" })).toBeVisible();
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  await markPage(page);

  const doc = await api.call<Record<string, unknown> & { metadata: Record<string, unknown> }>("GET", "/entities/service/e2e-ledger");
  await api.call("PUT", "/entities/service/e2e-ledger", { ...doc, metadata: { ...doc.metadata, title: "Ledger, live", description: "Changed by the API" } });
  await expect(page.getByRole("heading", { level: 1, name: "Ledger, live" })).toBeVisible();
  await expect(page.getByText("Changed by the API")).toBeVisible();
  expect(await pageWasKept(page)).toBe(true);

  // A new entity shows up in an open catalog list too.
  await page.goto("/catalog?kind=service&q=ledger");
  await expect(page.getByRole("link", { name: "Ledger, live" })).toBeVisible();
  // A navigation opens a new connection; "Live" means the server has registered its subscriptions.
  await expect(page.getByText("Live", { exact: true })).toBeVisible();
  const before = await page.locator("tbody tr").count();
  await markPage(page);
  await api.call("POST", "/entities", { apiVersion: "gantry.io/v1", kind: "Service", metadata: { name: "e2e-ledger-replica", title: "Ledger replica", description: "ledger follower" }, spec: { type: "backend" } });
  await expect(page.locator("tbody tr")).toHaveCount(before + 1);
  await expect(page.getByRole("link", { name: "Ledger replica" })).toBeVisible();
  expect(await pageWasKept(page)).toBe(true);
});
