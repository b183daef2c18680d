/**
 * The portal's JSON API (`<path>/api/…`), called by the portal UI. It calls the services directly, always
 * with the session's tenant: another tenant's ids are simply not found (404). Errors are problem+json.
 */
import type { DeliveryService, EventCatalog, SubscriptionService } from "../contracts.ts";
import { HooklineError, ValidationError } from "../errors.ts";
import type { DeliveryStatus, SubscriptionStatus } from "../model/types.ts";
import { readJson } from "../router/body.ts";
import type { Store } from "../store/types.ts";
import type { PortalSession } from "./session.ts";
import { hourlyChart } from "./stats.ts";
import { attemptView, subscriptionInput, subscriptionView } from "./views.ts";

/** What the API handlers work with. */
export interface PortalApiContext {
  subscriptions: SubscriptionService;
  deliveries: DeliveryService;
  catalog: EventCatalog;
  store: Store;
  bodyLimit: number;
  now: () => Date;
}

/** One API call: the request, its session and its query string. */
interface Call {
  request: Request;
  session: PortalSession;
  query: URLSearchParams;
  params: Record<string, string>;
}

type Handler = (ctx: PortalApiContext, call: Call) => Promise<Response>;

/** Largest page the portal serves. */
export const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PARAM_LENGTH = 512;
const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "delivering", "succeeded", "failed"];
const SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = ["active", "paused", "disabled"];

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`[hookline] [portal] invalid ${field}`, [{ field, message, code: "invalid" }]);
}

function param(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null || value === "") return undefined;
  if (value.length > MAX_PARAM_LENGTH) throw invalid(name, `must be at most ${MAX_PARAM_LENGTH} characters`);
  return value;
}

function oneOf<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = param(query, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw invalid(name, `must be one of ${allowed.join(", ")}`);
  return value as T;
}

/** Page size from `?limit=`, bounded to 1‥{@link MAX_PAGE_SIZE}. */
function pageSize(query: URLSearchParams): number {
  const raw = param(query, "limit");
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw invalid("limit", "must be a positive integer");
  return Math.min(n, MAX_PAGE_SIZE);
}

