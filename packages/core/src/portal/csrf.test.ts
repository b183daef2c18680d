import { describe, expect, it } from "vitest";
import { CSRF_HEADER } from "./csrf.ts";
import { createPortal } from "./portal.ts";
import { login, setup } from "./test-support.ts";

const NEW_SUB = { url: "https://example.com/hook", eventTypes: ["invoice.paid"] };

async function count(h: ReturnType<typeof setup>["hookline"], tenant: string): Promise<number> {
  return (await h.subscriptions.list(tenant)).total;
}

describe("portal CSRF protection", () => {
  it("accepts a same-origin request with the session's token", async () => {
    const { portal, hookline } = setup();
    const b = await login(portal, "acme");
    expect((await b.call("POST", "subscriptions", NEW_SUB)).status).toBe(201);
    expect(await count(hookline, "acme")).toBe(1);
  });

  const refused: [string, Record<string, string | undefined>][] = [
    ["a missing token", { [CSRF_HEADER]: undefined }],
    ["a wrong token", { [CSRF_HEADER]: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }],
    ["a token of another length", { [CSRF_HEADER]: "x" }],
    ["a cross-site Sec-Fetch-Site", { "sec-fetch-site": "cross-site" }],
    ["a same-site (sibling subdomain) Sec-Fetch-Site", { "sec-fetch-site": "same-site" }],
    ["a foreign Origin", { origin: "https://evil.example" }],
    ["a null Origin", { origin: "null" }],
    ["neither Origin nor Sec-Fetch-Site", { origin: undefined, "sec-fetch-site": undefined }],
  ];

  it.each(refused)("refuses %s with 403 and changes nothing", async (_name, override) => {
    const { portal, hookline } = setup();
    const b = await login(portal, "acme");
    const created = (await (await b.call("POST", "subscriptions", NEW_SUB)).json()) as {
      subscription: { id: string; status: string };
    };
    const id = created.subscription.id;
    // Build each request by hand so headers can be removed, not only replaced.
    const send = (method: string, path: string, body?: unknown) => {
      const h = new Headers({
        cookie: b.cookie,
        origin: "http://portal.test",
        "sec-fetch-site": "same-origin",
        [CSRF_HEADER]: b.csrf,
      });
      for (const [k, v] of Object.entries(override)) {
        if (v === undefined) h.delete(k);
        else h.set(k, v);
      }
      if (body !== undefined) h.set("content-type", "application/json");
      return portal.fetch(
        new Request(`http://portal.test/portal/api/${path}`, {
          method,
          headers: h,
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    };
    for (const [method, path, body] of [
      ["POST", "subscriptions", NEW_SUB],
      ["PATCH", `subscriptions/${id}`, { url: "https://evil.example/x" }],
      ["POST", `subscriptions/${id}/pause`, undefined],
      ["POST", `subscriptions/${id}/rotate-secret`, undefined],
      ["DELETE", `subscriptions/${id}`, undefined],
    ] as const) {
      const res = await send(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await count(hookline, "acme")).toBe(1);
    const sub = await hookline.subscriptions.get("acme", id);
    expect(sub).toMatchObject({ url: NEW_SUB.url, status: "active", version: 1 });
  });

  it("binds the token to the session: another session's token is refused", async () => {
    const { portal } = setup();
    const a = await login(portal, "acme");
    const b = await login(portal, "acme");
    expect(a.csrf).not.toBe(b.csrf);
    const res = await a.call("POST", "subscriptions", NEW_SUB, { [CSRF_HEADER]: b.csrf });
    expect(res.status).toBe(403);
  });

  it("checks the Origin against configured origins behind a proxy", async () => {
    const { hookline } = setup();
    const portal = createPortal({
      ...hookline,
      linkSecret: "s".repeat(32),
      origins: ["https://app.example"],
    });
    const b = await login(portal, "acme");
    expect((await b.call("POST", "subscriptions", NEW_SUB)).status).toBe(403);
    expect((await b.call("POST", "subscriptions", NEW_SUB, { origin: "https://app.example" })).status).toBe(
      201,
    );
  });
});
