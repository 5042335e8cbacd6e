import { test, expect, hydrated, signIn } from "./fixtures";

test.beforeEach(async ({ page }) => {
  await signIn(page, "reception@avatar.test");
});

test("dashboard shows the demo clinic's figures", async ({ page, consoleErrors }) => {
  await page.goto("/");
  await expect(page).toHaveTitle("Dashboard · Avatar CRM");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  const contacts = page.locator("dt", { hasText: /^Contacts$/ }).locator("xpath=following-sibling::dd");
  // This test's own demo clinic: exactly its 200 contacts, as the export of every one agrees.
  const exported = await (await page.request.get("/contacts/export.csv")).text();
  const total = exported.split("\n").filter((line) => /^[0-9A-Z]{26},/.test(line)).length;
  expect(total).toBe(200);
  await expect(contacts).toHaveText("200");
  await expect(page.getByText("Sydney CBD")).toBeVisible();
  await expect(page.getByText("Brisbane North")).toBeVisible();
  await expect(
    page.getByRole("list", { name: "Contacts per pipeline stage" }).getByRole("link", { name: /^New enquiry \d+ contacts$/ }),
  ).toBeVisible();
  await expect(page.getByRole("table").getByRole("row")).toHaveCount(9); // header + 8 latest
  await hydrated(page);
});

test("the dashboard's figures, bars and names open the lists they summarise", async ({ page, consoleErrors }) => {
  await page.goto("/");
  await hydrated(page);
  // A stage's bar: the contacts in that stage, as many as the bar says.
  const bar = page.getByRole("list", { name: "Contacts per pipeline stage" }).getByRole("link", { name: /^Booked \d+ contacts$/ });
  const booked = Number((await bar.textContent())!.match(/(\d+) contacts/)![1]);
  expect(booked).toBeGreaterThan(0);
  await bar.click();
  await expect(page).toHaveURL(/\/contacts\?stage_id=/);
  await expect(page.getByLabel("Stage")).toHaveValue(/.+/);
  const rows = page.getByRole("region", { name: "Contact list" }).getByRole("rowheader");
  await expect(rows).toHaveCount(Math.min(booked, 50));
  await expect(page.getByRole("region", { name: "Contact list" }).getByRole("cell", { name: "Booked", exact: true })).toHaveCount(Math.min(booked, 50));

  // Overdue tasks: the overdue list, with the same number on its tab.
  await page.goto("/");
  const overdue = await page.locator("dt", { hasText: /^Overdue tasks$/ }).locator("xpath=following-sibling::dd").innerText();
  await page.getByRole("link", { name: "Overdue tasks" }).click();
  await expect(page).toHaveURL(/\/tasks\?view=overdue$/);
  await expect(page.getByRole("link", { name: `Overdue (${overdue})` })).toHaveAttribute("aria-current", "page");

  // A name in the latest enquiries: that contact's page.
  await page.goto("/");
  const latest = page.getByRole("region", { name: "Latest contacts list" }).getByRole("link").first();
  const name = (await latest.innerText()).trim();
  await latest.click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
});

test("refresh reloads the figures in place once hydrated", async ({ page, consoleErrors }) => {
  await page.goto("/");
  await hydrated(page);
  const refresh = page.getByRole("button", { name: "Refresh" });
  const reload = page.waitForResponse((r) => r.url().endsWith("/rpc/dashboard") && r.status() === 200);
  await refresh.click();
  await reload;
  await expect(page.getByRole("button", { name: "Refresh" })).toBeEnabled();
  await expect(page.getByText("Sydney CBD")).toBeVisible();
});

test("every navigation link opens its section without errors", async ({ page, consoleErrors }) => {
  await page.goto("/");
  await hydrated(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  const built = ["Pipeline", "Contacts", "Calendar", "Tasks", "Outbox", "Settings", "Dashboard"];
  const coming = ["Inbox", "Campaigns", "Reports", "Automations"];
  for (const name of [...built, ...coming]) {
    // Sections still to come say so in the menu.
    const link = nav.getByRole("link", { name: coming.includes(name) ? `${name} Coming soon` : name, exact: true });
    await link.click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page).toHaveTitle(`${name} · Avatar CRM`);
    await expect(link).toHaveAttribute("aria-current", "page");
  }
  await nav.getByRole("link", { name: "Dashboard", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("each section also loads directly from its address", async ({ page, consoleErrors }) => {
  for (const path of ["/pipeline", "/contacts", "/calendar", "/inbox", "/tasks", "/campaigns", "/reports", "/automations", "/settings"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await hydrated(page);
  }
});

test("an unknown address shows a styled 404 with a way back", async ({ page, consoleErrors }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
});
