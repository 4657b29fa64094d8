import { SECRET_REDACTED } from "../src/lib/types";
import { expect, screenshots, test } from "./fixtures";

test("configure and enable a plugin: secrets stay redacted, the first sync runs, its UI extension appears", async ({ page, api }) => {
  await page.goto("/plugins");
  const card = page.getByRole("link", { name: /Reference/ });
  await expect(card).toContainText("Not enabled");
  await screenshots(page, "plugins");
  await card.click();
  await expect(page).toHaveURL(/\/plugins\/reference/);
  await expect(page.getByRole("heading", { name: /Reference/ })).toBeVisible();

  const form = page.getByRole("form", { name: "Reference configuration" });
  await form.getByLabel("Endpoint").fill("https://widgets.example.com");
  await form.getByLabel("Token").fill("tok-e2e-123");
  await form.getByLabel("Sync interval").fill("1h");
  await form.getByRole("button", { name: "Save configuration" }).click();
  await expect(page.getByText("Configuration saved")).toBeVisible();
  // The secret comes back only as the placeholder, and the form says so.
  await expect(form.getByText("Stored secret (unchanged)")).toBeVisible();
  expect(await api.call("GET", "/plugins/reference/config")).toEqual({ endpoint: "https://widgets.example.com", token: SECRET_REDACTED, syncInterval: "1h" });

  // Saving again without touching the token keeps it (the placeholder goes back to the server).
  await form.getByLabel("Endpoint").fill("https://widgets2.example.com");
  await form.getByRole("button", { name: "Save configuration" }).click();
  await expect(page.getByText("Configuration saved").last()).toBeVisible();
  await expect.poll(() => api.call("GET", "/plugins/reference/config")).toEqual({ endpoint: "https://widgets2.example.com", token: SECRET_REDACTED, syncInterval: "1h" });
  await screenshots(page, "plugin-config");

  // Enable: the first sync runs and shows up in Sync runs.
  await page.getByRole("switch", { name: "Enable Reference" }).click();
  await expect(page.getByText("Reference enabled")).toBeVisible();
  await expect(page.getByRole("switch", { name: "Disable Reference" })).toBeChecked();
  await page.getByRole("tab", { name: "Sync runs" }).click();
  const firstRun = page.getByRole("row").filter({ hasText: "reference-widgets" }).first();
  await expect(firstRun).toContainText("success");
  await expect(firstRun.getByRole("cell").nth(5)).toHaveText("2"); // created: alpha and beta
  await page.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByRole("row").filter({ hasText: "reference-widgets" })).toHaveCount(2);
  await expect(page.getByRole("row").filter({ hasText: "reference-widgets" }).first()).toContainText("success");
  await screenshots(page, "plugin-sync-runs");

  const widgets = await api.call<{ items: { metadata: { name: string; managedBy?: string } }[] }>("GET", "/entities/widget");
  expect(widgets.items.map((w) => [w.metadata.name, w.metadata.managedBy])).toEqual([["alpha", "reference"], ["beta", "reference"]]);

  // The plugin's entity.tab extension (table renderer on its own route) shows on Services.
  await page.goto("/catalog/service/checkout-service");
  await page.getByRole("tab", { name: "Widgets" }).click();
  const panel = page.getByRole("tabpanel");
  await expect(panel.getByRole("cell", { name: "alpha" })).toBeVisible();
  await expect(panel.getByRole("cell", { name: "beta" })).toBeVisible();
  await screenshots(page, "entity-plugin-tab");

  // Disabled again: the extension is gone, the config is kept.
  await page.goto("/plugins/reference");
  await page.getByRole("switch", { name: "Disable Reference" }).click();
  await expect(page.getByText("Reference disabled")).toBeVisible();
  await page.goto("/catalog/service/checkout-service");
  await expect(page.getByRole("tab", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "Widgets" })).toHaveCount(0);
  expect(await api.call("GET", "/plugins/reference/config")).toMatchObject({ token: SECRET_REDACTED });
});
