import { createServer, Server } from "node:http";
import { test, expect, hydrated, signIn } from "./fixtures";

test("a contact's warmness shows its reasons, rises after a call is logged, and is stored on Recalculate", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts/new");
  await hydrated(page);
  await page.getByLabel("First name").fill("Oriana");
  await page.getByLabel("Last name").fill("Castellanos");
  await page.getByLabel("Phone").fill("0499 321 654");
  await page.getByLabel("Requested scan").selectOption("mri");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Oriana Castellanos" })).toBeVisible();
  await hydrated(page);

  const box = page.getByRole("region", { name: "Warmness" });
  const reasons = box.getByRole("list", { name: "Why" });
  await expect(reasons).toContainText("+12 asked about MRI");
  await expect(reasons).toContainText("\u22128 never contacted");
  // (The new contact's own recalculation job may already have stored it.)
  const before = Number(await box.getByTestId("warmness-score").innerText());

  // A call logged on the timeline is contact: the score and its reasons follow at once.
  await page.getByLabel("Kind").selectOption("call");
  await page.getByLabel("What happened").fill("Called to talk through the MRI referral");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(reasons).toContainText("+12 in touch in the last 3 days");
  await expect(reasons).not.toContainText("never contacted");
  await expect.poll(async () => Number(await box.getByTestId("warmness-score").innerText())).toBe(before + 20);

  await box.getByRole("button", { name: "Recalculate" }).click();
  await expect(box.getByRole("status")).toHaveText("Warmness recalculated and stored.");
  await expect(box).toContainText("Stored for lists and cards");
  await page.reload();
  await expect(page.getByRole("region", { name: "Warmness" })).toContainText("Stored for lists and cards");
});

test("read-only staff see a contact's warmness but no Recalculate button", async ({ page, consoleErrors }) => {
  await signIn(page, "readonly@avatar.test");
  await page.goto("/contacts?q=Pemberton");
  await page.getByRole("row").nth(1).getByRole("rowheader").getByRole("link").click();
  await hydrated(page);
  const box = page.getByRole("region", { name: "Warmness" });
  await expect(box.getByTestId("warmness-score")).toHaveText(/^\d+$/);
  await expect(box.getByRole("list", { name: "Why" }).getByRole("listitem").first()).toBeVisible();
  await expect(box.getByRole("button", { name: "Recalculate" })).toHaveCount(0);
});

// A local OpenAI-compatible provider (chat completions, Bearer key): what an administrator's
// "Test connection" and the clinic's systems reach through the app.
const FAKE_PORT = 47131;
const FAKE_KEY = "sk-e2e-never-shown";
let fakeProvider: Server | undefined;

