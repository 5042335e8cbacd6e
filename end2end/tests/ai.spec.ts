import { test, expect, hydrated, signIn } from "./fixtures";

test("a contact's warmness shows its reasons, rises after a call is logged, and is stored on Recalculate", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts/new");
  await hydrated(page);
  await page.getByLabel("First name").fill("Oriana");
  await page.getByLabel("Last name").fill("Castellanos");
  await page.getByLabel("Phone").fill("0499 321 654");
  await page.getByLabel("Requested scan").selectOption("mri");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Oriana Castellanos" })).toBeVisible();
  await hydrated(page);

  const box = page.getByRole("region", { name: "Warmness" });
  const reasons = box.getByRole("list", { name: "Why" });
  await expect(reasons).toContainText("+12 asked about MRI");
  await expect(reasons).toContainText("\u22128 never contacted");
  // (The new contact's own recalculation job may already have stored it.)
  const before = Number(await box.getByTestId("warmness-score").innerText());

  // A call logged on the timeline is contact: the score and its reasons follow at once.
  await page.getByLabel("Kind").selectOption("call");
  await page.getByLabel("What happened").fill("Called to talk through the MRI referral");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(reasons).toContainText("+12 in touch in the last 3 days");
  await expect(reasons).not.toContainText("never contacted");
  await expect.poll(async () => Number(await box.getByTestId("warmness-score").innerText())).toBe(before + 20);

  await box.getByRole("button", { name: "Recalculate" }).click();
  await expect(box.getByRole("status")).toHaveText("Warmness recalculated and stored.");
  await expect(box).toContainText("Stored for lists and cards");
  await page.reload();
  await expect(page.getByRole("region", { name: "Warmness" })).toContainText("Stored for lists and cards");
});

test("read-only staff see a contact's warmness but no Recalculate button", async ({ page, consoleErrors }) => {
  await signIn(page, "readonly@avatar.test");
  await page.goto("/contacts?q=Pemberton");
  await page.getByRole("row").nth(1).getByRole("rowheader").getByRole("link").click();
  await hydrated(page);
  const box = page.getByRole("region", { name: "Warmness" });
  await expect(box.getByTestId("warmness-score")).toHaveText(/^\d+$/);
  await expect(box.getByRole("list", { name: "Why" }).getByRole("listitem").first()).toBeVisible();
  await expect(box.getByRole("button", { name: "Recalculate" })).toHaveCount(0);
});
