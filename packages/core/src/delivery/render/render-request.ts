/**
 * The default {@link Renderer}: one subscription + one message (or an id set of messages) → the request.
 *
 * Placeholders (in the URL template and the body template):
 * `${account-code}` / `${tenant}` (the tenant), `${resource-type}` and `${lifecycle-event}` (the event type
 * split at its last `.`, `:` or `/`: `product.deleted` → `product` / `deleted`), `${resource-id}` (the
 * message's `resourceId`; for an id set the comma-joined ids), `${event-type}`, `${message-id}` (comma-joined
 * for an id set), `${timestamp}` (ISO 8601), `${full-event}` (the configured envelope as JSON; an array of
 * envelopes for an id set), `${data}` / `${data.path.to.field}` (from the first message's payload), plus the
 * variables of {@link RenderContext.variables}, which take precedence.
 *
 * The URL template may use placeholders only in its path and query: a rendered URL whose origin differs from
 * the template's literal origin, or with a `.`/`..` path segment (also `%2e`) made by a placeholder, is a
 * {@link RenderError} (such a segment is refused, not encoded: WHATWG URL resolves `%2e` like `.`).
 *
 * The body is the body template when there is one, else the envelope as JSON (an array of envelopes for an id
 * set). Body template values are JSON-escaped for JSON content types, form-encoded (`encodeURIComponent`) for
 * `application/x-www-form-urlencoded`, and inserted verbatim otherwise. GET requests carry no body and no `content-type`. Custom subscription headers are sent lower-cased;
 * `content-type` always comes from the subscription.
 */
import type { JsonValue, Message, Subscription } from "../../model/types.ts";
import { isDotSegment, rawPathSegments, templateLiteralOrigin } from "../../model/url-template.ts";
import { isSendableHeaderValue } from "../../model/validate.ts";
import type { OutgoingRequest, RenderContext, Renderer } from "../types.ts";
import { expandTemplate, RenderError, type TemplateContext, type TemplateValue } from "./template.ts";

const SEPARATORS = [".", ":", "/"];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Splits an event type into resource type and lifecycle event at its last separator. */
export function splitEventType(type: string): { resourceType: string; lifecycleEvent: string } {
  const at = Math.max(...SEPARATORS.map((s) => type.lastIndexOf(s)));
  return at <= 0
    ? { resourceType: type, lifecycleEvent: "" }
    : { resourceType: type.slice(0, at), lifecycleEvent: type.slice(at + 1) };
}

/** Whether a content type is JSON (`application/json`, `application/*+json`, with parameters). */
export function isJsonContentType(contentType: string): boolean {
  return /^[a-z]+\/(?:[\w.-]+\+)?json\b/i.test(contentType.trim());
}

/** Whether a content type is `application/x-www-form-urlencoded` (with parameters). */
export function isFormContentType(contentType: string): boolean {
  return /^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(contentType.trim());
}

function bodyContext(contentType: string): TemplateContext {
  if (isJsonContentType(contentType)) return "json";
  return isFormContentType(contentType) ? "form" : "text";
}

/**
 * Refuses a rendered URL that event data moved: another origin than the template's literal one (`href` is
 * normalised, so it starts with `origin/` exactly when the origin matches), or a dot segment a placeholder made.
 */
function checkRenderedUrl(template: string, url: string, href: string, subscriptionId: string): void {
  const origin = templateLiteralOrigin(template);
  if (origin === null || !href.startsWith(`${origin}/`)) {
    throw new RenderError(
      `[hookline] subscription ${subscriptionId} renders a URL outside the template's origin ${origin ?? "(placeholders in the host)"}: ${url}`,
    );
  }
  const templateSegments = rawPathSegments(template);
  rawPathSegments(url).forEach((segment, i) => {
    if (isDotSegment(segment) && templateSegments[i] !== segment) {
      throw new RenderError(
        `[hookline] subscription ${subscriptionId} renders a "${segment}" path segment from event data: ${url}`,
      );
    }
  });
}

function dataAt(data: JsonValue, path: string[]): JsonValue | undefined {
  let node: JsonValue | undefined = data;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = Array.isArray(node) ? (/^\d+$/.test(key) ? node[Number(key)] : undefined) : node[key];
  }
  return node;
}

