import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createPortal } from "./portal.ts";
import { browser, login, ORIGIN, setup } from "./test-support.ts";
import { UI_SOURCE_HASH } from "./ui.generated.ts";
import { uiSourceHash } from "./ui-source-hash.ts";

const MINUTE = 60_000;

describe("portal links and sessions", () => {
  it("exchanges a link for an HttpOnly, SameSite=Strict, path-scoped cookie and drops the token from the URL", async () => {
    const { portal } = setup();
    const res = await portal.fetch(new Request(portal.createLink("acme", { baseUrl: ORIGIN })));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/portal/");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^hookline_portal=[^;]+; Path=\/portal; Max-Age=3600; HttpOnly; SameSite=Strict$/);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const session = await portal.fetch(
      new Request(`${ORIGIN}/portal/api/session`, { headers: { cookie: cookie.split(";")[0]! } }),
    );
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ tenant: "acme", csrfToken: expect.any(String) });
  });

  it("sets Secure on the cookie over https", async () => {
    const { portal } = setup();
    const res = await portal.fetch(new Request(portal.createLink("acme", { baseUrl: "https://x.test" })));
    expect(res.headers.get("set-cookie")).toContain("; Secure");
  });

  it("answers 401 to a forged, tampered or expired link, and sets no cookie", async () => {
    const { portal, clock } = setup();
    const link = new URL(portal.createLink("acme", { baseUrl: ORIGIN, ttlMs: 5 * MINUTE }));
    const token = link.searchParams.get("token")!;
    const forged = `${ORIGIN}/portal/link?token=${encodeURIComponent(`${token.split(".")[0]}.AAAA`)}`;
    const tampered = `${ORIGIN}/portal/link?token=${encodeURIComponent(`x${token}`)}`;
    for (const url of [forged, tampered, `${ORIGIN}/portal/link`, `${ORIGIN}/portal/link?token=`]) {
      const res = await portal.fetch(new Request(url));
      expect(res.status, url).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    expect((await portal.fetch(new Request(link))).status).toBe(303);
    clock.advance(5 * MINUTE);
    expect((await portal.fetch(new Request(link))).status).toBe(401);
  });

  it("answers 401 to a forged or expired session cookie, and to no session at all", async () => {
    const { portal, clock } = setup();
    const b = await login(portal, "acme");
    expect((await b.call("GET", "subscriptions")).status).toBe(200);
    const value = b.cookie.split("=")[1]!;
    const at = value.length - 5;
    const forgedValue = value.slice(0, at) + (value[at] === "A" ? "B" : "A") + value.slice(at + 1);
    const forged = browser(portal, `hookline_portal=${forgedValue}`, b.csrf);
    expect((await forged.call("GET", "subscriptions")).status).toBe(401);
    const linkAsCookie = new URL(portal.createLink("acme", { baseUrl: ORIGIN })).searchParams.get("token")!;
    expect((await browser(portal, `hookline_portal=${linkAsCookie}`, "").call("GET", "session")).status).toBe(
      401,
    );
    expect((await portal.fetch(new Request(`${ORIGIN}/portal/api/session`))).status).toBe(401);
    clock.advance(60 * MINUTE);
    const expired = await b.call("GET", "subscriptions");
    expect(expired.status).toBe(401);
    expect(expired.headers.get("content-type")).toBe("application/problem+json");
  });

  it("accepts the API's auth hook instead of a link", async () => {
    const { portal } = setup({ auth: (req) => req.headers.get("x-tenant") });
    const res = await portal.fetch(
      new Request(`${ORIGIN}/portal/api/session`, { headers: { "x-tenant": "acme" } }),
    );
    expect(await res.json()).toMatchObject({ tenant: "acme", expiresAt: null });
    expect((await portal.fetch(new Request(`${ORIGIN}/portal/api/session`))).status).toBe(401);
  });

  it("signs links and cookies with the secret: a portal with another secret rejects them", async () => {
    const { portal } = setup();
    const { hookline } = setup();
    const stranger = createPortal({ ...hookline, linkSecret: "another-secret-0123456789abcdefgh" });
    expect((await stranger.fetch(new Request(portal.createLink("acme", { baseUrl: ORIGIN })))).status).toBe(
      401,
    );
  });
});

