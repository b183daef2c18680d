/**
 * The portal in a real headless Chromium: open a signed link, manage a subscription, send a test event to a
 * loopback receiver, inspect, retry and recover deliveries, see the chart. Screenshots go to test-results/.
 */
import { join } from "node:path";
import { createHookline, createPortal, type Hookline, type Portal } from "@hookline/core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chromiumAvailable,
  eventually,
  type Listening,
  launchBrowser,
  type Receiver,
  SCREENSHOTS,
  serveFetch,
  startReceiver,
} from "./support.ts";

const available = chromiumAvailable();

describe.skipIf(!available)("portal in headless Chromium", () => {
  let receiver: Receiver;
  let hookline: Hookline;
  let portal: Portal;
  let server: Listening;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const status = () => page.locator("#status");

  beforeAll(async () => {
    receiver = await startReceiver();
    hookline = createHookline({
      catalog: {
        types: {
          "invoice.paid": { description: "An invoice was paid.", example: { id: "in_1", amount: 4200 } },
          "invoice.voided": { description: "An invoice was voided." },
        },
      },
      delivery: { ssrf: { allow: ["127.0.0.1"] }, retrySchedule: [0], pollIntervalMs: 50 },
    });
    await hookline.start();
    portal = createPortal({ ...hookline, linkSecret: "e2e-portal-secret-0123456789abcdef" });
    server = await serveFetch(portal);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await hookline?.close({ timeoutMs: 2000 });
    await receiver?.close();
  });

  it("answers 401 to a forged link", async () => {
    const link = new URL(portal.createLink("acme", { baseUrl: server.url }));
    const token = link.searchParams.get("token")!;
    link.searchParams.set("token", `${token.split(".")[0]}.${"A".repeat(43)}`);
    const res = await page.goto(link.href);
    expect(res?.status()).toBe(401);
    await page.getByRole("heading", { name: /invalid or has expired/ }).waitFor();
    await shot("01-forged-link");
  });

  it("opens a signed link, and the token leaves the URL", async () => {
    await page.goto(portal.createLink("acme", { baseUrl: server.url }));
    expect(new URL(page.url()).pathname).toBe("/portal/");
    expect(page.url()).not.toContain("token");
    await page.getByText("Account: acme").waitFor();
    await page.getByRole("heading", { name: "Subscriptions" }).waitFor();
    const cookies = await browser.context.cookies(`${server.url}/portal/`);
    expect(cookies.find((c) => c.name === "hookline_portal")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
      path: "/portal",
    });
  });

  it("creates a subscription with the keyboard-operable form", async () => {
    await page.getByRole("button", { name: "New subscription" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "New subscription" });
    await dialog.waitFor();
    // Focus moved into the dialog, onto its first field.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("url");
    await dialog.getByLabel("Endpoint URL").fill(`${receiver.url}/hook`);
    await dialog.getByLabel("invoice.paid").check();
    await dialog.getByLabel("Description").fill("Billing");
    await shot("02-create-subscription");
    await dialog.getByRole("button", { name: "Create" }).click();
    const secret = page.getByRole("dialog", { name: "Subscription created" });
    await expect(secret.getByLabel("Signing secret").textContent()).resolves.toMatch(/^whsec_/);
    await page.keyboard.press("Escape");
    await secret.waitFor({ state: "detached" });
    await page.locator("td.url").getByText(`${receiver.url}/hook`).waitFor();
    expect((await hookline.subscriptions.list("acme")).total).toBe(1);
  });

  it("edits, pauses, resumes and rotates the secret", async () => {
    const url = `${receiver.url}/hook`;
    await page.getByRole("button", { name: `Edit: ${url}` }).click();
    const dialog = page.getByRole("dialog", { name: "Edit subscription" });
    await dialog.getByLabel("Description").fill("Billing v2");
    await dialog.getByLabel("invoice.voided").check();
    await dialog.getByRole("button", { name: "Save" }).click();
    await status().getByText("Subscription saved.").waitFor();
    await page.getByText("Billing v2").waitFor();

    await page.getByRole("button", { name: `Pause: ${url}` }).click();
    await page.getByRole("cell", { name: "paused" }).waitFor();
    await page.getByRole("button", { name: `Resume: ${url}` }).click();
    await page.getByRole("cell", { name: "active" }).waitFor();

    const [sub] = (await hookline.subscriptions.list("acme")).items;
    const before = sub!.secrets[0]!.value;
    await page.getByRole("button", { name: `Rotate secret: ${url}` }).click();
    await page
      .getByRole("dialog", { name: "Rotate the signing secret?" })
      .getByRole("button", { name: "Rotate" })
      .click();
    const shown = await page
      .getByRole("dialog", { name: "New signing secret" })
      .getByLabel("Signing secret")
      .textContent();
    const after = (await hookline.subscriptions.get("acme", sub!.id)).secrets[0]!.value;
    expect(after).not.toBe(before);
    expect(shown).toBe(after);
    await shot("03-rotated-secret");
    await page
      .getByRole("dialog", { name: "New signing secret" })
      .getByRole("button", { name: "Close" })
      .click();
    // Focus returns to the button that opened the dialog chain's first step.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("BUTTON");
    expect((await hookline.subscriptions.get("acme", sub!.id)).description).toBe("Billing v2");
  });

  it("sends a test event, shows the failed delivery and its attempt, and retries it", async () => {
    const url = `${receiver.url}/hook`;
    receiver.status = 500;
    await page.getByRole("button", { name: `Send test: ${url}` }).click();
    await status()
      .getByText(/Test event sent/)
      .waitFor();
    await eventually(
      async () => (await hookline.deliveries.list("acme", { status: "failed" })).items.length === 1,
    );
    expect(receiver.received).toHaveLength(1);

    await page.getByRole("link", { name: "Deliveries" }).click();
    await page.getByRole("heading", { name: "Deliveries" }).waitFor();
    await page.getByLabel("Status").selectOption("failed");
    await page.getByRole("button", { name: "Apply filter" }).click();
    const row = page.getByRole("row").filter({ hasText: "invoice.paid" });
    await row.getByText("HTTP 500").waitFor();
    await shot("04-deliveries-failed");

    await row.getByRole("button", { name: /Details/ }).click();
    const details = page.getByRole("dialog");
    await details.getByRole("heading", { name: "Attempt 1: HTTP 500" }).waitFor();
    const text = (await details.textContent()) ?? "";
    expect(text).toContain("boom");
    expect(text).toMatch(/webhook-signature: \[redacted\]/);
    expect(text).not.toMatch(/v1,[A-Za-z0-9+/=]{20,}/);
    await shot("05-attempt");
    await page.keyboard.press("Escape");

    receiver.status = 200;
    await row.getByRole("button", { name: /Retry/ }).click();
    await status().getByText("Delivery re-scheduled.").waitFor();
    await eventually(
      async () => (await hookline.deliveries.list("acme", { status: "succeeded" })).items.length === 1,
    );
    await page.getByLabel("Status").selectOption("succeeded");
    await page.getByRole("button", { name: "Apply filter" }).click();
    await page.getByRole("row").filter({ hasText: "HTTP 200" }).waitFor();
  });

  it("recovers every failed delivery since a time", async () => {
    receiver.status = 500;
    const [sub] = (await hookline.subscriptions.list("acme")).items;
    await hookline.deliveries.sendTest("acme", sub!.id, { type: "invoice.voided" });
    await hookline.deliveries.sendTest("acme", sub!.id);
    await eventually(
      async () => (await hookline.deliveries.list("acme", { status: "failed" })).items.length === 2,
    );
    receiver.status = 200;
    await page.getByRole("button", { name: "Recover failed" }).click();
    await status().getByText("2 failed deliveries re-scheduled.").waitFor();
    await eventually(
      async () => (await hookline.deliveries.list("acme", { status: "succeeded" })).items.length === 3,
    );
    await shot("06-recovered");
  });

  it("shows the event catalog with examples", async () => {
    await page.getByRole("link", { name: "Event types" }).click();
    await page.getByRole("heading", { name: "invoice.paid" }).waitFor();
    await page.getByText("Example payload").click();
    await page.getByText('"amount": 4200').waitFor();
  });

  it("shows the chart of the last 24 hours", async () => {
    receiver.status = 500;
    const [sub] = (await hookline.subscriptions.list("acme")).items;
    await hookline.deliveries.sendTest("acme", sub!.id);
    await eventually(
      async () => (await hookline.deliveries.list("acme", { status: "failed" })).items.length === 1,
    );
    await page.getByRole("link", { name: "Activity" }).click();
    await page
      .locator("#chart-summary", { hasText: "3 delivered and 1 failed in the last 24 hours." })
      .waitFor();
    const chart = page.getByRole("img", { name: "Deliveries per hour, last 24 hours" });
    await chart.waitFor();
    expect(await chart.locator("rect.delivered").count()).toBe(24);
    await shot("07-activity");
  });

  it("refuses a mutation without the CSRF token, from the page's own origin", async () => {
    const statusCode = await page.evaluate(async () => {
      const res = await fetch("/portal/api/subscriptions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url: "http://127.0.0.1:1/x", eventTypes: ["invoice.paid"] }),
      });
      return res.status;
    });
    expect(statusCode).toBe(403);
    expect((await hookline.subscriptions.list("acme")).total).toBe(1);
  });
});
