import { test, expect, hydrated, signIn } from "./fixtures";

test("complete a task from everyone's open list", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tasks", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
  // It opens on what needs doing, with each list's count on its tab.
  await expect(page.getByRole("link", { name: /^Needs doing \(\d+\)$/ })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("link", { name: "Mine (0)" })).toBeVisible(); // nothing is assigned to this account
  await page.getByRole("link", { name: /^All open/ }).click();
  await hydrated(page);
  await expect(page.getByRole("link", { name: /^All open/ })).toHaveAttribute("aria-current", "page");
  const tasks = page.getByRole("list", { name: "Tasks" }).getByRole("listitem");
  await expect(tasks.first()).toBeVisible();
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

test("open lists run soonest due first, and the tab counts follow a completed task", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/tasks?view=open");
  await hydrated(page);
  const list = page.getByRole("list", { name: "Tasks" });
  const due = await list.locator("time[datetime]").evaluateAll((times) => times.map((t) => Date.parse(t.getAttribute("datetime")!)));
  expect(due.length).toBeGreaterThan(2);
  expect(due).toEqual([...due].sort((a, b) => a - b));
  const openTab = page.getByRole("navigation", { name: "Task lists" }).getByRole("link", { name: /^All open/ });
  const before = Number((await openTab.innerText()).match(/\((\d+)\)/)![1]);
  const first = list.getByRole("listitem").first();
  const title = (await first.locator("p").first().innerText()).trim();
  const contact = await first.getByRole("link").getAttribute("href");
  const ofContact = list.getByRole("listitem").filter({ has: page.locator(`a[href="${contact}"]`) }).filter({ hasText: title });
  const same = await ofContact.count();
  await first.getByRole("button", { name: `Done: ${title}` }).click();
  await expect(openTab).toHaveText(`All open (${before - 1})`);
  await expect(ofContact).toHaveCount(same - 1);
});
