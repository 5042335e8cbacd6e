import { test, expect, hydrated, signIn } from "./fixtures";

test("the search box above every page offers contacts as you type and opens the one chosen", async ({ page, consoleErrors }) => {
  await signIn(page, "admin@avatar.test");
  // A demo contact to look for, as a receptionist would have it in front of them.
  await page.goto("/contacts?sort=name");
  const row = page.getByRole("row").nth(1);
  const name = (await row.getByRole("rowheader").innerText()).trim();
  const email = (await row.getByRole("cell").nth(1).innerText()).trim();
  const phone = (await row.getByRole("cell").nth(0).innerText()).trim();
  const surname = name.split(" ").slice(-1)[0];

  await page.goto("/tasks");
  await hydrated(page);
  const box = page.getByRole("combobox", { name: "Find a contact" });
  const matches = page.getByRole("listbox", { name: "Matching contacts" });
  await expect(box).toHaveAttribute("aria-expanded", "false");

  // The start of an email address, up to the "@", finds its owner.
  const prefix = email.slice(0, email.indexOf("@") + 1);
  await box.fill(prefix);
  await expect(matches.getByRole("option").first()).toContainText(name);
  await expect(box).toHaveAttribute("aria-expanded", "true");

  // A surname with a typo offers that family, best match first.
  const typo = surname.slice(0, -1) + (surname.endsWith("e") ? "a" : "e");
  await box.fill(typo);
  await expect(matches.getByRole("option").first()).toContainText(surname);

  // The phone number as it is read out finds the contact; the arrow key and Enter open it.
  await box.fill(phone);
  await expect(matches.getByRole("option")).toHaveCount(1);
  await expect(matches.getByRole("option")).toContainText(name);
  await box.press("ArrowDown");
  await expect(matches.getByRole("option")).toHaveAttribute("aria-selected", "true");
  await expect(box).toHaveAttribute("aria-activedescendant", "quick-search-option-0");
  await box.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  // The box starts afresh on the new page.
  await expect(box).toHaveValue("");
  await expect(box).toHaveAttribute("aria-expanded", "false");

  // Escape closes the list; Enter with nothing chosen shows every match in the Contacts list.
  await box.fill(surname);
  await expect(matches.getByRole("option").first()).toBeVisible();
  await box.press("Escape");
  await expect(matches).toBeHidden();
  await box.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
  await expect(page.getByRole("searchbox", { name: "Search contacts" })).toHaveValue(surname);
  await expect(page.getByRole("row").nth(1)).toContainText(surname);

  // Clicking a match opens it too.
  await box.fill(name);
  await matches.getByRole("option", { name: new RegExp(name) }).first().click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
});

test("the search box works as a plain search before the page is live", async ({ page, consoleErrors }) => {
  await signIn(page, "admin@avatar.test");
  await page.route(/\.wasm$/, () => {}); // never answers: the page stays server-rendered
  await page.goto("/tasks");
  const box = page.getByRole("combobox", { name: "Find a contact" });
  await box.fill("pemberton");
  await box.press("Enter");
  await expect(page).toHaveURL(/\/contacts\?q=pemberton$/);
  await expect(page.getByRole("row").nth(1)).toContainText("Pemberton");
});

test("the contacts list shows its total, goes forward and back, sorts by its headings and names locations", async ({ page, consoleErrors }) => {
  await signIn(page, "admin@avatar.test");
  await page.goto("/contacts");
  await hydrated(page);
  const summary = page.getByRole("status").filter({ hasText: "Showing" });
  await expect(summary).toHaveText("Showing 1–50 of 200 contacts");
  await expect(page.getByRole("link", { name: "← Previous page" })).toHaveCount(0);
  const firstName = async () => (await page.getByRole("row").nth(1).getByRole("rowheader").innerText()).trim();
  const pageOne = await firstName();

  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(summary).toHaveText("Showing 51–100 of 200 contacts");
  await expect(page.getByRole("navigation", { name: "Contact pages" })).toContainText("Page 2");
  expect(await firstName()).not.toBe(pageOne);
  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(summary).toHaveText("Showing 101–150 of 200 contacts");
  await page.getByRole("link", { name: "← Previous page" }).click();
  await expect(summary).toHaveText("Showing 51–100 of 200 contacts");
  await page.getByRole("link", { name: "← Previous page" }).click();
  await expect(summary).toHaveText("Showing 1–50 of 200 contacts");
  expect(await firstName()).toBe(pageOne);

  // Every contact's location is in its row.
  const locations = page.getByRole("row").locator("td:nth-of-type(4)");
  await expect(page.getByRole("columnheader", { name: "Location" })).toBeVisible();
  const places = new Set((await locations.allInnerTexts()).map((t) => t.trim()));
  expect([...places].sort()).toEqual(["Brisbane North", "Sydney CBD"]);

  // A heading sorts by its column and says so; a filter keeps to the sorted order.
  const nameHeader = page.getByRole("columnheader", { name: /Name/ });
  await expect(nameHeader).not.toHaveAttribute("aria-sort", /.*/);
  await nameHeader.getByRole("link").click();
  await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "ascending");
  await expect(page.getByLabel("Sort")).toHaveValue("name");
  const surnames = (await page.getByRole("rowheader").allInnerTexts()).map((n) => n.trim().split(" ").slice(-1)[0].toLowerCase());
  expect(surnames).toEqual([...surnames].sort());
  await page.getByRole("columnheader", { name: /Warmness/ }).getByRole("link").click();
  await expect(page.getByRole("columnheader", { name: /Warmness/ })).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByRole("columnheader", { name: /Name/ })).not.toHaveAttribute("aria-sort", /.*/);
  await expect(summary).toHaveText("Showing 1–50 of 200 contacts");
});

test.describe("on a phone", () => {
  test("the contacts list is cards and its filters fold away behind one button", async ({ page, consoleErrors }) => {
    await signIn(page, "admin@avatar.test");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/contacts");
    await hydrated(page);
    await expect(page.getByRole("table")).toBeHidden();
    const cards = page.getByRole("list", { name: "Contact list" }).getByRole("listitem");
    await expect(cards).toHaveCount(50);
    await expect(cards.first().getByRole("link").first()).toBeVisible();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "no sideways scrolling").toBeLessThanOrEqual(390);

    const filters = page.getByRole("button", { name: "Filters" });
    const stage = page.getByLabel("Stage");
    await expect(stage).toBeHidden();
    await expect(filters).toHaveAttribute("aria-expanded", "false");
    await filters.click();
    await expect(filters).toHaveAttribute("aria-expanded", "true");
    await stage.selectOption({ label: "Booked" });
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/stage_id=/);
    await expect(page.getByRole("button", { name: "Filters (1)" })).toBeVisible();
    await expect(page.getByLabel("Stage")).toBeHidden();
    const shown = await cards.count();
    expect(shown).toBeGreaterThan(0);
    for (const text of await cards.allInnerTexts()) expect(text).toContain("Booked");
  });
});
