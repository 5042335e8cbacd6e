import { test, expect, hydrated, signIn, DEMO_PASSWORD } from "./fixtures";

test("sign in, see who I am, sign out", async ({ page, consoleErrors }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill("admin@avatar.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");

  await page.getByLabel("Email").fill("admin@avatar.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("signed-in-user")).toHaveText("Alex Admin");
  await hydrated(page);

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByRole("status")).toHaveText("You have signed out.");
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=\/settings$/);
});

test("a read-only user sees the allowlist but no way to change it", async ({ page, consoleErrors }) => {
  await signIn(page, "readonly@avatar.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings", exact: true }).click();
  await expect(page.getByRole("link", { name: /Users & roles/ })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /Pipeline stages/ })).toHaveCount(0);
  await page.getByRole("link", { name: /Security/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Security" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText("Off: every address can reach Avatar CRM.")).toBeVisible();
  await expect(page.getByText("Only administrators and clinic managers can change the allowlist.")).toBeVisible();
  await expect(page.getByLabel("Allowed addresses")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save allowlist" })).toHaveCount(0);
  // The server refuses regardless, in words written for a person.
  const answer = await page.request.post("/rpc/save_ip_allowlist", {
    headers: { Accept: "application/json", Origin: new URL(page.url()).origin },
    form: { enabled: "on", entries: "127.0.0.1" },
  });
  expect(answer.status()).toBe(403);
  expect((await answer.json()).message).toBe("Your role can't change clinic settings. Ask a clinic administrator if you need to.");
});

test("a read-only user sees contacts and tasks without Edit, Add, Done or a stage menu", async ({ page, consoleErrors }) => {
  await signIn(page, "readonly@avatar.test");
  await page.goto("/contacts");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
  await expect(page.getByRole("link", { name: "New contact" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Import CSV" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Export CSV" })).toBeVisible();
  await page.getByRole("rowheader").first().getByRole("link").click();
  await hydrated(page);
  await expect(page.getByLabel("Contact details")).toBeVisible();
  await expect(page.getByRole("list", { name: "Timeline entries" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit details" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Pipeline stage" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Add to the timeline" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Add a task" })).toHaveCount(0);
  await page.goto("/tasks?view=open");
  await hydrated(page);
  await expect(page.getByRole("list", { name: "Tasks" }).getByRole("listitem").first()).toBeVisible();
  await expect(page.getByRole("button", { name: /^Done: / })).toHaveCount(0);
  await expect(page.getByText("Reassign or change due day")).toHaveCount(0);

  // A receptionist, by contrast, has every one of them.
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts");
  await expect(page.getByRole("link", { name: "New contact" })).toBeVisible();
  await page.getByRole("rowheader").first().getByRole("link").click();
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Edit details" })).toBeEnabled();
  await expect(page.getByRole("form", { name: "Add to the timeline" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Add a task" })).toBeVisible();
});

test("an API token is shown once and can be revoked", async ({ page, consoleErrors }) => {
  await signIn(page, "manager@avatar.test");
  await page.getByRole("link", { name: "My account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My account" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Token name").fill("Reporting script");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByTestId("new-token")).toHaveText(/^avt_[0-9a-f]{64}$/);
  const row = page.getByRole("row", { name: /Reporting script/ });
  await expect(row).toContainText("never");
  await row.getByRole("button", { name: "Revoke Reporting script" }).click();
  await expect(page.getByRole("row", { name: /Reporting script/ })).toContainText("Revoked");
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
});

test("an administrator adds a staff member and sees the audit trail", async ({ page, consoleErrors }) => {
  await signIn(page, "admin@avatar.test");
  await page.goto("/settings/users");
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill("Jordan Radiographer");
  await page.getByLabel("Email").fill("jordan@avatar.test");
  await page.getByLabel("Role", { exact: true }).selectOption("readonly");
  await page.getByLabel("Temporary password").fill("temporary-pass-1");
  await page.getByRole("button", { name: "Add staff member" }).click();
  await expect(page.getByRole("status")).toHaveText("Staff member added.");
  await expect(page.getByRole("row", { name: /Jordan Radiographer/ })).toContainText("jordan@avatar.test");

  // Promote the new staff member; the change shows once saved.
  const row = page.getByRole("row", { name: /Jordan Radiographer/ });
  await row.getByLabel("Role for Jordan Radiographer").selectOption("reception");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("row", { name: /Jordan Radiographer/ }).getByLabel("Role for Jordan Radiographer")).toHaveValue("reception");

  await page.goto("/audit?action=user.create");
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(page.getByRole("row", { name: /user\.create/ }).first()).toContainText("admin@avatar.test");

  // The new staff member replaces the temporary password from My account.
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await signIn(page, "jordan@avatar.test", "temporary-pass-1");
  await page.getByRole("link", { name: "My account" }).click();
  await hydrated(page);
  await page.getByLabel("Current password").fill("temporary-pass-1");
  await page.getByLabel("New password").fill("jordans-own-password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password has been changed.");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await signIn(page, "jordan@avatar.test", "jordans-own-password");
});

test("a forgotten password is reset through the emailed link", async ({ page, consoleErrors }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill("marketing@avatar.test");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses that address, a reset link is on its way.");

  // No email relay is configured: an administrator finds the message in the outbox.
  await signIn(page, "admin@avatar.test");
  await page.goto("/settings");
  await page.getByRole("link", { name: /System email outbox/ }).click();
  const email = page.getByRole("article", { name: "Email to marketing@avatar.test" });
  await expect(email).toContainText("Reset your Avatar CRM password");
  const body = await email.locator("pre").innerText();
  const link = body.match(/https?:\/\/\S+\/password-reset\?token=[0-9a-f]+/)?.[0];
  expect(link).toBeTruthy();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();

  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await page.getByLabel("New password").fill("a-new-marketing-password");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password has been changed. Sign in with the new one.");
  await signIn(page, "marketing@avatar.test", "a-new-marketing-password");
  await expect(page.getByTestId("signed-in-user")).toHaveText("Casey Marketing");
});
