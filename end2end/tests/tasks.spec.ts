import { test, expect, hydrated, signIn } from "./fixtures";

test("complete a task from everyone's open list", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tasks", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
  await expect(page.getByText("Nothing here. Well done.")).toBeVisible(); // nothing is assigned to this account
  await page.getByRole("link", { name: "All open" }).click();
  await hydrated(page);
  const tasks = page.getByRole("list", { name: "Tasks" }).getByRole("listitem");
  const before = await tasks.count();
  expect(before).toBeGreaterThan(0);
  // A task about a contact, so its completion lands on that contact's timeline.
  const first = tasks.filter({ has: page.getByRole("link") }).first();
  const title = (await first.locator("p").first().innerText()).trim();
  const contact = await first.getByRole("link").getAttribute("href");
  expect(contact).toMatch(/^\/contacts\/[0-9A-Z]{26}$/);
  await first.getByRole("button", { name: `Done: ${title}` }).click();
  await expect(tasks).toHaveCount(before - 1);
  await page.getByRole("link", { name: "Done" }).click();
  await expect(page.getByRole("list", { name: "Tasks" })).toContainText(title);

  await page.goto(contact!);
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Timeline" })).toContainText(`Task done: ${title}`);
});
