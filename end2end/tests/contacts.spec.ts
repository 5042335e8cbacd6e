import { test, expect, hydrated, signIn } from "./fixtures";

test("find a contact, open it and add a note to the timeline", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
  await expect(page.getByRole("row")).toHaveCount(51); // header + a page of 50

  await page.getByRole("searchbox", { name: "Search contacts" }).fill("Pemberton");
  await page.getByRole("button", { name: "Search" }).click();
  const first = page.getByRole("row").nth(1).getByRole("link");
  await expect(first).toContainText("Pemberton");
  const name = (await first.innerText()).trim();
  await first.click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page).toHaveTitle(`${name} · Avatar CRM`);
  await hydrated(page);

  await page.getByLabel("What happened").fill("Asked about parking near the Pitt St entrance");
  await page.getByRole("button", { name: "Add" }).click();
  const timeline = page.getByRole("list", { name: "Timeline entries" });
  await expect(timeline.getByRole("listitem").first()).toContainText("Asked about parking near the Pitt St entrance");
  await page.reload();
  await expect(page.getByRole("list", { name: "Timeline entries" }).getByRole("listitem").first()).toContainText("Asked about parking");
});
