// The Jobs page: the server's own worker and cron at work, as an administrator sees them.
import { test, expect, hydrated, signIn } from "./fixtures";

test("an administrator finds the nightly sweep run by the worker, with counts per state", async ({ page, consoleErrors }) => {
  await signIn(page, "admin@avatar.test");
  await page.goto("/settings");
  await page.getByRole("link", { name: /Background jobs/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Background jobs");
  await hydrated(page);
  // Cron enqueued the latest tick of each schedule when the server started; the worker ran them.
  await expect(async () => {
    await page.goto("/settings/jobs?state=succeeded");
    await expect(page.getByRole("article", { name: /^Retention sweep job / })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  const tabs = page.getByRole("navigation", { name: "Job states" });
  await expect(tabs.getByRole("link", { name: /^Succeeded \([1-9]\d*\)$/ })).toHaveAttribute("aria-current", "page");
  await expect(tabs.getByRole("link", { name: "Dead (0)" })).toBeVisible();
  const sweep = page.getByRole("article", { name: /^Retention sweep job / }).first();
  await expect(sweep).toContainText("Succeeded · attempt 1 of 3");
  // Nothing to retry or discard on a job that worked.
  await expect(sweep.getByRole("button")).toHaveCount(0);
  await tabs.getByRole("link", { name: "Dead (0)" }).click();
  await expect(page.getByText("No jobs here.")).toBeVisible();
});

test("the Jobs page is for administrators only", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/settings");
  await expect(page.getByRole("link", { name: /Background jobs/ })).toHaveCount(0);
  await page.goto("/settings/jobs");
  await expect(page.getByRole("alert")).toContainText("Your role can't manage background jobs.");
});
