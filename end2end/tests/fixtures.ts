import { test as base, expect, Locator, Page } from "@playwright/test";
import { startServer } from "./server";

export const test = base.extend<{ consoleErrors: string[]; serverEnv: Record<string, string> }>({
  /** Extra settings for the test's server (`test.use({ serverEnv: {...} })`). */
  serverEnv: [{}, { option: true }],
  /** Each test's own server and demo clinic (see ./server.ts): pages go there. */
  baseURL: async ({ serverEnv }, use, testInfo) => {
    const server = await startServer(`test-${testInfo.workerIndex}-${testInfo.testId}`, serverEnv);
    await use(server.url);
    await server.stop();
  },
  /**
   * Fails the test on any console error or uncaught exception in the page. A refusal the app
   * answers on purpose (a 4xx such as 409 for a duplicate or 422 for a bad field, which the
   * page then explains) is logged by Chromium as a failed load; those are not errors of the page.
   */
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    const refusal = /^Failed to load resource: the server responded with a status of 4\d\d /;
    page.on("console", (message) => {
      if (message.type() === "error" && !refusal.test(message.text())) errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    await use(errors);
    expect(errors, "console errors").toEqual([]);
  },
});

/**
 * Waits until the WASM bundle has hydrated the server-rendered page. `timeout` is for tests
 * that load many pages in a row on a machine busy with other tests (how soon a page is usable
 * on its own is load.spec.ts's budget).
 */
export async function hydrated(page: Page, timeout?: number) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout });
}

/** The demo accounts (seed-demo); demo password only. */
export const DEMO_PASSWORD = "avatar-demo";

/** Signs in through the sign-in form, as a person would. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-user")).toBeVisible();
}

/** Drags `source` onto `target` with the mouse as a person does (press, start moving, move
 * over the target, release), checking `whileOver` before letting go. Bookings on the way let a
 * drag through to the time below only once it has started, which Playwright's `dragTo` (it
 * checks the target before the first move) cannot wait for. */
export async function drag(page: Page, source: Locator, target: Locator, whileOver: () => Promise<void>) {
  const from = await source.boundingBox();
  if (!from) throw new Error("the booking to drag is not on screen");
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 8, from.y + from.height / 2 + 8, { steps: 4 });
  const to = await target.boundingBox();
  if (!to) throw new Error("the time to drop on is not on screen");
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await page.mouse.move(to.x + to.width / 2 + 2, to.y + to.height / 2, { steps: 2 });
  await whileOver();
  await page.mouse.up();
}

/** Adds a contact through the New contact form and waits on its page. */
export async function newContact(page: Page, first: string, last: string, phone: string) {
  await page.goto("/contacts/new");
  await hydrated(page);
  await page.getByLabel("First name").fill(first);
  await page.getByLabel("Last name").fill(last);
  await page.getByLabel("Phone").fill(phone);
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `${first} ${last}` })).toBeVisible();
  await hydrated(page);
}

export { expect };
