// Bookings as the front desk makes them: from the contact page's free times, from an empty
// time on the calendar, and moved by dragging on the calendar, where a clash is shown and
// refused before the drop.
import { test, expect, drag, hydrated, newContact, signIn } from "./fixtures";

/** A Wednesday five weeks ahead, past the demo clinic's own bookings: every time is free. */
function quietWednesday(): string {
  const day = new Date(Date.now() + 35 * 24 * 3600 * 1000);
  while (day.getUTCDay() !== 3) day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

// Tall enough for the whole day: a drag near a window's edge scrolls it, as it should for people.
test.use({ viewport: { width: 1440, height: 1500 } });

test("reception books from the contact page, books an empty time on the calendar, and drags a booking past a clash", async ({ page, consoleErrors }) => {
  const day = quietWednesday();
  await signIn(page, "reception@avatar.test");

  // Bartholomew first, from his contact page: the free times of the day, then one of them.
  await newContact(page, "Bartholomew", "Quince", "0499 555 701");
  const bookings = page.getByRole("region", { name: "Bookings" });
  await bookings.getByLabel("Service").selectOption({ label: "MRI knee (30 min)" });
  await bookings.getByLabel("Location").selectOption({ label: "Sydney CBD" });
  await bookings.getByLabel("Day").fill(day);
  await bookings.getByRole("button", { name: "Find times" }).click();
  await hydrated(page);
  const times = bookings.getByRole("list", { name: "Free times" });
  await times.getByRole("button", { name: "Book 9:00 am" }).click();
  await expect(bookings.getByRole("status")).toHaveText("Booked. The confirmation text is on its way.");
  const coming = bookings.getByRole("list", { name: "Coming bookings" });
  await expect(coming).toContainText("9:00 am AEDT · MRI knee · Sydney CBD");
  await expect(times.getByRole("button", { name: "Book 9:00 am" })).toHaveCount(0);

  // Its link opens the calendar on that day with the booking's drawer.
  await coming.getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Calendar");
  const drawer = page.getByRole("complementary", { name: "Booking" });
  await expect(drawer.getByRole("heading", { name: "Bartholomew Quince" })).toBeVisible();
  await expect(drawer.getByTestId("booking-status")).toHaveText("Booked");
  await hydrated(page);
  await drawer.getByRole("button", { name: "Confirm" }).click();
  await expect(drawer.getByTestId("booking-status")).toHaveText("Confirmed");
  await drawer.getByRole("link", { name: "Close" }).click();

  // Perpetua at 10:00 on MRI 1, by clicking that empty time.
  await newContact(page, "Perpetua", "Okonkwo", "0499 555 702");
  await page.goto(`/calendar?date=${day}`);
  const filters = page.getByRole("form", { name: "Choose what the calendar shows" });
  await filters.getByLabel("Location").selectOption({ label: "Sydney CBD" });
  await filters.getByRole("button", { name: "Show" }).click();
  await expect(page.getByRole("heading", { level: 2 })).toContainText("Sydney CBD");
  await hydrated(page);
  await page.getByRole("link", { name: "Book MRI 1 (3T) at 10:00 am" }).click();
  const booking = page.getByRole("complementary", { name: "New booking" });
  await expect(booking.getByRole("heading")).toContainText("10:00 am");
  await booking.getByLabel("Service").selectOption({ label: "MRI knee (30 min)" });
  await booking.getByLabel("Patient (name, phone or email)").fill("Perpetua Okonkwo");
  await booking.getByRole("button", { name: "Find" }).click();
  await hydrated(page);
  await booking.getByRole("button", { name: "Book Perpetua Okonkwo" }).click();
  await expect(booking.getByRole("status")).toHaveText("Booked. The confirmation is on its way.");
  const perpetua = page.getByRole("link", { name: /^Perpetua Okonkwo 10:00 am · MRI knee/ });
  await expect(perpetua).toBeVisible();
  await booking.getByRole("link", { name: "Close" }).click();
  await hydrated(page);

  // Bartholomew dragged onto Perpetua's time: shown as a clash, refused, left where he was.
  const bartholomew = page.getByRole("link", { name: /^Bartholomew Quince 9:00 am · MRI knee/ });
  const taken = page.getByRole("link", { name: "Book MRI 1 (3T) at 10:00 am" });
  const landing = page.getByTestId("drop-target");
  await drag(page, bartholomew, taken, async () => {
    // Before the drop: the time under the pointer is marked as a clash, naming it.
    await expect(landing).toHaveText("Clashes with Perpetua Okonkwo at 10:00 am");
    await expect(landing).toHaveClass(/border-rose-500/);
  });
  await expect(landing).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "clash" })).toContainText("That would clash with Perpetua Okonkwo at 10:00 am: not moved.");
  await expect(bartholomew).toBeVisible();

  // Dragged to 2 pm: moved, and the calendar shows him there.
  const free = page.getByRole("link", { name: "Book MRI 1 (3T) at 2:00 pm" });
  await drag(page, bartholomew, free, async () => {
    await expect(landing).toHaveText("Move to 2:00 pm");
    await expect(landing).toHaveClass(/border-emerald-500/);
  });
  await expect(page.getByRole("status").filter({ hasText: "Moved" })).toContainText("Moved Bartholomew Quince to");
  await expect(page.getByRole("link", { name: /^Bartholomew Quince 2:00 pm · MRI knee .*Confirmed$/ })).toBeVisible();
  await expect(page.getByTestId("now-line")).toHaveCount(0);

  // Without dragging (keyboard, phone): the drawer's "Move to" finds the day's free times.
  await page.getByRole("link", { name: /^Bartholomew Quince 2:00 pm · MRI knee/ }).click();
  const opened = page.getByRole("complementary", { name: "Booking" });
  await expect(opened.getByRole("heading", { name: "Bartholomew Quince" })).toBeVisible();
  await hydrated(page);
  const moveForm = opened.getByRole("form", { name: "Move the booking" });
  await moveForm.getByLabel("Move to another time on").fill(day);
  await moveForm.getByRole("button", { name: "Find times" }).click();
  await hydrated(page);
  await opened.getByRole("list", { name: "Times to move to" }).getByRole("button", { name: "Move to 3:30 pm" }).click();
  await expect(opened.getByRole("status").filter({ hasText: "Moved." })).toBeVisible();
  await expect(opened.getByText(/^\w{3} \d+ \w{3} \d{4}, 3:30 pm AE[DS]T$/)).toBeVisible();
  await expect(opened.getByRole("listitem").filter({ hasText: /^Moved: .*2:00 pm.*→.*3:30 pm/ })).toBeVisible();
});

