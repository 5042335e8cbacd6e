import { test, expect, hydrated, signIn } from "./fixtures";

test("find a contact, open it and add a note to the timeline", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
  await expect(page.getByRole("row")).toHaveCount(51); // header + a page of 50

  await page.getByRole("searchbox", { name: "Search contacts" }).fill("Pemberton");
  await page.getByRole("button", { name: "Search" }).click();
  const first = page.getByRole("row").nth(1).getByRole("rowheader").getByRole("link");
  await expect(first).toContainText("Pemberton");
  const name = (await first.innerText()).trim();
  await first.click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page).toHaveTitle(`${name} · Avatar CRM`);
  await hydrated(page);

  await page.getByLabel("What happened").fill("Asked about parking near the Pitt St entrance");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  const timeline = page.getByRole("list", { name: "Timeline entries" });
  await expect(timeline.getByRole("listitem").first()).toContainText("Asked about parking near the Pitt St entrance");
  await page.reload();
  await expect(page.getByRole("list", { name: "Timeline entries" }).getByRole("listitem").first()).toContainText("Asked about parking");
});

test("create a contact, find it despite a typo, and be warned about a duplicate", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts");
  await hydrated(page);
  await page.getByRole("link", { name: "New contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New contact" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("First name").fill("Winifred");
  await page.getByLabel("Last name").fill("Fotheringham");
  // A number that cannot be a phone number is refused, and the form says which field.
  await page.getByLabel("Phone").fill("12");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByLabel("Phone")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Phone")).toHaveAccessibleDescription("That doesn't look like a phone number — try 0412 345 678 or +61 412 345 678.");
  await expect(page.getByLabel("First name")).toHaveValue("Winifred");
  await page.getByLabel("Phone").fill("0499 123 456");
  await page.getByLabel("Requested scan").selectOption("ct");
  await page.getByLabel("Tags").fill("Needs interpreter, VIP");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Winifred Fotheringham" })).toBeVisible();
  // The number reads as Australians write it and calls the stored E.164 number.
  const details = page.getByLabel("Contact details");
  const phone = details.getByRole("link", { name: "0499 123 456" });
  await expect(phone).toBeVisible();
  await expect(phone).toHaveAttribute("href", "tel:+61499123456");

  // A typo in the surname still finds her.
  await page.getByRole("link", { name: "← Contacts" }).click();
  await page.getByRole("searchbox", { name: "Search contacts" }).fill("Fotheringam");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("row")).toHaveCount(2);
  await expect(page.getByRole("row").nth(1)).toContainText("Winifred Fotheringham");
  await expect(page.getByRole("row").nth(1)).toContainText("vip");

  // The same phone number again is caught before a duplicate is saved.
  await page.goto("/contacts/new");
  await hydrated(page);
  await page.getByLabel("First name").fill("Winnie");
  await page.getByLabel("Last name").fill("Fotheringham");
  await page.getByLabel("Phone").fill("+61 499 123 456");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("alert")).toContainText("A contact with this phone already exists.");
  await page.getByRole("link", { name: "Open the existing contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Winifred Fotheringham" })).toBeVisible();
});

test("edit a contact in place", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts?sort=name");
  const first = page.getByRole("row").nth(1).getByRole("rowheader").getByRole("link");
  await first.click();
  await hydrated(page);
  await page.getByRole("button", { name: "Edit details" }).click();
  await page.getByLabel("Referring doctor").fill("Dr Priya Raman");
  await page.getByLabel("Custom fields").fill("medicare_number = 2123 45670 1");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("button", { name: "Edit details" })).toBeVisible();
  await expect(page.getByText("Dr Priya Raman")).toBeVisible();
  await expect(page.getByText("2123 45670 1")).toBeVisible();
  await page.reload();
  await expect(page.getByText("Dr Priya Raman")).toBeVisible();
});

test("add a task with a due day on a contact, then reassign it from Tasks", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/contacts?sort=name");
  await page.getByRole("row").nth(2).getByRole("rowheader").getByRole("link").click();
  await hydrated(page);
  const addTask = page.getByRole("form", { name: "Add a task" });
  await addTask.getByLabel("New task").fill("Send MRI preparation sheet");
  await addTask.getByLabel("Due day").fill("2031-03-14");
  await addTask.getByRole("button", { name: "Add task" }).click();
  const tasks = page.getByRole("region", { name: "Tasks" });
  await expect(tasks.getByText("Send MRI preparation sheet")).toBeVisible();
  // Due at 5 pm on the clock of the contact's location (AEDT in Sydney, AEST in Brisbane).
  await expect(tasks.getByText(/Due Fri 14 Mar 2031, 5:00 pm AE[DS]T/)).toBeVisible();

  await page.goto("/tasks?view=open");
  await hydrated(page);
  const item = page.getByRole("listitem").filter({ hasText: "Send MRI preparation sheet" });
  await item.getByLabel("Reassign or change due day: Send MRI preparation sheet").click();
  await item.getByLabel("Assignee").selectOption({ label: "Riley Reception" });
  await item.getByLabel("Due day", { exact: true }).fill("2031-03-20");
  await item.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Task updated." })).toBeVisible();
  const updated = page.getByRole("listitem").filter({ hasText: "Send MRI preparation sheet" });
  await expect(updated).toContainText("Riley Reception");
  await expect(updated).toContainText(/Due Thu 20 Mar 2031, 5:00 pm AE[DS]T/);
  await expect(updated.getByLabel("Due day", { exact: true })).toHaveValue("2031-03-20");
});