function resolver(
  subscription: Subscription,
  messages: readonly [Message, ...Message[]],
  ctx: RenderContext,
): (name: string) => TemplateValue | undefined {
  const first = messages[0];
  let custom: Record<string, string> | undefined;
  return (name) => {
    custom ??= ctx.variables?.(first, subscription) ?? {};
    if (Object.hasOwn(custom, name)) return custom[name];
    switch (name) {
      case "account-code":
      case "tenant":
        return first.tenant;
      case "resource-type":
        return splitEventType(first.type).resourceType;
      case "lifecycle-event":
        return splitEventType(first.type).lifecycleEvent;
      case "event-type":
        return first.type;
      case "message-id":
        return messages.map((m) => m.id);
      case "timestamp":
        return first.timestamp.toISOString();
      case "resource-id":
        return messages.map((m) => {
          if (m.resourceId === null) {
            throw new RenderError(
              `[hookline] \${resource-id} is used by subscription ${subscription.id} but message ${m.id} has no resourceId`,
            );
          }
          return m.resourceId;
        });
      case "full-event":
        return {
          json: (messages.length === 1
            ? ctx.envelope(first)
            : messages.map((m) => ctx.envelope(m))) as JsonValue,
        };
    }
    if (name === "data" || name.startsWith("data.")) {
      const value = dataAt(first.data, name === "data" ? [] : name.slice(5).split("."));
      if (value === undefined) {
        throw new RenderError(`[hookline] \${${name}} not found in the payload of message ${first.id}`);
      }
      return { json: value };
    }
    return undefined;
  };
}

function renderHeaders(subscription: Subscription, withBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(subscription.headers)) {
    if (!HEADER_NAME.test(name) || !isSendableHeaderValue(value)) {
      throw new RenderError(`[hookline] invalid custom header "${name}" on subscription ${subscription.id}`);
    }
    const lower = name.toLowerCase();
    if (lower !== "content-type" && lower !== "content-length" && lower !== "host") headers[lower] = value;
  }
  if (withBody) headers["content-type"] = subscription.contentType || "application/json";
  return headers;
}

/** Rendered URL → its normalised `href`, for URLs already checked (most subscriptions render one URL). */
const hrefs = new Map<string, string>();
const HREF_CACHE_LIMIT = 512;

/** URL templates without placeholders that passed {@link checkRenderedUrl}. */
const checkedFixedUrls = new Set<string>();

/** The normalised `href` of a rendered URL; throws a {@link RenderError} unless it is a valid http(s) URL. */
function httpHref(url: string, subscriptionId: string): string {
  const cached = hrefs.get(url);
  if (cached !== undefined) return cached;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RenderError(`[hookline] subscription ${subscriptionId} renders an invalid URL: ${url}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new RenderError(`[hookline] subscription ${subscriptionId} renders a non-HTTP URL: ${url}`);
  }
  if (hrefs.size >= HREF_CACHE_LIMIT) hrefs.clear();
  hrefs.set(url, parsed.href);
  return parsed.href;
}

/** The resolver of a request with no template to expand (never called). */
const noPlaceholders = (): undefined => undefined;

/** The default renderer (see the module comment for placeholders and body rules). */
export const renderRequest: Renderer = (subscription, messages, ctx): OutgoingRequest => {
  // Most subscriptions have a plain URL and no body template: then nothing needs resolving.
  const templated = subscription.url.includes("${");
  const resolve =
    templated || subscription.bodyTemplate !== null ? resolver(subscription, messages, ctx) : noPlaceholders;
  const url = templated
    ? expandTemplate(subscription.url, "uri", resolve, `the URL of subscription ${subscription.id}`)
    : subscription.url;
  const href = httpHref(url, subscription.id);
  // A URL without placeholders renders as itself: its check depends on nothing else, so it passes once.
  const fixed = url === subscription.url;
  if (!fixed || !checkedFixedUrls.has(url)) {
    checkRenderedUrl(subscription.url, url, href, subscription.id);
    if (fixed) {
      if (checkedFixedUrls.size >= HREF_CACHE_LIMIT) checkedFixedUrls.clear();
      checkedFixedUrls.add(url);
    }
  }
  const withBody = subscription.method !== "GET";
  let body: Uint8Array | null = null;
  if (withBody) {
    const contentType = subscription.contentType || "application/json";
    const text =
      subscription.bodyTemplate !== null
        ? expandTemplate(
            subscription.bodyTemplate,
            bodyContext(contentType),
            resolve,
            `the body template of subscription ${subscription.id}`,
          )
        : JSON.stringify(
            messages.length === 1 ? ctx.envelope(messages[0]) : messages.map((m) => ctx.envelope(m)),
          );
    // A Buffer (a Uint8Array) from Node's pool: no ArrayBuffer of its own per request, and undici sends a
    // Buffer as it is.
    body = Buffer.from(text, "utf8");
  }
  return {
    url: href,
    method: subscription.method,
    headers: renderHeaders(subscription, withBody),
    body,
  };
};