test("in the week view a click on an empty time opens a new booking there; each column also links to its day", async ({ page, consoleErrors }) => {
  const day = quietWednesday();
  await signIn(page, "reception@avatar.test");
  await page.goto(`/calendar?date=${day}&view=week`);
  const filters = page.getByRole("form", { name: "Choose what the calendar shows" });
  await filters.getByLabel("Location").selectOption({ label: "Sydney CBD" });
  await filters.getByRole("button", { name: "Show" }).click();
  await expect(page.getByRole("heading", { level: 2, name: /^Week of .* · Sydney CBD$/ })).toBeVisible();
  await hydrated(page);

  const d = new Date(`${day}T12:00:00Z`);
  const weekday = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][d.getUTCDay()];
  const month = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][d.getUTCMonth()];
  const column = page.getByRole("link", { name: `Open MRI 1 (3T) on ${weekday} ${d.getUTCDate()} ${month}` });
  // Without the script (or the right to book) the column opens its day.
  await expect(column).toHaveAttribute("href", new RegExp(`date=${day}`));
  await expect(column).not.toHaveAttribute("href", /view=week/);

  // The 11 am row of the times column, then a click in Wednesday's MRI 1 column at that height.
  await column.scrollIntoViewIfNeeded();
  const eleven = page.getByText("11:00 am", { exact: true });
  const row = await eleven.boundingBox();
  const box = await column.boundingBox();
  if (!row || !box) throw new Error("the calendar is not on screen");
  await page.mouse.click(box.x + box.width / 2, row.y + 11);
  const drawer = page.getByRole("complementary", { name: "New booking" });
  await expect(drawer.getByRole("heading")).toHaveText(new RegExp(`^New booking · \\w{3} ${d.getUTCDate()} ${month.slice(0, 3)}, 11:00 am$`));
  await expect(page.getByRole("heading", { level: 2, name: /^Week of / })).toBeVisible();
});

test("Insights says so when the days chosen hold no bookings", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/calendar/insights?from=2030-03-04&to=2030-03-10");
  await expect(page.getByText("No bookings in these days: choose other days or all locations.")).toBeVisible();
  await expect(page.getByText("Nothing booked in these days.")).toBeVisible();
  await expect(page.getByText("no outcomes yet")).toBeVisible();
});

