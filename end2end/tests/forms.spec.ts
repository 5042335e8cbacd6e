// The form pattern every page shares: busy while saving, cleared after a save, the typed values
// kept and the bad field marked after a refusal, one calm message when the server is out of
// reach, plain form posts before the page's script has loaded, and times on the clinic's clock.
import { Page } from "@playwright/test";
import { test, expect, hydrated, signIn } from "./fixtures";

/** Opens the first contact at `location` from the Contacts list's location filter. */
async function openContactAt(page: Page, location: string) {
  await page.goto("/contacts");
  await hydrated(page);
  await page.getByLabel("Location").selectOption({ label: location });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/location_id=/);
  const first = page.getByRole("rowheader").first().getByRole("link");
  const name = (await first.innerText()).trim();
  await first.click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await hydrated(page);
  return name;
}

test("a note is added once however often Add is clicked, and the form clears", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await openContactAt(page, "Brisbane North");
  const timeline = page.getByRole("list", { name: "Timeline entries" });
  const note = `Left a voicemail ${Date.now()}`;
  // Hold the answer back, so the second click lands while the first save is still running.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/rpc/log_touchpoint", async (route) => {
    await held;
    await route.continue();
  });
  const form = page.getByRole("form", { name: "Add to the timeline" });
  await form.getByLabel("What happened").fill(note);
  await form.getByRole("button", { name: "Add" }).click();
  const busy = form.getByRole("button", { name: "Adding…" });
  await expect(busy).toBeDisabled();
  await busy.click({ force: true }); // a disabled button ignores the click
  release();
  await expect(page.getByRole("status")).toHaveText("Added to the timeline.");
  await expect(timeline.getByText(note)).toHaveCount(1);
  await expect(form.getByLabel("What happened")).toHaveValue("");
  await expect(form.getByRole("button", { name: "Add" })).toBeEnabled();
  // After a reload the note is still there exactly once: the second click sent nothing.
  await page.reload();
  await expect(page.getByRole("list", { name: "Timeline entries" }).getByText(note)).toHaveCount(1);
});

test("times on a Brisbane contact's page read on Brisbane's clock", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await openContactAt(page, "Brisbane North");
  const note = `Called about the referral ${Date.now()}`;
  const form = page.getByRole("form", { name: "Add to the timeline" });
  await form.getByLabel("What happened").fill(note);
  const before = Date.now();
  await form.getByRole("button", { name: "Add" }).click();
  const entry = page.getByRole("list", { name: "Timeline entries" }).getByRole("listitem").filter({ hasText: note });
  await expect(entry).toHaveCount(1);
  // Brisbane keeps UTC+10 all year: the entry reads as its clock did when the note was added.
  const expected = new Intl.DateTimeFormat("en-AU", {
    timeZone: "Australia/Brisbane",
    hour: "numeric",
    minute: "2-digit",
    hour12: true,
  })
    .format(new Date(before))
    .replace(/\s/g, " ")
    .toLowerCase();
  const time = entry.locator("time");
  await expect(time).toContainText("AEST");
  const shown = (await time.textContent())!.replace(/\s/g, " ");
  const [hours, minutes] = expected.split(/[: ]/);
  // A minute may have turned between the click and the save.
  expect(shown).toMatch(new RegExp(`, ${hours}:(${minutes}|\\d\\d) (am|pm) AEST$`));
  const instant = new Date((await time.getAttribute("datetime"))!);
  expect(Math.abs(instant.getTime() - before)).toBeLessThan(60_000);
  // "Added" on the details card is on the same clock, never UTC.
  await expect(page.getByLabel("Contact details")).toContainText("AEST");
  await expect(page.getByLabel("Contact details")).not.toContainText("UTC");
});

