import { expect, screenshots, test } from "./fixtures";

test("create an API key: shown once, copied, and it works as a bearer token", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: "Create new key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill("e2e-ci");
  await dialog.getByLabel("Role").selectOption("developer");
  await dialog.getByLabel("Expires").selectOption({ label: "90 days" });
  await dialog.getByRole("button", { name: "Create key" }).click();

  const reveal = page.getByRole("dialog", { name: "Copy your new API key" });
  const key = (await reveal.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^gantry_[0-9a-f]{64}$/);
  await reveal.getByRole("button", { name: "Copy" }).click();
  await expect(reveal.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await reveal.getByRole("button", { name: "I have stored it" }).click();

  // Listed by name and prefix; the key itself is never shown again.
  const row = page.getByRole("row").filter({ hasText: "e2e-ci" });
  await expect(row).toContainText(key.slice(0, 13));
  await expect(row).toContainText("developer");
  await expect(page.getByText(key)).toHaveCount(0);
  await screenshots(page, "settings-api-keys");

  const me = await fetch(`${baseURL}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${key}` } });
  expect(me.status).toBe(200);
  expect(await me.json()).toMatchObject({ username: "admin", effectiveRole: "developer", authMethod: expect.any(String) });

  // Revoking it stops it at once.
  await row.getByRole("button", { name: "Revoke e2e-ci" }).click();
  await page.getByRole("dialog").getByRole("button", { name: /revoke/i }).click();
  await expect(row).toHaveCount(0);
  const after = await fetch(`${baseURL}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${key}` } });
  expect(after.status).toBe(401);
});

test("secrets: admins store a value that never comes back", async ({ page, api }) => {
  await page.goto("/settings/secrets");
  await expect(page.getByRole("heading", { name: "Secrets" }).first()).toBeVisible();
  await page.getByLabel("Name").fill("E2E_DEPLOY_TOKEN");
  await page.getByLabel("Value").fill("s3cr3t-value");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("listitem").filter({ hasText: "E2E_DEPLOY_TOKEN" })).toBeVisible();
  await expect(page.getByText("s3cr3t-value")).toHaveCount(0);
  const listed = await api.call<{ items: Record<string, unknown>[] }>("GET", "/secrets");
  expect(listed.items.find((s) => s.name === "E2E_DEPLOY_TOKEN")).toEqual({ name: "E2E_DEPLOY_TOKEN", createdAt: expect.any(String), updatedAt: expect.any(String) });
  await screenshots(page, "settings-secrets");
});
