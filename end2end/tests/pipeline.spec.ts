import { test, expect, hydrated, signIn } from "./fixtures";
import type { Page } from "@playwright/test";

const column = (page: Page, stage: string) => page.getByRole("region", { name: stage, exact: true });
const count = async (page: Page, stage: string) =>
  Number((await column(page, stage).getByTestId("stage-count").innerText()).replace(/\D/g, ""));

test("drag a card to another stage and it stays there after a reload", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Pipeline" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pipeline" })).toBeVisible();
  await hydrated(page);

  const [newBefore, contactedBefore] = [await count(page, "New enquiry"), await count(page, "Contacted")];
  const card = column(page, "New enquiry").locator("article[data-card-id]").first();
  const id = await card.getAttribute("data-card-id");
  const name = (await card.getByRole("link").innerText()).trim();
  // Drop on the column's heading: always in view, so the page need not scroll mid-drag.
  await card.dragTo(column(page, "Contacted").getByRole("heading"));

  const moved = column(page, "Contacted").locator(`article[data-card-id="${id}"]`);
  await expect(moved).toBeVisible();
  await expect(page.getByRole("status")).toContainText(`Moved ${name} to Contacted.`);
  await expect(column(page, "Contacted").getByTestId("stage-count")).toContainText(String(contactedBefore + 1));

  await page.reload();
  await hydrated(page);
  await expect(column(page, "Contacted").locator(`article[data-card-id="${id}"]`)).toBeVisible();
  await expect(column(page, "New enquiry").locator(`article[data-card-id="${id}"]`)).toHaveCount(0);
  expect(await count(page, "New enquiry")).toBe(newBefore - 1);
  expect(await count(page, "Contacted")).toBe(contactedBefore + 1);

  // Opening a card goes to the contact, whose timeline records the move.
  await column(page, "Contacted").locator(`article[data-card-id="${id}"]`).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("list", { name: "Timeline entries" }).getByRole("listitem").first()).toContainText(
    "Stage: New enquiry → Contacted",
  );
});

test("move a card with the keyboard", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/pipeline");
  await hydrated(page);
  const card = column(page, "Booked").locator("article[data-card-id]").first();
  const id = await card.getAttribute("data-card-id");
  await card.focus();
  await page.keyboard.press("ArrowRight");
  const moved = column(page, "Attended").locator(`article[data-card-id="${id}"]`);
  await expect(moved).toBeVisible();
  await expect(moved).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(column(page, "Booked").locator(`article[data-card-id="${id}"]`)).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(column(page, "Contacted").locator(`article[data-card-id="${id}"]`)).toBeFocused();

  await page.reload();
  await expect(column(page, "Contacted").locator(`article[data-card-id="${id}"]`)).toBeVisible();
});

test("a read-only user's move is put back with the reason", async ({ page, consoleErrors }) => {
  await signIn(page, "readonly@avatar.test");
  await page.goto("/pipeline");
  await hydrated(page);
  const card = column(page, "Attended").locator("article[data-card-id]").first();
  const id = await card.getAttribute("data-card-id");
  const refused = page.waitForResponse((r) => r.url().endsWith("/rpc/move_contact_stage"));
  await card.dragTo(column(page, "Follow-up").getByRole("heading"));
  expect((await refused).status()).toBe(403);
  await expect(page.getByRole("status")).toContainText("Could not move");
  await expect(page.getByRole("status")).toContainText("You do not have permission");
  await expect(column(page, "Attended").locator(`article[data-card-id="${id}"]`)).toBeVisible();
  await expect(column(page, "Follow-up").locator(`article[data-card-id="${id}"]`)).toHaveCount(0);
});

test("an administrator adds, renames and reorders stages, and the board follows", async ({ page, consoleErrors }) => {
  await signIn(page, "admin@avatar.test");
  await page.goto("/settings");
  await page.getByRole("link", { name: /Pipeline stages/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pipeline stages" })).toBeVisible();
  await hydrated(page);
  const form = page.getByRole("form", { name: "Add a stage" });
  await form.getByLabel("New stage").fill("Awaiting referral");
  await form.getByRole("button", { name: "Add stage" }).click();
  const stages = page.getByRole("list", { name: "Stages" });
  await expect(stages.getByRole("listitem").last()).toContainText("0 contacts");
  await expect(page.getByLabel("Name of stage 7")).toHaveValue("Awaiting referral");
  await page.getByRole("button", { name: "Move Awaiting referral up" }).click();
  await expect(page.getByLabel("Name of stage 6")).toHaveValue("Awaiting referral");
  await page.getByLabel("Name of stage 6").fill("Referral needed");
  // The field shows what was typed at once; the board must not be opened before the save lands.
  const saved = page.waitForResponse((r) => r.url().endsWith("/rpc/save_stage") && r.status() === 200);
  await stages.getByRole("listitem").nth(5).getByRole("button", { name: "Save" }).click();
  await saved;
  await expect(page.getByRole("status").filter({ hasText: "Stage saved." })).toBeVisible();
  await expect(page.getByLabel("Name of stage 6")).toHaveValue("Referral needed");

  await page.goto("/pipeline");
  const headings = page.getByRole("region").getByRole("heading", { level: 2 });
  await expect(headings.nth(5)).toContainText("Referral needed");
  await expect(headings.nth(6)).toContainText("Lost");

  await page.goto("/settings/pipeline");
  await hydrated(page);
  await page.getByRole("button", { name: "Remove Referral needed" }).click();
  await expect(page.getByLabel("Name of stage 6")).toHaveValue("Lost");
  await expect(page.getByRole("button", { name: "Remove New enquiry" })).toBeDisabled();
});

test("all six stages fit side by side at 1440 px, with no sideways page scrolling", async ({ page, consoleErrors }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, "reception@avatar.test");
  await page.goto("/pipeline");
  await hydrated(page);
  const stages = ["New enquiry", "Contacted", "Booked", "Attended", "Follow-up", "Lost"];
  for (const stage of stages) {
    const box = await column(page, stage).boundingBox();
    expect(box, stage).not.toBeNull();
    expect(box!.x, stage).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, stage).toBeLessThanOrEqual(1440);
    expect(box!.width, `${stage} is wide enough to read`).toBeGreaterThanOrEqual(150);
  }
  const [scrollWidth, clientWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
});