async function body(ctx: PortalApiContext, request: Request): Promise<Record<string, unknown>> {
  const value = await readJson(request, ctx.bodyLimit);
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("", "the body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

const subscription = async (ctx: PortalApiContext, tenant: string, id: string) =>
  subscriptionView(await ctx.subscriptions.get(tenant, id));

const routes: Record<string, Handler> = {
  "GET session": async (_ctx, { session }) =>
    json({ tenant: session.tenant, csrfToken: session.csrfToken, expiresAt: session.expiresAt }),

  "GET event-types": async (ctx) => json({ items: ctx.catalog.list() }),

  "GET subscriptions": async (ctx, { session, query }) => {
    const page = await ctx.subscriptions.list(session.tenant, {
      limit: pageSize(query),
      cursor: param(query, "cursor") ?? null,
      status: oneOf(query, "status", SUBSCRIPTION_STATUSES),
    });
    return json({ items: page.items.map(subscriptionView), nextCursor: page.nextCursor, total: page.total });
  },
  "POST subscriptions": async (ctx, { session, request }) => {
    const input = subscriptionInput(await body(ctx, request));
    const created = await ctx.subscriptions.create(session.tenant, {
      ...input,
      url: input.url ?? "",
      eventTypes: input.eventTypes ?? [],
    });
    return json({ subscription: subscriptionView(created), secret: created.secrets[0]?.value ?? null }, 201);
  },
  "GET subscriptions/:id": async (ctx, { session, params }) =>
    json(await subscription(ctx, session.tenant, params["id"]!)),
  "PATCH subscriptions/:id": async (ctx, { session, params, request }) => {
    const input = subscriptionInput(await body(ctx, request));
    return json(subscriptionView(await ctx.subscriptions.update(session.tenant, params["id"]!, input)));
  },
  "DELETE subscriptions/:id": async (ctx, { session, params }) => {
    await ctx.subscriptions.delete(session.tenant, params["id"]!);
    return new Response(null, { status: 204 });
  },
  "POST subscriptions/:id/pause": async (ctx, { session, params }) =>
    json(subscriptionView(await ctx.subscriptions.pause(session.tenant, params["id"]!))),
  "POST subscriptions/:id/resume": async (ctx, { session, params }) =>
    json(subscriptionView(await ctx.subscriptions.resume(session.tenant, params["id"]!))),
  "GET subscriptions/:id/secret": async (ctx, { session, params }) => {
    const sub = await ctx.subscriptions.get(session.tenant, params["id"]!);
    return json({ secret: sub.secrets[0]?.value ?? null });
  },
  "POST subscriptions/:id/rotate-secret": async (ctx, { session, params }) => {
    const sub = await ctx.subscriptions.rotateSecret(session.tenant, params["id"]!);
    return json({ subscription: subscriptionView(sub), secret: sub.secrets[0]?.value ?? null });
  },
  "POST subscriptions/:id/test": async (ctx, { session, params, request }) => {
    const { type } = await body(ctx, request);
    if (type !== undefined && typeof type !== "string") throw invalid("type", "must be a string");
    const result = await ctx.deliveries.sendTest(session.tenant, params["id"]!, type ? { type } : {});
    return json({ messageId: result.message.id, deliveryIds: result.deliveries.map((d) => d.id) }, 202);
  },

  "GET deliveries": async (ctx, { session, query }) =>
    json(
      await ctx.deliveries.list(session.tenant, {
        limit: pageSize(query),
        cursor: param(query, "cursor") ?? null,
        status: oneOf(query, "status", DELIVERY_STATUSES),
        eventType: param(query, "eventType"),
        subscriptionId: param(query, "subscriptionId"),
      }),
    ),
  "GET deliveries/:id": async (ctx, { session, params }) =>
    json(await ctx.deliveries.get(session.tenant, params["id"]!)),
  "GET deliveries/:id/attempts": async (ctx, { session, params }) =>
    json({ items: (await ctx.deliveries.attempts(session.tenant, params["id"]!)).map(attemptView) }),
  "POST deliveries/:id/retry": async (ctx, { session, params }) =>
    json(await ctx.deliveries.retry(session.tenant, params["id"]!)),
  "POST deliveries/recover": async (ctx, { session, request }) => {
    const { since } = await body(ctx, request);
    const at = typeof since === "string" ? new Date(since) : null;
    if (at === null || Number.isNaN(at.getTime()) || at.getTime() > ctx.now().getTime()) {
      throw invalid("since", "must be an ISO 8601 date-time in the past");
    }
    return json({ count: await ctx.deliveries.recover(session.tenant, { since: at }) });
  },

  "GET stats/hourly": async (ctx, { session }) =>
    json(await hourlyChart(ctx.store, session.tenant, ctx.now())),
};

/** Route table compiled to `{ method, segments }` for matching. */
const table = Object.entries(routes).map(([key, handler]) => {
  const [method, pattern] = key.split(" ") as [string, string];
  return { method, segments: pattern.split("/"), handler };
});

function match(segments: readonly string[], pattern: readonly string[]): Record<string, string> | null {
  if (segments.length !== pattern.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith(":")) {
      if (s === "") return null;
      params[p.slice(1)] = s;
    } else if (p !== s) return null;
  }
  return params;
}

/**
 * Dispatches `route` (the path under `<path>/api/`, e.g. `subscriptions/abc/pause`). Throws a `HooklineError`
 * (404, 405) when nothing matches; handlers throw the services' errors.
 */
export async function handleApi(
  ctx: PortalApiContext,
  request: Request,
  route: string,
  session: PortalSession,
): Promise<Response> {
  let segments: string[];
  try {
    segments = route.split("/").map(decodeURIComponent);
  } catch {
    throw new HooklineError("bad_request", "[hookline] [portal] malformed path");
  }
  let pathMatched = false;
  for (const entry of table) {
    const params = match(segments, entry.segments);
    if (params === null) continue;
    pathMatched = true;
    if (entry.method !== request.method) continue;
    return entry.handler(ctx, { request, session, params, query: new URL(request.url).searchParams });
  }
  if (pathMatched) throw new HooklineError("method_not_allowed", "[hookline] [portal] method not allowed");
  throw new HooklineError("not_found", "[hookline] [portal] no such API route");
}