test("this week's calendar shows the demo clinic's bookings", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/calendar?view=week");
  await expect(page.getByRole("heading", { level: 2, name: /^Week of / })).toBeVisible();
  await expect(page.getByText(/^\d+ bookings? in view\./)).toBeVisible();
  const count = Number((await page.getByText(/^\d+ bookings? in view\./).textContent())?.match(/^\d+/)?.[0]);
  expect(count).toBeGreaterThan(10);
});

test("an administrator closes a day, books maintenance and takes a scanner out of use on the Scheduling page", async ({ page, consoleErrors }) => {
  const day = quietWednesday();
  await signIn(page, "admin@avatar.test");
  await page.goto("/settings");
  await page.getByRole("link", { name: /^Scheduling/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Scheduling" })).toBeVisible();
  await hydrated(page);

  const close = page.getByRole("form", { name: "Close Sydney CBD for a day" });
  await close.getByLabel("Day").fill(day);
  await close.getByLabel("Reason").fill("Staff training");
  await close.getByRole("button", { name: "Close that day" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Closed that day." })).toBeVisible();
  const closed = page.getByRole("list", { name: "Closed days at Sydney CBD" });
  await expect(closed).toContainText("Staff training");

  // The contact page's Book box then has nothing that day in Sydney.
  await newContact(page, "Octavia", "Lindqvist", "0499 555 821");
  const bookings = page.getByRole("region", { name: "Bookings" });
  await bookings.getByLabel("Service").selectOption({ label: "MRI knee (30 min)" });
  await bookings.getByLabel("Location").selectOption({ label: "Sydney CBD" });
  await bookings.getByLabel("Day").fill(day);
  await bookings.getByRole("button", { name: "Find times" }).click();
  await expect(bookings.getByText("No free times that day. Try another day.")).toBeVisible();

  // Open again; maintenance on MRI 1; MRI 2 out of use and back.
  await page.goto("/settings/scheduling");
  await hydrated(page);
  const d = new Date(`${day}T12:00:00Z`);
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  await page.getByRole("button", { name: new RegExp(`^Open again: \\w{3} ${d.getUTCDate()} ${month} ${d.getUTCFullYear()}$`) }).click();
  await expect(closed).not.toContainText("Staff training");
  await expect(page.getByRole("status").filter({ hasText: "Open that day again." })).toBeVisible();
  const maintenance = page.getByRole("form", { name: "Book maintenance" });
  await maintenance.getByLabel("Scanner or room").selectOption({ label: "MRI 1 (3T)" });
  await maintenance.getByLabel("From").fill(`${day}T09:00`);
  await maintenance.getByLabel("Until").fill(`${day}T11:00`);
  await maintenance.getByLabel("Reason").fill("Coil replacement");
  await maintenance.getByRole("button", { name: "Book maintenance" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Maintenance booked in." })).toBeVisible();
  await expect(page.getByRole("list", { name: "Maintenance of MRI 1 (3T)" })).toContainText("Coil replacement");
  // Shown on the location's clock, as typed, not in UTC.
  await expect(page.getByRole("list", { name: "Maintenance of MRI 1 (3T)" })).toContainText(/9:00 am – 11:00 am AE[DS]T/);
  await page.getByRole("button", { name: "Take MRI 1 (3T) out of use" }).click();
  await expect(page.getByRole("button", { name: "Put MRI 1 (3T) back in use" })).toBeVisible();
  await page.getByRole("button", { name: "Put MRI 1 (3T) back in use" }).click();
  await expect(page.getByRole("button", { name: "Take MRI 1 (3T) out of use" })).toBeVisible();
});

test("an administrator edits a service and a mammographer's week on the Scheduling page; a bad price is marked and what was typed stays", async ({ page, consoleErrors }) => {
  await signIn(page, "admin@avatar.test");
  await page.goto("/settings/scheduling");
  await hydrated(page);

  // A service's details: the bad price is refused beside its field, the typed minutes stay.
  const services = page.getByRole("list", { name: "Services" });
  await services.getByText("Edit Screening mammogram", { exact: true }).click();
  const details = page.getByRole("form", { name: "Details of Screening mammogram" });
  await details.getByLabel("Minutes").fill("25");
  await details.getByLabel("Price ($)").fill("one hundred");
  await details.getByRole("button", { name: "Save service" }).click();
  await expect(details.getByText("Price must be an amount in dollars like 450 or 450.50.")).toBeVisible();
  await expect(details.getByLabel("Minutes")).toHaveValue("25");
  await details.getByLabel("Price ($)").fill("$135.50");
  await details.getByLabel("Preparation (sent with the confirmation)").fill("No deodorant or talc on the day.");
  await details.getByRole("button", { name: "Save service" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Service saved." })).toBeVisible();
  await expect(services).toContainText("Screening mammogram · 25 min · $135.50");

  // A person's hours at one location and what they may do.
  const staff = page.getByRole("list", { name: "Staff" });
  await staff.getByText("Mei Chen · Mammographer", { exact: true }).click();
  const week = page.getByRole("form", { name: "Working hours of Mei Chen at Sydney CBD" });
  await week.getByLabel("Sunday").fill("nine till one");
  await week.getByRole("button", { name: "Save hours" }).click();
  await expect(week.getByRole("alert")).toContainText("“nine till one” is not like 08:00–12:00");
  await expect(week.getByLabel("Sunday")).toHaveValue("nine till one");
  await week.getByLabel("Sunday").fill("09:00–13:00");
  await week.getByRole("button", { name: "Save hours" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Working hours saved." })).toBeVisible();
  const qualified = page.getByRole("form", { name: "Services Mei Chen performs" });
  await page.reload();
  await hydrated(page);
  await staff.getByText("Mei Chen · Mammographer", { exact: true }).click();
  await expect(week.getByLabel("Sunday")).toHaveValue("09:00–13:00");
  await qualified.getByLabel("Chest X-ray").check();
  await qualified.getByRole("button", { name: "Save services" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Services saved." })).toBeVisible();

  // Read back after a reload: the ticked service stayed, with those already there.
  await page.reload();
  await staff.getByText("Mei Chen · Mammographer", { exact: true }).click();
  await expect(qualified.getByLabel("Chest X-ray")).toBeChecked();
  await expect(qualified.getByLabel("Screening mammogram")).toBeChecked();

  // Patients see the new length and price on the booking page.
  await page.goto("/book");
  await expect(page.getByText("25 minutes · $135.50")).toBeVisible();
});

test("the booking drawer marks a past booking a no-show, then attended after all, and cancels a coming one with its reason and books it again", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  const day = (offset: number) => new Date(Date.now() + offset * 24 * 3600 * 1000).toISOString().slice(0, 10);

  // Last week's demo bookings are over; most were attended.
  await page.goto(`/calendar?view=week&date=${day(-7)}`);
  await hydrated(page);
  await page.getByRole("link", { name: /, Completed$/ }).first().click();
  const drawer = page.getByRole("complementary", { name: "Booking" });
  const status = drawer.getByTestId("booking-status");
  await expect(status).toHaveText("Completed");
  await hydrated(page);
  await drawer.getByRole("button", { name: "Mark as no-show" }).click();
  await expect(status).toHaveText("No-show");
  await expect(drawer.getByRole("listitem").filter({ hasText: /^Marked as a no-show — / })).toBeVisible();
  await drawer.getByRole("button", { name: "Attended after all" }).click();
  await expect(status).toHaveText("Completed");
  await expect(drawer.getByRole("listitem").filter({ hasText: /^Attended — / })).toBeVisible();

  // A coming booking two weeks out: cancelled with the reason shown, then booked again.
  await page.goto(`/calendar?view=week&date=${day(14)}`);
  await hydrated(page);
  const coming = page.getByRole("link", { name: /, (Booked|Confirmed)$/ }).first();
  const name = (await coming.locator("span").first().textContent()) ?? "";
  await coming.click();
  await expect(drawer.getByRole("heading", { name })).toBeVisible();
  await hydrated(page);
  const cancel = drawer.getByRole("form", { name: "Cancel the booking" });
  await cancel.getByLabel("Reason for cancelling").fill("Unwell, will call back");
  await cancel.getByRole("button", { name: "Cancel booking" }).click();
  await expect(status).toHaveText("Cancelled (Unwell, will call back)");
  await expect(drawer.getByRole("form", { name: "Cancel the booking" })).toHaveCount(0);
  await drawer.getByRole("button", { name: "Book again" }).click();
  await expect(status).toHaveText("Booked");
  await expect(drawer.getByRole("listitem").filter({ hasText: /^Booked again — / })).toBeVisible();
});
