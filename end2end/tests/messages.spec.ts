import { test, expect, hydrated, signIn } from "./fixtures";

test("text a patient from their contact page, then find it on the timeline and in the Outbox", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts/new");
  await hydrated(page);
  await page.getByLabel("First name").fill("Ottoline");
  await page.getByLabel("Last name").fill("Marchbanks");
  await page.getByLabel("Phone").fill("0499 555 321");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ottoline Marchbanks" })).toBeVisible();
  await hydrated(page);

  const box = page.getByRole("region", { name: "Send SMS" });
  await expect(box).toContainText("To 0499 555 321");
  const message = box.getByLabel("Message");
  // The counter follows what is typed: parts, and room left in the last one.
  await message.fill("x".repeat(161));
  await expect(box.getByText("161 characters · 2 SMS parts · 145 left in this part")).toBeVisible();
  await message.fill("Hi Ottoline, your MRI is at 9:30 on Friday — reply YES to confirm 🙂");
  await expect(box.getByText(/· 1 SMS part · .* Unicode/)).toBeVisible();
  await box.getByRole("button", { name: "Send SMS" }).click();
  await expect(box.getByRole("status")).toHaveText("Queued: it is on its way.");
  await expect(message).toHaveValue("");
  await expect(box.getByText("0 characters · nothing to send")).toBeVisible();

  // On the timeline at once; with no SMS provider configured the outbox keeps it ("Sent").
  const entry = page.getByRole("list", { name: "Timeline entries" }).getByRole("listitem").first();
  await expect(entry).toContainText("your MRI is at 9:30 on Friday");
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("list", { name: "Timeline entries" }).getByRole("listitem").first()).toContainText("Sent", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Outbox", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Outbox" })).toBeVisible();
  await expect(page.getByRole("note")).toContainText("No provider is configured for texts or email");
  await page.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: "SMS" }).click();
  const sent = page.getByRole("article", { name: "SMS to Ottoline Marchbanks" });
  await expect(sent).toContainText("your MRI is at 9:30 on Friday");
  await expect(sent).toContainText("(0499 555 321)");
  await expect(sent).toContainText("Kept in the outbox");
  await sent.getByRole("link", { name: "Ottoline Marchbanks" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ottoline Marchbanks" })).toBeVisible();
});

test("settings say which message providers are configured", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/settings");
  const providers = page.getByRole("region", { name: "Message providers" });
  await expect(providers).toContainText("Outbox only: texts are kept, not sent");
  await expect(providers).toContainText("Outbox only: email is kept, not sent");
  await expect(providers).toContainText("Off (no webhook secret)");
});
