import { test as base, expect, Page } from "@playwright/test";
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

export { expect };
