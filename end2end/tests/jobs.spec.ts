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

test.describe("with ClickSend unreachable", () => {
  // Nothing listens on port 9: every send fails as a provider outage does, and is retried.
  test.use({
    serverEnv: {
      SMS_PROVIDER: "clicksend",
      CLICKSEND_USERNAME: "clinic",
      CLICKSEND_API_KEY: "e2e-key",
      CLICKSEND_FROM: "AvatarMRI",
      CLICKSEND_BASE_URL: "http://127.0.0.1:9/v3",
      PROVIDER_TIMEOUT_SECS: "2",
    },
  });

  test("an administrator sees a text stuck after a failure, discards its job and retries it", async ({ page, consoleErrors }) => {
    await signIn(page, "admin@avatar.test");
    await page.goto("/contacts/new");
    await hydrated(page);
    await page.getByLabel("First name").fill("Perpetua");
    await page.getByLabel("Last name").fill("Okonkwo");
    await page.getByLabel("Phone").fill("0499 555 654");
    await page.getByRole("button", { name: "Save contact" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Perpetua Okonkwo" })).toBeVisible();
    await hydrated(page);
    const box = page.getByRole("region", { name: "Send SMS" });
    await box.getByLabel("Message").fill("Your CT is on Monday at 10:15.");
    await box.getByRole("button", { name: "Send SMS" }).click();
    await expect(box.getByRole("status")).toHaveText("Queued: it is on its way.");

    // Settings says what is stuck and why, without being asked.
    await expect(async () => {
      await page.goto("/settings");
      const alert = page.getByRole("region", { name: "Message providers" }).getByRole("alert");
      await expect(alert).toContainText("1 text is waiting to be sent again", { timeout: 1_000 });
      await expect(alert).toContainText("The last attempt failed:");
    }).toPass({ timeout: 20_000 });

    await page.goto("/settings/jobs?state=failed");
    await hydrated(page);
    const job = page.getByRole("article", { name: /^Send SMS job / });
    await expect(job).toContainText("Failed, will retry · attempt 1 of 12");
    await expect(job).toContainText("Last error:");
    await job.getByRole("button", { name: /^Discard Send SMS job / }).click();
    await expect(page.getByRole("article", { name: /^Send SMS job / })).toHaveCount(0);

    const tabs = page.getByRole("navigation", { name: "Job states" });
    await tabs.getByRole("link", { name: /^Discarded \(1\)$/ }).click();
    const discarded = page.getByRole("article", { name: /^Send SMS job / });
    await expect(discarded).toContainText("Discarded");
    await discarded.getByRole("button", { name: /^Retry Send SMS job / }).click();
    await expect(page.getByRole("article", { name: /^Send SMS job / })).toHaveCount(0);
    // Due again at once: the worker tries it (and, ClickSend still unreachable, it fails again).
    await expect(async () => {
      await page.goto("/settings/jobs?state=failed");
      await expect(page.getByRole("article", { name: /^Send SMS job / })).toContainText("Failed, will retry · attempt 1 of 12", { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
  });
});
