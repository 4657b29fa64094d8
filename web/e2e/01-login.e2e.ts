import { ADMIN } from "./paths";
import { expect, expectAccessible, screenshots, test } from "./fixtures";

test.describe("signing in", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a wrong password is refused, the right one opens the dashboard", async ({ page }) => {
    await page.goto("/catalog?kind=service");
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole("heading", { name: /sign in/i })).toBeVisible();
    await screenshots(page, "login");
    await expectAccessible(page, "login");

    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toContainText("Wrong username or password");

    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Back where the user wanted to go, signed in.
    await expect(page).toHaveURL(/\/catalog\?kind=service/);
    await expect(page.getByRole("button", { name: /Account: admin/ })).toBeVisible();
  });
});

test("dark mode: the toggle sets .dark on <html> and the choice survives a reload", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Welcome to Gantry" })).toBeVisible();
  const html = page.locator("html");
  await expect(html).not.toHaveClass(/\bdark\b/);
  await page.getByRole("radio", { name: "Dark theme" }).click();
  await expect(html).toHaveClass(/\bdark\b/);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.reload();
  await expect(html).toHaveClass(/\bdark\b/);
  expect(await page.evaluate(() => localStorage.getItem("gantry-theme"))).toBe("dark");
  await page.getByRole("radio", { name: "Light theme" }).click();
  await expect(html).not.toHaveClass(/\bdark\b/);
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(bg);
  await page.getByRole("radio", { name: "System theme" }).click();
  expect(await page.evaluate(() => localStorage.getItem("gantry-theme"))).toBeNull();
});
