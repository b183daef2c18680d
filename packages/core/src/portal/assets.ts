/**
 * The portal's front end as HTTP responses: one HTML page, one script and one stylesheet (bundled at build time
 * into `ui.generated.ts`), with a strict Content-Security-Policy. Asset names carry a content hash, so they are
 * cached for a year; the page itself is never cached.
 */
import { createHash } from "node:crypto";
import { UI_CSS, UI_HTML, UI_JS } from "./ui.generated.ts";

/** The Content-Security-Policy of every portal response: nothing but the portal's own script, style and API. */
export const PORTAL_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Adds the headers every portal response carries. */
export function withSecurityHeaders(response: Response): Response {
  const h = response.headers;
  h.set("x-content-type-options", "nosniff");
  h.set("referrer-policy", "no-referrer");
  h.set("x-frame-options", "DENY");
  h.set("cross-origin-opener-policy", "same-origin");
  h.set("cross-origin-resource-policy", "same-origin");
  if (!h.has("content-security-policy")) h.set("content-security-policy", PORTAL_CSP);
  if (!h.has("cache-control")) h.set("cache-control", "no-store");
  return response;
}

function escapeAttr(text: string): string {
  return text.replace(/[&"'<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function hashed(body: string, ext: string): { name: string; body: string } {
  return { name: `app.${createHash("sha256").update(body).digest("hex").slice(0, 16)}.${ext}`, body };
}

/** The page, script and stylesheet of a portal mounted at `path`. */
export interface PortalAssets {
  html: string;
  /** Asset file name (under `<path>/assets/`) → response. */
  files: ReadonlyMap<string, { body: string; contentType: string }>;
}

/** Builds the assets of a portal mounted at `path`. */
export function portalAssets(path: string): PortalAssets {
  const js = hashed(UI_JS, "js");
  const css = hashed(UI_CSS, "css");
  const html = UI_HTML.replaceAll("{{base}}", escapeAttr(path))
    .replaceAll("{{js}}", escapeAttr(`${path}/assets/${js.name}`))
    .replaceAll("{{css}}", escapeAttr(`${path}/assets/${css.name}`));
  return {
    html,
    files: new Map([
      [js.name, { body: js.body, contentType: "text/javascript; charset=utf-8" }],
      [css.name, { body: css.body, contentType: "text/css; charset=utf-8" }],
    ]),
  };
}

/** The page. */
export function htmlResponse(html: string, status = 200): Response {
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8" } });
}

/** A hashed asset, cached for a year. */
export function assetResponse(file: { body: string; contentType: string }): Response {
  return new Response(file.body, {
    headers: { "content-type": file.contentType, "cache-control": "public, max-age=31536000, immutable" },
  });
}

/** The page shown for a forged, tampered or expired portal link (401). */
export function invalidLinkPage(): Response {
  return htmlResponse(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link expired</title></head>' +
      "<body><main><h1>This portal link is invalid or has expired</h1>" +
      "<p>Ask for a new link from the application that sent you here.</p></main></body></html>",
    401,
  );
}
