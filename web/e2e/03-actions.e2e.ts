import { expect, screenshots, test } from "./fixtures";

test("run an action and watch it finish; its result is in the catalog", async ({ page, api }) => {
  await page.goto("/actions");
  await expect(page.getByRole("heading", { name: "Actions", level: 1 })).toBeVisible();
  await screenshots(page, "actions");
  // The demo's create-service: an `internal` action that applies a Service built from its inputs.
  await page.getByRole("searchbox", { name: "Search actions" }).fill("create");
  await page.getByRole("button", { name: "Execute Create a new service" }).click();

  const dialog = page.getByRole("dialog", { name: "Run Create a new service" });
  await expect(dialog).toBeVisible();
  // Required inputs are checked before anything is sent.
  await dialog.getByRole("button", { name: "Run action" }).click();
  await expect(dialog.getByText("is required").first()).toBeVisible();

  await dialog.getByLabel("Service name").fill("e2e-invoicing");
  await dialog.getByLabel("Owning team").selectOption("payments");
  await dialog.getByLabel("Lifecycle").selectOption("development");
  await dialog.getByLabel("Description").fill("Created by the e2e suite through an action");
  await screenshots(page, "action-execute");
  await dialog.getByRole("button", { name: "Run action" }).click();

  await expect(page).toHaveURL(/\/actions\/create-service\/runs\/[^/]+$/);
  await expect(page.getByText("Succeeded", { exact: true })).toBeVisible();
  await expect(page.getByRole("log", { name: "Run log" }).or(page.getByLabel("Run log"))).toContainText("created Service/e2e-invoicing");
  await screenshots(page, "action-run");

  const created = await api.call<{ metadata: { owner: string; description: string }; spec: unknown }>("GET", "/entities/service/e2e-invoicing");
  expect(created.metadata).toMatchObject({ owner: "payments", description: "Created by the e2e suite through an action" });
  expect(created.spec).toEqual({ type: "backend", lifecycle: "development" });

  // The run is listed with its status.
  await page.goto("/actions/runs");
  const row = page.getByRole("row").filter({ hasText: "create-service" }).first();
  await expect(row).toContainText("Succeeded");
  await expect(row).toContainText("admin");
  await screenshots(page, "action-runs");
});

test("a run that needs approval waits until an approver approves it", async ({ page, browser, api }) => {
  // provision-database lists the platform Team as approvers; Alice is a member (by e-mail) once she has an account.
  const alice = { username: "alice", password: "alice-e2e-Passw0rd" };
  const user = await api.call<{ id: number }>("POST", "/auth/register", { ...alice, displayName: "Alice Martin", email: "alice.martin@example.com" });
  await api.call("PUT", `/auth/users/${user.id}`, { role: "developer" });

  await page.goto("/actions");
  await page.getByRole("button", { name: "Execute Provision a database" }).click();
  const dialog = page.getByRole("dialog", { name: "Run Provision a database" });
  await expect(dialog.getByText(/needs approval by platform/)).toBeVisible();
  await dialog.getByLabel("Database name").fill("e2e-orders-db");
  await dialog.getByRole("button", { name: "Request run" }).click();
  await expect(page).toHaveURL(/\/actions\/provision-database\/runs\/([^/]+)$/);
  const runId = decodeURIComponent(page.url().split("/").pop()!);
  await expect(page.getByText("Pending approval", { exact: true })).toBeVisible();

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const other = await context.newPage();
  await other.goto("/login?next=/actions/approvals");
  await other.getByLabel("Username").fill(alice.username);
  await other.getByLabel("Password").fill(alice.password);
  await other.getByRole("button", { name: "Sign in" }).click();
  await expect(other).toHaveURL(/\/actions\/approvals/);
  const request = other.getByRole("listitem", { name: "provision-database requested by admin" });
  await expect(request).toContainText("e2e-orders-db");
  await screenshots(other, "actions-approvals");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(other.getByText("Approved provision-database")).toBeVisible();
  await context.close();

  // The requester's page follows the run live: it leaves "pending" (the webhook's host is not reachable here).
  await expect(page.getByText("Pending approval", { exact: true })).toBeHidden();
  const run = await api.call<{ approvedBy: string; status: string }>("GET", `/actions/provision-database/runs/${runId}`);
  expect(run.approvedBy).toBe("alice");
  expect(run.status).not.toBe("pending");
});
