import { describe, expect, it } from "vitest";
import { createHookline } from "../src/hookline.ts";
import { apiKeyAuth } from "../src/router/auth.ts";

const linkSecret = "a-portal-link-secret-of-at-least-32-bytes!";

describe("createHookline({ portal })", () => {
  it("serves the portal through fetch(): a signed link opens a session, a forged one gets 401", async () => {
    const webhooks = createHookline({ portal: { linkSecret } });
    const link = webhooks.portal!.createLink("acme", { baseUrl: "http://localhost" });
    const opened = await webhooks.fetch(new Request(link, { redirect: "manual" }));
    expect(opened.status).toBe(303);
    expect(opened.headers.get("set-cookie")).toMatch(/HttpOnly/i);

    // A different MAC: one character inside the signature changed (every bit of it is significant).
    const at = link.length - 5;
    const forgedLink = link.slice(0, at) + (link[at] === "A" ? "B" : "A") + link.slice(at + 1);
    const forged = await webhooks.fetch(new Request(forgedLink));
    expect(forged.status).toBe(401);
    await webhooks.close();
  });

  it("uses the API's auth hook for the portal when none is given", async () => {
    const webhooks = createHookline({
      api: { auth: apiKeyAuth({ header: "x-api-key", resolve: (key) => (key === "k1" ? "acme" : null) }) },
      portal: { linkSecret },
    });
    const page = (key: string) =>
      webhooks.fetch(
        new Request("http://localhost/portal/api/subscriptions", { headers: { "x-api-key": key } }),
      );
    expect((await page("k1")).status).toBe(200);
    expect((await page("nope")).status).toBe(401);
    // the subscription API still answers beside the portal
    const api = await webhooks.fetch(
      new Request("http://localhost/subscriptions", { headers: { "x-api-key": "k1" } }),
    );
    expect(api.status).toBe(200);
    await webhooks.close();
  });

  it("has no portal unless asked", async () => {
    const webhooks = createHookline();
    expect(webhooks.portal).toBeNull();
    expect((await webhooks.fetch(new Request("http://localhost/portal/"))).status).toBe(404);
    await webhooks.close();
  });
});
