// WCAG 2.2 AA over every page: axe-core (npm @axe-core/playwright) in the hydrated page, failing
// on serious and critical violations (contrast, names, labels, landmarks, ARIA misuse…).
import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { test, expect, hydrated, signIn } from "./fixtures";

const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** The serious and critical violations on the page as it is now, one line each. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} — ${n.failureSummary ?? v.help}`));
}

async function check(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page, 30_000);
  expect(await violations(page), `axe on ${path}`).toEqual([]);
}

test("pages a signed-out visitor sees meet WCAG 2.2 AA", async ({ page, consoleErrors }) => {
  for (const path of ["/login", "/password-reset?token=not-a-real-token"]) {
    await check(page, path);
  }
});

test("the patients' booking pages meet WCAG 2.2 AA at each step, on a phone", async ({ page, consoleErrors }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  // Plain HTML without script: nothing to hydrate, each step is ready when loaded.
  const step = async (what: string) => expect(await violations(page), `axe on ${what}`).toEqual([]);
  await page.goto("/book");
  await step("the services");
  await page.getByRole("list", { name: "Services" }).getByRole("link", { name: "MRI knee", exact: true }).click();
  await step("the locations");
  await page.getByRole("list", { name: "Locations" }).getByRole("link", { name: "Sydney CBD" }).click();
  await page.getByRole("navigation", { name: "Days" }).getByRole("link", { name: "Later →" }).click();
  await step("the days and times");
  await page.getByRole("list", { name: "Free times" }).getByRole("link").first().click();
  await page.getByRole("button", { name: "Book this time" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await step("the details with their problems marked");
  await page.getByLabel("First name").fill("Agatha");
  await page.getByLabel("Last name").fill("Oyelaran");
  await page.getByLabel("Mobile number").fill("0499 555 811");
  await page.getByLabel("Date of birth").fill("1966-02-14");
  await page.getByRole("button", { name: "Book this time" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your appointment" })).toBeVisible();
  await step("the manage page");
});

test("every staff page meets WCAG 2.2 AA", async ({ page, consoleErrors }) => {
  test.setTimeout(240_000);
  await signIn(page, "admin@avatar.test");
  await page.goto("/contacts");
  const links = page.getByRole("table").getByRole("rowheader").getByRole("link");
  const [first, second] = [await links.nth(0).getAttribute("href"), await links.nth(1).getAttribute("href")];
  expect(first).toMatch(/^\/contacts\/[0-9A-Z]{26}$/);
  expect(second).toMatch(/^\/contacts\/[0-9A-Z]{26}$/);
  const pages = [
    "/",
    "/pipeline",
    "/contacts",
    "/contacts/new",
    "/contacts/import",
    first!,
    `${first}/merge/${second!.split("/").pop()}`,
    `${first}/merge/${second!.split("/").pop()}?confirm=1`, // the confirmation step
    "/calendar",
    "/calendar/insights",
    "/inbox",
    "/tasks",
    "/campaigns",
    "/reports",
    "/automations",
    "/settings",
    "/settings/users",
    "/settings/security",
    "/settings/pipeline",
    "/settings/scheduling",
    "/settings/outbox",
    "/settings/jobs",
    "/settings/ai",
    "/settings/ai/usage",
    "/outbox",
    "/audit",
    "/account",
    "/no-such-page",
  ];
  for (const path of pages) {
    await check(page, path);
  }
});

test("the menu on a phone meets WCAG 2.2 AA when open", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.setViewportSize({ width: 390, height: 844 });
  await hydrated(page);
  await page.getByRole("button", { name: "Menu" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  expect(await violations(page), "axe with the menu open").toEqual([]);
});

test("the header search meets WCAG 2.2 AA with its matches open and one chosen", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts?sort=name");
  const surname = (await page.getByRole("row").nth(1).getByRole("rowheader").innerText()).trim().split(" ").slice(-1)[0];
  await page.goto("/tasks");
  await hydrated(page);
  const box = page.getByRole("combobox", { name: "Find a contact" });
  await box.fill(surname);
  const matches = page.getByRole("listbox", { name: "Matching contacts" });
  await expect(matches.getByRole("option").first()).toBeVisible();
  expect(await violations(page), "axe with the matches open").toEqual([]);
  await box.press("ArrowDown");
  await expect(matches.getByRole("option").first()).toHaveAttribute("aria-selected", "true");
  expect(await violations(page), "axe with a match chosen").toEqual([]);
});