test.describe("with an OpenAI-compatible provider", () => {
  // One worker runs these, so the fake provider's one port is bound once.
  test.describe.configure({ mode: "serial" });
  test.use({
    serverEnv: {
      AI_PROVIDER: "openai",
      AI_BASE_URL: `http://127.0.0.1:${FAKE_PORT}/v1`,
      AI_API_KEY: FAKE_KEY,
      AI_MODEL: "@cf/meta/llama-3.1-8b-instruct",
      AI_MODEL_SMS_INTENT: "@cf/meta/llama-3.2-1b-instruct",
      AI_MONTHLY_BUDGET: "5",
      AI_TIMEOUT_SECS: "2",
    },
  });

  test.beforeAll(async () => {
    fakeProvider = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        if (request.headers.authorization !== `Bearer ${FAKE_KEY}`) {
          response.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ error: { message: "bad key" } }));
          return;
        }
        const asked = JSON.parse(body);
        const schema = asked.response_format.json_schema.schema ?? asked.response_format.json_schema;
        const content = schema.properties.ok ? { ok: true } : { intent: "confirm", confidence: 0.97 };
        response.writeHead(200, { "Content-Type": "application/json" }).end(
          JSON.stringify({
            choices: [{ index: 0, message: { role: "assistant", content: JSON.stringify(content) }, finish_reason: "stop" }],
            usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => fakeProvider!.listen(FAKE_PORT, "127.0.0.1", resolve));
  });

  test.afterAll(async () => {
    await new Promise((resolve) => fakeProvider?.close(resolve));
  });

  test("an administrator sees the provider and each function's model, never the key, and tests the connection", async ({ page, consoleErrors }) => {
    await signIn(page, "admin@avatar.test");
    await page.goto("/settings");
    await page.getByRole("link", { name: /AI provider/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "AI provider" })).toBeVisible();
    await expect(page.getByLabel("AI settings")).toContainText(`OpenAI-compatible provider at 127.0.0.1:${FAKE_PORT}`);
    await expect(page.getByLabel("AI settings").getByText("Set", { exact: true })).toBeVisible();
    await expect(page.getByLabel("AI settings")).toContainText("$0.00 of $5.00 spent this month");
    const models = page.getByRole("table", { name: "Model per function" });
    await expect(models.getByRole("row", { name: /SMS reply intent/ })).toContainText("@cf/meta/llama-3.2-1b-instruct");
    await expect(models.getByRole("row", { name: /Campaign drafts/ })).toContainText("@cf/meta/llama-3.1-8b-instruct");
    await expect(models.getByRole("row", { name: /Warmness/ })).toContainText("built-in engine");
    expect(await page.content()).not.toContain(FAKE_KEY);

    await hydrated(page);
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(page.getByRole("status")).toContainText(/The model answered in \d+ ms\. \(model @cf\/meta\/llama-3\.1-8b-instruct\)/);
  });

  test("the usage page charts each function's cost per day after calls through the API", async ({ page, consoleErrors }) => {
    await signIn(page, "admin@avatar.test");
    const origin = new URL(page.url()).origin;
    const created = await page.request.post("/rpc/create_api_token", {
      headers: { Accept: "application/json", Origin: origin },
      form: { name: "Practice system" },
    });
    const { token } = await created.json();
    for (const text of ["Yes see you then", "Yep I'll be there"]) {
      const answer = await page.request.post("/api/v1/ai/sms-intent", { headers: { Authorization: `Bearer ${token}` }, data: { text } });
      expect(await answer.json()).toEqual({ intent: "confirm", confidence: 0.97 });
    }
    await page.goto("/settings/ai/usage");
    await expect(page.getByRole("heading", { level: 2, name: "Cost per day, by function" })).toBeVisible();
    await expect(page.getByRole("img", { name: "Chart of the table below" })).toBeVisible();
    // (The demo clinic's notes were read by the built-in engine when it was seeded: free.)
    await expect(page.getByRole("list", { name: "Legend" }).getByRole("listitem")).toHaveText(["SMS reply intent", "Notes enrichment"]);
    // 1,000 + 200 tokens at $0.027 / $0.201 a million is 67 millionths of a dollar a call.
    const row = page.getByRole("region", { name: "Usage by day" }).getByRole("row", { name: /SMS reply intent/ });
    await expect(row).toContainText("2000 / 400");
    await expect(row).toContainText("$0.000134");
    await expect(page.getByLabel("Totals")).toContainText("$0.000134");
  });
});

test("with the built-in engine the settings say so and the usage page counts calls, at no cost", async ({ page, consoleErrors }) => {
  await signIn(page, "admin@avatar.test");
  await page.goto("/settings/ai");
  await expect(page.getByLabel("AI settings")).toContainText("Built-in engine: on this server, no network, no cost");
  await expect(page.getByRole("table", { name: "Model per function" })).toContainText("built-in engine");
  await hydrated(page);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("status")).toHaveText("The built-in engine answers on this server: there is nothing to connect to.");
  await page.getByRole("link", { name: "AI usage and cost" }).click();
  await page.getByLabel("Period").selectOption("7");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/days=7/);
  await expect(page.getByLabel("Period")).toHaveValue("7");
  // Nothing was billed, so the chart counts calls: the demo clinic's notes, read when seeded.
  await expect(page.getByRole("heading", { level: 2, name: "Calls per day, by function" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Usage by day" }).getByRole("row", { name: /Notes enrichment/ })).toContainText("$0.00");
  await expect(page.getByLabel("Totals")).toContainText("$0.00");
});

test("reception sees the AI settings but cannot run a connection test", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/settings/ai");
  await expect(page.getByLabel("AI settings")).toBeVisible();
  await expect(page.getByRole("button", { name: "Test connection" })).toHaveCount(0);
});

test("a note on the timeline is read for what the patient wants, and the reading shows its words", async ({ page, consoleErrors }) => {
  await signIn(page, "reception@avatar.test");
  await page.goto("/contacts/new");
  await hydrated(page);
  await page.getByLabel("First name").fill("Hemi");
  await page.getByLabel("Last name").fill("Walker");
  await page.getByLabel("Phone").fill("0499 321 655");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Hemi Walker" })).toBeVisible();
  await hydrated(page);
  const box = page.getByRole("region", { name: "What the notes say" });
  await expect(box).toContainText("Nothing read yet");

  await page.getByLabel("Kind").selectOption("note");
  await page.getByLabel("What happened").fill("Needs an ultrasound of the shoulder asap, has a GP referral");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  // Read by a job a moment later; the box asks again until it is stored.
  const reading = box.getByLabel("Reading of the notes");
  await expect(reading).toContainText("Ultrasound");
  await expect(reading).toContainText("shoulder");
  await expect(reading).toContainText("Urgent");
  await expect(reading).toContainText("Mentioned");
  await expect(box.getByRole("list", { name: "Read from" })).toContainText("\u201casap\u201d");
});
