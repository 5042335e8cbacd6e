// A patient books on their phone through /book, reception sees the booking on the calendar
// and drags it to another time, the patient cancels through the manage link, and the contact
// waiting for that day is offered the time and takes it.
import { test, expect, drag, hydrated, newContact, signIn } from "./fixtures";
import type { Browser, Page } from "@playwright/test";

/** A Wednesday five weeks ahead, past the demo clinic's own bookings: every time is free. */
function quietWednesday(): string {
  const day = new Date(Date.now() + 35 * 24 * 3600 * 1000);
  while (day.getUTCDay() !== 3) day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/** "Wed 13 Jan", as the day strip names a day. */
function dayLabel(iso: string): string {
  const d = new Date(`${iso}T12:00:00Z`);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${days[d.getUTCDay()]} ${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
}

/** A phone of the patient's own: no session, a small touch screen. */
async function phone(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  return context.newPage();
}

test.use({ viewport: { width: 1440, height: 1500 } });

test("a patient books on their phone, staff move it on the calendar, the patient cancels, the waitlist takes the time", async ({ page, browser, baseURL, consoleErrors }) => {
  test.setTimeout(90_000);
  const day = quietWednesday();

  // Reception puts Waverley on the waitlist for an MRI knee in Sydney that Wednesday.
  await signIn(page, "reception@avatar.test");
  await newContact(page, "Waverley", "Tan", "0499 555 801");
  const waitlist = page.getByRole("region", { name: "Waitlist" });
  const join = waitlist.getByRole("form", { name: "Add to the waitlist" });
  await join.getByLabel("Service").selectOption({ label: "MRI knee (30 min)" });
  await join.getByLabel("Location").selectOption({ label: "Sydney CBD" });
  await join.getByLabel("From").fill(day);
  await join.getByLabel("Until").fill(day);
  await join.getByRole("button", { name: "Add to waitlist" }).click();
  await expect(waitlist.getByRole("status")).toHaveText("On the waitlist. They'll be offered a time that comes free.");
  await expect(waitlist.getByRole("list", { name: "Waiting for" })).toContainText("MRI knee · Sydney CBD");
  const waverley = page.url();

  // The patient, on a phone: scan, place, day, time, details.
  const patient = await phone(browser, baseURL!);
  await patient.goto("/book");
  await expect(patient.getByRole("heading", { level: 1, name: "Book a scan" })).toBeVisible();
  await patient.getByRole("list", { name: "Services" }).getByRole("link", { name: "MRI knee", exact: true }).click();
  await patient.getByRole("list", { name: "Locations" }).getByRole("link", { name: "Sydney CBD" }).click();
  const days = patient.getByRole("navigation", { name: "Days" });
  for (let week = 0; week < 8 && !(await days.getByRole("link", { name: new RegExp(`^${dayLabel(day)} `) }).isVisible()); week++) {
    await days.getByRole("link", { name: "Later →" }).click();
  }
  await days.getByRole("link", { name: new RegExp(`^${dayLabel(day)} `) }).click();
  await patient.getByRole("list", { name: "Free times" }).getByRole("link", { name: "9:00 am", exact: true }).click();
  await expect(patient.getByRole("heading", { level: 1, name: "Your details" })).toBeVisible();
  await patient.getByRole("button", { name: "Book this time" }).click();
  await expect(patient.getByRole("alert")).toHaveText("Please check the details marked below.");
  await patient.getByLabel("First name").fill("Rosalind");
  await patient.getByLabel("Last name").fill("Featherstone");
  await patient.getByLabel("Mobile number").fill("0499 555 802");
  await patient.getByLabel("Date of birth").fill("1979-11-23");
  await patient.getByRole("button", { name: "Book this time" }).click();
  await expect(patient.getByRole("heading", { level: 1, name: "Your appointment" })).toBeVisible();
  await expect(patient.getByRole("status")).toContainText("You're booked");
  await expect(patient.getByText(/9:00 am AE[DS]T/)).toBeVisible();
  const manage = patient.url().split("?")[0];
  // Nothing on the page runs script: it works before (and without) the app's bundle.
  expect(await patient.locator("script").count()).toBe(0);

  // Reception finds it on the calendar and drags it to 11:00.
  await page.goto(`/calendar?date=${day}`);
  const filters = page.getByRole("form", { name: "Choose what the calendar shows" });
  await filters.getByLabel("Location").selectOption({ label: "Sydney CBD" });
  await filters.getByRole("button", { name: "Show" }).click();
  await expect(page.getByRole("heading", { level: 2 })).toContainText("Sydney CBD");
  await hydrated(page);
  const booked = page.getByRole("link", { name: /^Rosalind Featherstone 9:00 am · MRI knee/ });
  await expect(booked).toBeVisible();
  const eleven = page.getByRole("link", { name: "Book MRI 1 (3T) at 11:00 am" });
  await drag(page, booked, eleven, async () => {
    await expect(page.getByTestId("drop-target")).toHaveText("Move to 11:00 am");
  });
  await expect(page.getByRole("status").filter({ hasText: "Moved" })).toContainText("Moved Rosalind Featherstone to");
  await expect(page.getByRole("link", { name: /^Rosalind Featherstone 11:00 am · MRI knee/ })).toBeVisible();

  // The patient's link shows the new time; they cancel.
  await patient.goto(manage);
  await expect(patient.getByText(/11:00 am AE[DS]T/)).toBeVisible();
  await patient.getByLabel("Cancel this appointment").selectOption("I'm unwell");
  await patient.getByRole("button", { name: "Cancel appointment" }).click();
  await expect(patient.getByRole("status")).toHaveText("Your appointment is cancelled.");
  await expect(patient.getByText("Status: Cancelled")).toBeVisible();

  // Waverley is offered the freed time: a task for reception, and a text with a link.
  await page.goto(waverley);
  let offerPath = "";
  await expect(async () => {
    await page.reload();
    const timeline = page.getByRole("list", { name: "Timeline entries" });
    await expect(timeline).toContainText("has come free", { timeout: 1_000 });
    offerPath = ((await timeline.textContent()) ?? "").match(/\/w\/[0-9A-Za-z_-]{48}/)?.[0] ?? "";
    expect(offerPath).not.toBe("");
  }).toPass({ timeout: 30_000 });
  await expect(page.getByRole("region", { name: "Tasks" })).toContainText(/Waitlist: MRI knee at Sydney CBD, .*11:00 am.*offered to Waverley Tan/);
  await expect(page.getByRole("region", { name: "Waitlist" })).toContainText("a time has been offered");

  const waverleyPhone = await phone(browser, baseURL!);
  await waverleyPhone.goto(offerPath);
  await expect(waverleyPhone.getByRole("heading", { level: 1, name: "A time has come free" })).toBeVisible();
  await waverleyPhone.getByRole("button", { name: "Take this time" }).click();
  await expect(waverleyPhone.getByRole("status")).toContainText("You're booked");
  await expect(waverleyPhone.getByText(/11:00 am AE[DS]T/)).toBeVisible();
});
