import { defineConfig } from "@playwright/test";

/** Debian's Chromium: Playwright never downloads a browser here. */
const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // Every test has its own server and database (tests/fixtures.ts), so they share nothing and
  // may run in any order or side by side.
  fullyParallel: true,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  globalSetup: "./global-setup.ts",
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      testIgnore: /load\.spec\.ts/,
      use: { ...chromium },
    },
    // The cold-load budget is timed once the rest has finished, alone on the machine, as a
    // receptionist's browser would load it (not beside a second test worker and its server).
    {
      name: "load",
      testMatch: /load\.spec\.ts/,
      dependencies: ["chromium"],
      fullyParallel: false,
      use: { ...chromium },
    },
  ],
});
