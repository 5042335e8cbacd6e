import { test, expect, hydrated, DEMO_PASSWORD } from "./fixtures";

test.use({ viewport: { width: 390, height: 844 } });

test("on a phone the menu button opens and closes the navigation", async ({ page, consoleErrors }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("reception@avatar.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await hydrated(page);
  const menu = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(nav).toBeVisible();
  await expect(page.getByRole("button", { name: "Close" })).toHaveAttribute("aria-expanded", "true");
  await nav.getByRole("link", { name: "Tasks", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
  await expect(nav).toBeHidden();
});
