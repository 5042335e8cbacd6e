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
  let saved = 0;
  page.on("response", (r) => {
    if (r.url().endsWith("/rpc/move_contact_stage") && r.ok()) saved += 1;
  });
  await card.focus();
  await page.keyboard.press("ArrowRight");
  const moved = column(page, "Attended").locator(`article[data-card-id="${id}"]`);
  await expect(moved).toBeVisible();
  await expect(moved).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(column(page, "Booked").locator(`article[data-card-id="${id}"]`)).toBeFocused();
  await page.keyboard.press("ArrowLeft");
  await expect(column(page, "Contacted").locator(`article[data-card-id="${id}"]`)).toBeFocused();

  // The three moves are saved in turn, the last one last.
  await expect.poll(() => saved).toBe(3);
  await page.reload();
  await expect(column(page, "Contacted").locator(`article[data-card-id="${id}"]`)).toBeVisible();
});

test("a read-only user sees the board but no way to move a card", async ({ page, consoleErrors }) => {
  await signIn(page, "readonly@avatar.test");
  await page.goto("/pipeline");
  await hydrated(page);
  await expect(page.getByText("Your role can see the board but not move cards.")).toBeVisible();
  const card = column(page, "Attended").locator("article[data-card-id]").first();
  const id = await card.getAttribute("data-card-id");
  await expect(card).toHaveAttribute("draggable", "false");
  await expect(page.getByRole("combobox", { name: /^Stage for / })).toHaveCount(0);
  await card.focus();
  await page.keyboard.press("ArrowRight");
  await expect(column(page, "Attended").locator(`article[data-card-id="${id}"]`)).toBeFocused();
  await expect(column(page, "Follow-up").locator(`article[data-card-id="${id}"]`)).toHaveCount(0);
});

test("a move the server refuses is put back, with the reason in a toast", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/pipeline");
  await hydrated(page);
  const card = column(page, "Attended").locator("article[data-card-id]").first();
  const id = await card.getAttribute("data-card-id");
  const name = (await card.getByRole("link").innerText()).trim();
  // Meanwhile another system removes the contact through the REST API, with this user's token.
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/rpc/create_api_token", {
    headers: { Accept: "application/json", Origin: origin },
    form: { name: "Practice system" },
  });
  expect(created.status()).toBe(200);
  const { token } = await created.json();
  const removed = await page.request.delete(`/api/v1/contacts/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(removed.status()).toBe(204);
  const refused = page.waitForResponse((r) => r.url().endsWith("/rpc/move_contact_stage"));
  await card.dragTo(column(page, "Follow-up").getByRole("heading"));
  expect((await refused).status()).toBe(404);
  await expect(page.getByRole("status")).toHaveText(`Could not move ${name}: That contact no longer exists.`);
  await expect(column(page, "Attended").locator(`article[data-card-id="${id}"]`)).toBeVisible();
  await expect(column(page, "Follow-up").locator(`article[data-card-id="${id}"]`)).toHaveCount(0);
});

test("on a phone a card moves with its stage menu, and the toast leaves the board in place", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.setViewportSize({ width: 390, height: 844 }); // (the signed-in name is in the phone's folded menu)
  await page.goto("/pipeline");
  await hydrated(page);
  const card = column(page, "New enquiry").locator("article[data-card-id]").first();
  const id = await card.getAttribute("data-card-id");
  const name = (await card.getByRole("link").innerText()).trim();
  const top = (await column(page, "New enquiry").boundingBox())!.y;
  await card.getByRole("combobox", { name: `Stage for ${name}` }).selectOption({ label: "Contacted" });
  const moved = column(page, "Contacted").locator(`article[data-card-id="${id}"]`);
  await expect(moved).toBeVisible();
  await expect(moved).toBeFocused();
  await expect(moved.getByRole("combobox", { name: `Stage for ${name}` })).toHaveValue(
    (await column(page, "Contacted").getAttribute("data-stage-id"))!,
  );
  await expect(page.getByRole("status")).toHaveText(`Moved ${name} to Contacted.`);
  expect((await column(page, "New enquiry").boundingBox())!.y).toBe(top);
  await page.reload();
  await expect(column(page, "Contacted").locator(`article[data-card-id="${id}"]`)).toBeVisible();
});

test("keyboard users skip a column's cards", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/pipeline");
  await hydrated(page);
  const skip = column(page, "New enquiry").getByRole("link", { name: "Skip to Contacted" });
  await skip.focus();
  await expect(skip).toBeVisible(); // shown once focused
  await page.keyboard.press("Enter");
  await expect(column(page, "Contacted").getByRole("heading", { level: 2 })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(column(page, "Contacted").locator("article[data-card-id]").first()).toBeFocused();
  await column(page, "Lost").getByRole("link", { name: "Skip past the board" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByText("End of the board")).toBeFocused();
});

test("the board filters by location, owner and scan", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/pipeline");
  await hydrated(page);
  const stages = ["New enquiry", "Contacted", "Booked", "Attended", "Follow-up", "Lost"];
  const total = async () => {
    let sum = 0;
    for (const stage of stages) sum += await count(page, stage);
    return sum;
  };
  await expect.poll(total).toBe(200);
  const everyone = await total();
  const filters = page.getByRole("form", { name: "Filter the board" });
  await filters.getByLabel("Location").selectOption({ label: "Brisbane North" });
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/location_id=/);
  await hydrated(page);
  const brisbane = await total();
  expect(brisbane).toBeGreaterThan(0);
  expect(brisbane).toBeLessThan(everyone);
  await filters.getByLabel("Scan").selectOption({ label: "MRI" });
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/modality=mri/);
  await hydrated(page);
  const cards = page.locator("article[data-card-id]");
  expect(await cards.count()).toBeGreaterThan(0);
  for (const text of await cards.allInnerTexts()) expect(text).toContain("MRI");
  expect(await total()).toBeLessThan(brisbane);
  // One owner's contacts there are fewer still; "Show everyone" brings the whole board back.
  await filters.getByLabel("Owner").selectOption({ label: "Ella Fitzgerald" });
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/owner_id=/);
  await hydrated(page);
  expect(await total()).toBeLessThan(brisbane);
  await page.getByRole("link", { name: "Show everyone" }).click();
  await expect(page).toHaveURL(/\/pipeline$/);
  await expect.poll(total).toBe(everyone);
});

test("the contact page moves a contact to another stage", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/pipeline");
  const card = column(page, "Booked").locator("article[data-card-id]").first();
  const id = await card.getAttribute("data-card-id");
  const name = (await card.getByRole("link").innerText()).trim();
  await card.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await hydrated(page);
  const picker = page.getByRole("form", { name: "Pipeline stage" });
  await picker.getByLabel("Stage").selectOption({ label: "Follow-up" });
  await picker.getByRole("button", { name: "Move" }).click();
  await expect(page.getByRole("status")).toHaveText("Stage changed.");
  await expect(page.getByRole("list", { name: "Timeline entries" }).getByRole("listitem").first()).toContainText(
    "Stage: Booked → Follow-up",
  );
  await page.goto("/pipeline");
  await expect(column(page, "Follow-up").locator(`article[data-card-id="${id}"]`)).toBeVisible();
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