test("a refused edit keeps what was typed and marks the field in words", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await openContactAt(page, "Sydney CBD");
  await page.getByRole("button", { name: "Edit details" }).click();
  await page.getByLabel("Referring doctor").fill("Dr Helena Marsh");
  await page.getByLabel("Phone").fill("12");
  await page.getByRole("button", { name: "Save changes" }).click();
  const phone = page.getByLabel("Phone");
  await expect(phone).toHaveAttribute("aria-invalid", "true");
  await expect(phone).toHaveAccessibleDescription(
    "That doesn't look like a phone number — try 0412 345 678 or +61 412 345 678.",
  );
  await expect(page.getByRole("alert")).toHaveText("Please check the marked fields.");
  await expect(phone).toHaveValue("12");
  await expect(page.getByLabel("Referring doctor")).toHaveValue("Dr Helena Marsh");
  await expect(page.locator("body")).not.toContainText("ServerError");
  // Fixed, it saves and the card shows the new value.
  await phone.fill("0412 555 019");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByLabel("Contact details")).toContainText("Dr Helena Marsh");
  await expect(page.getByLabel("Contact details").getByRole("link", { name: "0412 555 019" })).toBeVisible();
});

test("with the server out of reach a save says so calmly and keeps the text", async ({ page }) => {
  await signIn(page, "reception@avatar.test");
  await openContactAt(page, "Sydney CBD");
  await page.route("**/rpc/add_task", (route) => route.abort("connectionrefused"));
  const form = page.getByRole("form", { name: "Add a task" });
  await form.getByLabel("New task").fill("Ring about the MRI referral");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "We could not reach the server. Check your connection and try again.",
  );
  await expect(form.getByLabel("New task")).toHaveValue("Ring about the MRI referral");
  // Back in reach, the same click works: the retry is the button.
  await page.unroute("**/rpc/add_task");
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByRole("status")).toHaveText("Task added.");
  await expect(page.getByRole("list", { name: "Tasks" })).toContainText("Ring about the MRI referral");
  await expect(form.getByLabel("New task")).toHaveValue("");
});

test("a slow save says the server is slow, keeps the button busy, and then finishes", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await openContactAt(page, "Sydney CBD");
  // The server takes seven seconds over this task.
  await page.route("**/rpc/add_task", async (route) => {
    await new Promise((done) => setTimeout(done, 7_000));
    await route.continue();
  });
  const form = page.getByRole("form", { name: "Add a task" });
  await form.getByLabel("New task").fill("Send the fasting instructions");
  await form.getByRole("button", { name: "Add task" }).click();
  const slow = page.getByRole("status").filter({ hasText: "the server is slow" });
  await expect(slow).toHaveText(
    "Still working: the server is slow to answer. What you typed is kept, and this will finish or say what went wrong.",
  );
  await expect(form.getByRole("button", { name: "Adding…" })).toBeDisabled();
  await expect(page.getByRole("list", { name: "Tasks" })).toContainText("Send the fasting instructions", { timeout: 15_000 });
  await expect(slow).toHaveCount(0);
  await expect(page.getByRole("list", { name: "Tasks" }).getByText("Send the fasting instructions")).toHaveCount(1);
});

test("before the page's script runs, a note is a plain form post and editing is visibly inactive", async ({ page }) => {
  await signIn(page, "reception@avatar.test");
  await openContactAt(page, "Sydney CBD");
  const url = page.url();
  // The bundle never arrives: the page stays as the server rendered it.
  await page.route("**/pkg/*.wasm", (route) => route.abort());
  await page.route("**/pkg/*.js", (route) => route.abort());
  await page.goto(url);
  await expect(page.getByRole("button", { name: "Edit details" })).toBeDisabled();
  const note = `Spoke to her daughter ${Date.now()}`;
  const form = page.getByRole("form", { name: "Add to the timeline" });
  await form.getByLabel("What happened").fill(note);
  await form.getByRole("button", { name: "Add" }).click();
  // The browser posted the form and came back to the contact, with the note on its timeline.
  // (The form's answer strips any earlier error from the address, leaving a bare "?".)
  await expect(page).toHaveURL(new RegExp(`^${url}\\??$`));
  await expect(page.getByRole("list", { name: "Timeline entries" }).getByText(note)).toHaveCount(1);
  await expect(page.locator("body")).not.toContainText("ServerError");
});