describe("portal API input", () => {
  it("answers bad input with problem+json 4xx, never 500", async () => {
    const { portal } = setup();
    const b = await login(portal, "acme");
    const big = {
      url: "https://example.com/hook",
      eventTypes: ["invoice.paid"],
      description: "x".repeat(70_000),
    };
    const cases: [Promise<Response>, number][] = [
      [b.call("POST", "subscriptions", big), 413],
      [b.call("POST", "subscriptions", undefined, { "content-type": "application/json" }), 422],
      [b.call("POST", "subscriptions", { url: "not a url", eventTypes: ["invoice.paid"] }), 422],
      [b.call("POST", "subscriptions", { url: "https://example.com/h", eventTypes: ["nope.unknown"] }), 422],
      [b.call("POST", "subscriptions", [1, 2]), 422],
      [b.call("POST", "deliveries/recover", { since: "yesterday" }), 422],
      [b.call("GET", "no-such-route"), 404],
      [b.call("PUT", "subscriptions"), 405],
      [b.call("GET", "subscriptions/%E0%A4%A"), 400],
    ];
    for (const [pending, status] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    const raw = await portal.fetch(
      new Request(`${ORIGIN}/portal/api/subscriptions`, {
        method: "POST",
        headers: {
          cookie: b.cookie,
          origin: ORIGIN,
          "x-hookline-csrf": b.csrf,
          "content-type": "application/json",
        },
        body: "{not json",
      }),
    );
    expect(raw.status).toBe(400);
  });
});

describe("portal page and assets", () => {
  it("serves the page with a strict CSP, nosniff and no caching, and hashed assets cached for a year", async () => {
    const { portal } = setup();
    const page = await portal.fetch(new Request(`${ORIGIN}/portal/`));
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'; script-src 'self'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    const js = /src="(\/portal\/assets\/app\.[0-9a-f]{16}\.js)"/.exec(html)?.[1];
    const css = /href="(\/portal\/assets\/app\.[0-9a-f]{16}\.css)"/.exec(html)?.[1];
    expect(js).toBeDefined();
    expect(css).toBeDefined();
    const script = await portal.fetch(new Request(`${ORIGIN}${js}`));
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(script.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await portal.fetch(new Request(`${ORIGIN}${css}`))).headers.get("content-type")).toBe(
      "text/css; charset=utf-8",
    );
    expect((await portal.fetch(new Request(`${ORIGIN}/portal/assets/app.0.js`))).status).toBe(404);
    expect((await portal.fetch(new Request(`${ORIGIN}/portal`))).headers.get("location")).toBe("/portal/");
  });

  it("knows which URLs are its own", () => {
    const { portal } = setup();
    expect(portal.handles(`${ORIGIN}/portal`)).toBe(true);
    expect(portal.handles("/portal/api/session?x=1")).toBe(true);
    expect(portal.handles(new URL(`${ORIGIN}/portal/`))).toBe(true);
    expect(portal.handles(`${ORIGIN}/portals`)).toBe(false);
    expect(portal.handles("/webhooks")).toBe(false);
  });

  it("answers 404 to a URL outside its path, and clears the cookie on logout", async () => {
    const { portal } = setup();
    expect((await portal.fetch(new Request(`${ORIGIN}/x`))).status).toBe(404);
    const b = await login(portal, "acme");
    const out = await b.call("POST", "logout");
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^hookline_portal=; Path=\/portal; Max-Age=0; HttpOnly/);
  });

  it("bundle is up to date with its sources (run `pnpm --filter @hookline/core build:portal`)", async () => {
    const packageDir = fileURLToPath(new URL("../../", import.meta.url));
    expect(
      UI_SOURCE_HASH,
      "src/portal/ui.generated.ts is stale: run pnpm --filter @hookline/core build:portal",
    ).toBe(await uiSourceHash(packageDir));
  });
});