test("import a CSV with one bad row and see the report", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts");
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import contacts from CSV" })).toBeVisible();
  await hydrated(page);
  const csv = [
    "Given name,Surname,Mobile,Email,Scan type,Medicare No",
    "Imelda,Quarrington,0455 000 101,imelda@example.com,MRI,2123 1",
    "Bartholomew,Quarrington,12,,CT,2123 2",
    "Cosima,Quarrington,0455 000 103,,Ultrasound,2123 3",
  ].join("\n");
  await page.getByLabel("CSV file").setInputFiles({ name: "referrals.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(page.getByRole("heading", { name: "Match 6 columns to contact fields" })).toBeVisible();
  await expect(page.getByLabel("Field for column Mobile")).toHaveValue("phone");
  await expect(page.getByLabel("Field for column Medicare No")).toHaveValue("");
  await page.getByLabel("Field for column Medicare No").selectOption("custom:medicare_no");
  await page.getByRole("button", { name: "Import 3 rows" }).click();
  await expect(page.getByLabel("Imported 3 of 3 rows")).toBeVisible();
  const report = page.getByRole("region", { name: "Import report" });
  await expect(report.getByRole("status")).toHaveText("2 created · 0 updated · 0 already on file · 1 with problems");
  const bad = report.getByRole("row").filter({ hasText: "Not imported" });
  await expect(bad).toContainText("3");
  await expect(bad).toContainText("phone:");

  await page.goto("/contacts?q=Quarrington&sort=name");
  await expect(page.getByRole("row")).toHaveCount(3);
  await page.getByRole("link", { name: "Cosima Quarrington" }).click();
  await expect(page.getByText("2123 3")).toBeVisible();
});

test("a merge shows what it keeps, asks first, keeps both histories and can be undone", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  for (const [first, phone, email] of [["Evangeline", "0466 000 201", ""], ["Evangelina", "0466 000 202", "eva@example.com"]]) {
    await page.goto("/contacts/new");
    await hydrated(page);
    await page.getByLabel("First name").fill(first);
    await page.getByLabel("Last name").fill("Marchbanks");
    await page.getByLabel("Phone").fill(phone);
    if (email) await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByRole("button", { name: "Save contact" }).click();
    await expect(page.getByRole("heading", { level: 1, name: `${first} Marchbanks` })).toBeVisible();
    await hydrated(page);
    await page.getByLabel("What happened").fill(`Spoke to ${first}`);
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(page.getByRole("list", { name: "Timeline entries" })).toContainText(`Spoke to ${first}`);
  }
  const duplicates = page.getByRole("region", { name: "Possible duplicates" });
  await expect(duplicates).toContainText("Evangeline Marchbanks (similar name)");
  // Compare from Evangeline's side, so she is the record kept.
  await duplicates.getByRole("link", { name: "Evangeline Marchbanks", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Evangeline Marchbanks" })).toBeVisible();
  await page.getByRole("region", { name: "Possible duplicates" }).getByRole("link", { name: "Compare and merge Evangelina Marchbanks" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Merge duplicate contacts" })).toBeVisible();
  await hydrated(page);
  // Field by field: her own phone stays, the email she lacked is taken from the duplicate.
  const table = page.getByRole("table", { name: "What the merge keeps" });
  const phoneRow = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Phone" }) });
  await expect(phoneRow).toContainText("0466 000 201");
  await expect(phoneRow).toContainText("Kept record's");
  const emailRow = table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Email" }) });
  await expect(emailRow).toContainText("eva@example.com");
  await expect(emailRow).toContainText("Taken from the duplicate");
  // Nothing happens until it is confirmed.
  await page.getByRole("link", { name: "Review and merge" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Merge Evangelina Marchbanks into Evangeline Marchbanks?" });
  await expect(confirm).toContainText("can be undone");
  await confirm.getByRole("link", { name: "Cancel" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await page.getByRole("link", { name: "Review and merge" }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Yes, merge these records" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Evangeline Marchbanks" })).toBeVisible();
  const timeline = page.getByRole("list", { name: "Timeline entries" });
  await expect(timeline.getByRole("listitem").first()).toContainText("Merged with a duplicate record (Evangelina Marchbanks)");
  await expect(timeline).toContainText("Spoke to Evangeline");
  await expect(timeline).toContainText("Spoke to Evangelina");
  await expect(page.getByLabel("Contact details")).toContainText("eva@example.com");
  await expect(page.getByRole("region", { name: "Possible duplicates" })).toHaveCount(0);

  // Undo: Evangelina is her own record again, with her own note; Evangeline gives back the email.
  const merges = page.getByRole("region", { name: "Merged records" });
  await expect(merges).toContainText("Evangelina Marchbanks was merged into this record");
  await hydrated(page);
  await merges.getByRole("button", { name: "Undo merge of Evangelina Marchbanks" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Merge undone" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Merged records" })).toHaveCount(0);
  await expect(page.getByLabel("Contact details")).not.toContainText("eva@example.com");
  await expect(timeline).not.toContainText("Spoke to Evangelina");
  await expect(timeline.getByRole("listitem").first()).toContainText("Merge undone: Evangelina Marchbanks is a separate record again");
  await page.getByRole("link", { name: "Open it" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Evangelina Marchbanks" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Timeline entries" })).toContainText("Spoke to Evangelina");
});

test("filter by tag, sort by name and export exactly that list", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts");
  await hydrated(page);
  await page.getByLabel("Tag", { exact: true }).selectOption("urgent");
  await page.getByLabel("Sort", { exact: true }).selectOption({ label: "Name A–Z" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/tag=urgent/);
  await expect(page).toHaveURL(/sort=name/);
  const rows = page.getByRole("row").filter({ has: page.getByRole("rowheader") });
  await expect(rows.first()).toBeVisible();
  const shown = await rows.count();
  expect(shown).toBeGreaterThan(0);
  for (let i = 0; i < shown; i++) await expect(rows.nth(i)).toContainText("urgent");
  const names = await rows.getByRole("rowheader").allInnerTexts();
  const surnames = names.map((n) => n.trim().split(" ").slice(-1)[0].toLowerCase());
  expect(surnames).toEqual([...surnames].sort());

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const fs = await import("node:fs/promises");
  const csv = await fs.readFile(await download.path(), "utf8");
  const records = csv.split("\n").filter((line) => /^[0-9A-Z]{26},/.test(line));
  // The export holds every match, not just the page on screen (50 rows).
  if (shown < 50) expect(records.length).toBe(shown);
  else expect(records.length).toBeGreaterThanOrEqual(shown);
  for (const record of records) expect(record).toContain("urgent");
});

/** Rows of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else if (c !== "\r") field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

test("filter by location, source and owner; the export holds exactly those contacts", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.goto("/contacts");
  await hydrated(page);
  const rows = page.getByRole("row").filter({ has: page.getByRole("rowheader") });
  const exported = async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    const fs = await import("node:fs/promises");
    const [header, ...records] = parseCsv(await fs.readFile(await download.path(), "utf8"));
    return records.filter((r) => r.length === header.length).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  };

  await page.getByLabel("Location", { exact: true }).selectOption({ label: "Brisbane North" });
  await page.getByLabel("Source", { exact: true }).selectOption({ label: "Referral" });
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/location_id=/);
  await expect(page).toHaveURL(/source=referral/);
  // The chosen filters stay chosen on the filtered page.
  await expect(page.getByLabel("Source", { exact: true })).toHaveValue("referral");
  await expect(rows.first()).toBeVisible();
  const shown = await rows.count();
  const records = await exported();
  expect(records.length).toBe(shown);
  for (const record of records) {
    expect(record.location).toBe("Brisbane North");
    expect(record.source).toBe("referral");
  }

  // Owner alone: clear the other two, pick the owner of a contact just exported.
  const ownerId = records.map((r) => r.owner_id).find((id) => id) ?? "";
  expect(ownerId).not.toBe("");
  await page.getByLabel("Location", { exact: true }).selectOption("");
  await page.getByLabel("Source", { exact: true }).selectOption("");
  await page.getByLabel("Owner", { exact: true }).selectOption(ownerId);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`owner_id=${ownerId}`));
  await expect(page).not.toHaveURL(/source=referral/);
  await expect(rows.first()).toBeVisible();
  const owned = await exported();
  expect(owned.length).toBeGreaterThan(0);
  for (const record of owned) expect(record.owner_id).toBe(ownerId);

  // A warmness range (the demo clinic is scored as it is seeded): only contacts scored in it.
  await page.getByLabel("Warmness from", { exact: true }).fill("50");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/warmness_min=50/);
  await expect(page.getByLabel("Warmness from", { exact: true })).toHaveValue("50");
  const warm = await exported();
  expect(warm.length).toBeGreaterThan(0);
  for (const record of warm) expect(Number(record.warmness)).toBeGreaterThanOrEqual(50);

});
