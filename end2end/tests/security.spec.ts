import { test, expect, hydrated, signIn } from "./fixtures";
import type { Page } from "@playwright/test";

// Markup a receptionist could type into a contact (or an enquiry form could send). Each runs
// script if any page writes it as HTML; the page must show it as plain text instead.
const FIRST = "</title><img src=x onerror=alert(1)>";
const LAST = `"><svg onload=alert(2)>`;
const TAG = "<img src=x onerror=alert(3)>";
const NOTES = "</script><script>alert(4)</script>";
const FIELD = "<iframe src=javascript:alert(5)>";
const NOTE = "<b onmouseover=alert(6)>hover me</b>";
const TASK = "<img src=x onerror=alert(7)>";

/** Records dialogs and CSP violations for the rest of the page's life. */
async function watchForInjection(page: Page) {
  const dialogs: string[] = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return dialogs;
}

/** No element the payloads would have created exists, and the page broke no CSP rule. */
async function expectNothingInjected(page: Page, dialogs: string[]) {
  await expect(page.locator('img[src="x"], svg[onload], iframe, b[onmouseover], [onerror]')).toHaveCount(0);
  const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
  expect(violations, "CSP violations").toEqual([]);
  expect(dialogs, "dialogs opened").toEqual([]);
}

test("markup typed into a contact is shown as text everywhere and runs nowhere", async ({ page, consoleErrors }) => {
  const dialogs = await watchForInjection(page);
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts/new");
  await hydrated(page);
  await page.getByLabel("First name").fill(FIRST);
  await page.getByLabel("Last name").fill(LAST);
  await page.getByLabel("Phone").fill("0499 777 123");
  await page.getByLabel("Tags").fill(TAG);
  await page.getByLabel("Enquiry notes").fill(NOTES);
  await page.getByRole("button", { name: "Save contact" }).click();

  const name = `${FIRST} ${LAST}`;
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  // The tab shows the name as typed: escaped once on the server, never twice after hydration.
  await expect(page).toHaveTitle(`${name} · Avatar CRM`);
  await hydrated(page);
  await expect(page).toHaveTitle(`${name} · Avatar CRM`);
  await expect(page.getByText(TAG, { exact: true })).toBeVisible();
  await expect(page.getByText(NOTES, { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Edit details" }).click();
  await page.getByLabel("Custom fields").fill(`remarks = ${FIELD}`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(FIELD, { exact: true })).toBeVisible();

  await page.getByLabel("What happened").fill(NOTE);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByRole("list", { name: "Timeline entries" }).getByText(NOTE)).toBeVisible();
  const addTask = page.getByRole("form", { name: "Add a task" });
  await addTask.getByLabel("New task").fill(TASK);
  await addTask.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByRole("region", { name: "Tasks" }).getByText(TASK)).toBeVisible();
  await expectNothingInjected(page, dialogs);

  // Loaded afresh from the server (title and body server-rendered, then hydrated).
  const address = page.url();
  await page.reload();
  await hydrated(page);
  await expect(page).toHaveTitle(`${name} · Avatar CRM`);
  await expect(page.getByText(FIELD, { exact: true })).toBeVisible();
  await expectNothingInjected(page, dialogs);

  await page.goto("/contacts?sort=newest");
  await hydrated(page);
  await expect(page.getByRole("row").nth(1)).toContainText(FIRST);
  await expect(page.getByRole("row").nth(1)).toContainText(TAG);
  await expectNothingInjected(page, dialogs);

  await page.goto("/pipeline");
  await hydrated(page);
  await expect(page.getByText(name).first()).toBeVisible();
  await expectNothingInjected(page, dialogs);

  await page.goto("/tasks?view=open");
  await hydrated(page);
  await expect(page.getByRole("listitem").filter({ hasText: TASK })).toBeVisible();
  await expectNothingInjected(page, dialogs);

  // Back to the contact through the browser's history, as a person would.
  await page.goto(address);
  await hydrated(page);
  await expectNothingInjected(page, dialogs);
});

test("pages answer with a nonce-based policy that blocks inline script", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  const response = await page.goto("/contacts");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("script-src 'self' 'nonce-");
  expect(policy).toContain("frame-ancestors 'none'");
  await hydrated(page);
  // An inline script added without the nonce does not run (what injected markup would be).
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { injectedRan?: boolean };
    const script = document.createElement("script");
    script.textContent = "window.injectedRan = true";
    const blocked = new Promise((resolve) => document.addEventListener("securitypolicyviolation", resolve, { once: true }));
    document.body.appendChild(script);
    await blocked;
    return w.injectedRan === true;
  });
  expect(ran).toBe(false);
  // The blocked script is reported on the console as a CSP error: that one is expected here.
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !e.includes("Content Security Policy")));
});
