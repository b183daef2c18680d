/**
 * One handler per route. Each receives the authenticated tenant and the route's target, calls exactly one
 * service operation (plus a tenant-scoped existence check where the service takes a foreign id), and
 * renders the result with the codec.
 */

import type { ListDeliveriesInput, SubscriptionInput } from "../contracts.ts";
import { HooklineError, ValidationError } from "../errors.ts";
import type { DeliveryStatus, Subscription } from "../model/types.ts";
import { readJson } from "./body.ts";
import type { Codec, ListInfo } from "./codec-types.ts";
import { isPlausibleId, parseIdSet } from "./idset.ts";
import { DEFAULT_RECOVER_MAX_AGE_MS, type RouterOptions } from "./options.ts";
import { fillPath } from "./path.ts";
import { badRequest } from "./problem.ts";
import { enumQuery, pageQuery, parseWireTime, textQuery, timeQuery } from "./query.ts";
import { itemRoute, type ResolvedRoute, type RouteName } from "./routes.ts";

/** What a handler gets. */
export interface HandlerContext {
  request: Request;
  url: URL;
  route: ResolvedRoute;
  tenant: string;
  /** Every path parameter of the matched route. */
  params: Readonly<Record<string, string>>;
  /** Value of the route's last path parameter (subscription id, id set or delivery id). */
  target: string | undefined;
}

/** A route handler. */
export type Handler = (ctx: HandlerContext) => Promise<Response>;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Every delivery status, as the `status` filter of delivery lists accepts them. */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "delivering", "succeeded", "failed"];
const DAY_MS = 24 * 60 * 60 * 1000;

/** Builds every handler over the given services and codec; `routes` are the enabled routes (for `Location`). */
export function createHandlers(
  options: RouterOptions,
  codec: Codec,
  bodyLimit: number,
  routes: readonly ResolvedRoute[],
): Record<RouteName, Handler> {
  const { subscriptions, deliveries, catalog } = options;
  const recoverMaxAgeMs = options.recoverMaxAgeMs ?? DEFAULT_RECOVER_MAX_AGE_MS;
  const encode = (s: Subscription) => codec.encodeSubscription(s);
  const one = (status: number, s: Subscription, headers?: Record<string, string>) =>
    json(status, codec.one(encode(s)), headers);
  const located = codec.createStatus === 201 ? itemRoute(routes) : null;

  /**
   * `Location` of a new subscription: the item route filled from the create request's path parameters.
   * When the item path is the collection path plus the id (the usual shape) it is a relative reference
   * (`subscriptions/<id>`), which resolves correctly under any mount prefix an adapter stripped; otherwise
   * the router-absolute path.
   */
  function location(ctx: HandlerContext, id: string): Record<string, string> {
    if (located === null) return {};
    const last = located.pattern.params[located.pattern.params.length - 1]!;
    const path = fillPath(located.pattern.template, { ...ctx.params, [last]: id });
    if (path === null) return {};
    const collection = ctx.url.pathname.replace(/\/+$/, "");
    const child = path.startsWith(`${collection}/`) ? path.slice(collection.length + 1) : null;
    if (child === null || child.includes("/")) return { location: path };
    const segment = collection.slice(collection.lastIndexOf("/") + 1);
    // "./" keeps a first segment with a colon from reading as a URI scheme.
    return { location: `${segment.includes(":") ? "./" : ""}${segment}/${child}` };
  }

  /** Creates; a duplicate client-supplied id is a 409 conflict naming `id` (the service reports a 422). */
  async function create(tenant: string, input: SubscriptionInput): Promise<Subscription> {
    try {
      return await subscriptions.create(tenant, input);
    } catch (err) {
      if (!HooklineError.is(err, "conflict") || err.status === 409) throw err;
      throw new HooklineError("conflict", err.message, { status: 409, issues: err.issues, cause: err });
    }
  }

  async function body(ctx: HandlerContext): Promise<unknown> {
    const value = await readJson(ctx.request, bodyLimit);
    if (value === undefined && ctx.route.body === "required")
      throw badRequest("a JSON request body is required");
    return value;
  }

  /** Reads an optional action body whose members are `allowed` canonical keys (named by the codec). */
  async function actionBody(
    ctx: HandlerContext,
    allowed: readonly string[],
  ): Promise<Record<string, unknown>> {
    const value = await body(ctx);
    if (value === undefined) return {};
    if (!isRecord(value)) throw badRequest("request body must be a JSON object");
    const byWire = new Map(allowed.map((k) => [codec.key(k), k]));
    const out: Record<string, unknown> = {};
    const unknown: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const canonical = byWire.get(k);
      if (canonical === undefined) unknown.push(k);
      else out[canonical] = v;
    }
    if (unknown.length > 0 && codec.unknownFields === "reject") {
      throw badRequest(
        `unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`,
        unknown.map((field) => ({ field, message: "unknown field", code: "unknown_field" })),
      );
    }
    return out;
  }

  function id(ctx: HandlerContext): string {
    const value = ctx.target ?? "";
    if (!codec.isValidId(value)) throw badRequest(`invalid id "${value.slice(0, 64)}"`);
    return value;
  }

  function deliveryId(ctx: HandlerContext): string {
    const value = ctx.target ?? "";
    if (!isPlausibleId(value)) throw badRequest(`invalid delivery id "${value.slice(0, 64)}"`);
    return value;
  }

  function sinceIssue(field: string, message: string, code: string): HooklineError {
    return badRequest(`${field} ${message}`, [{ field, message, code }]);
  }

  /**
   * `since` of a recover request, from the body or the query (not both): required, a time in the codec's
   * format, not in the future and at most `recoverMaxAgeMs` back.
   */
  async function recoverSince(ctx: HandlerContext): Promise<Date> {
    const b = await actionBody(ctx, ["since"]);
    const inQuery = ctx.url.searchParams.get(codec.query.since);
    const inBody = b["since"];
    const field = inBody === undefined && inQuery !== null ? codec.query.since : codec.key("since");
    if (inBody !== undefined && inQuery !== null)
      throw sinceIssue(field, "must be given in the body or the query, not both", "ambiguous");
    const raw = inBody ?? inQuery;
    if (raw === undefined || raw === null) throw sinceIssue(field, "is required", "required");
    const since = parseWireTime(codec, raw);
    if (since === null) throw sinceIssue(field, "must be a time", "invalid_time");
    const now = Date.now();
    if (since.getTime() > now) throw sinceIssue(field, "must not be in the future", "out_of_range");
    if (now - since.getTime() > recoverMaxAgeMs) {
      const days = recoverMaxAgeMs / DAY_MS;
      const span = Number.isInteger(days) ? `${days} day${days === 1 ? "" : "s"}` : `${recoverMaxAgeMs} ms`;
      throw sinceIssue(field, `must be at most ${span} ago`, "out_of_range");
    }
    return since;
  }

  /** One page of deliveries. */
  async function deliveryPage(ctx: HandlerContext, query: ListDeliveriesInput): Promise<Response> {
    const result = await deliveries.list(ctx.tenant, query);
    return listResponse(
      ctx,
      result.items.map((d) => codec.encodeRecord(d)),
      { count: result.items.length, total: null, nextCursor: result.nextCursor },
    );
  }

  /** The filters of a delivery list (`status`, `eventType`, `since`, `limit`, `cursor`), validated. */
  function deliveryQuery(q: URLSearchParams): ListDeliveriesInput {
    return {
      ...pageQuery(q, codec),
      status: enumQuery(q, codec.query.status, DELIVERY_STATUSES),
      eventType: textQuery(q, codec.query.eventType),
      since: timeQuery(q, codec.query.since, codec),
    };
  }

  function listResponse(ctx: HandlerContext, items: unknown[], info: ListInfo): Response {
    const headers: Record<string, string> = {};
    if (info.nextCursor) {
      const next = new URL(ctx.url);
      next.searchParams.set(codec.query.cursor, info.nextCursor);
      headers["link"] = `<${next.pathname}${next.search}>; rel="next"`;
    }
    return json(200, codec.list(items, info), headers);
  }

  const list: Handler = async (ctx) => {
    const q = ctx.url.searchParams;
    const page = pageQuery(q, codec);
    const eventType = textQuery(q, codec.query.eventType);
    const status = enumQuery(q, codec.query.status, ["active", "paused", "disabled"] as const);
    const result = await subscriptions.list(ctx.tenant, { ...page, eventType, status });
    return listResponse(ctx, result.items.map(encode), {
      count: result.items.length,
      total: result.total,
      nextCursor: result.nextCursor,
    });
  };

  function assertNumber(value: unknown, field: string): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new ValidationError(`invalid ${codec.key(field)}`, [
        { field: codec.key(field), message: "must be a non-negative integer", code: "invalid_type" },
      ]);
    }
    return value;
  }

  function assertString(value: unknown, field: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "" || value.length > 1024) {
      throw new ValidationError(`invalid ${codec.key(field)}`, [
        { field: codec.key(field), message: "must be a non-empty string", code: "invalid_type" },
      ]);
    }
    return value;
  }

  return {
    create: async (ctx) => {
      const input = codec.decodeInput(await body(ctx), "create");
      const created = await create(ctx.tenant, input);
      return one(codec.createStatus, created, location(ctx, created.id));
    },
    list,
    get: async (ctx) => one(200, await subscriptions.get(ctx.tenant, id(ctx))),
    getMany: async (ctx) => {
      if (ctx.target === undefined) return list(ctx);
      const ids = parseIdSet(ctx.target, { integer: codec.integerIds, isValidId: codec.isValidId });
      const found = await subscriptions.getMany(ctx.tenant, ids);
      return listResponse(ctx, found.map(encode), {
        count: found.length,
        total: found.length,
        nextCursor: null,
      });
    },
    update: async (ctx) => {
      const target = id(ctx);
      const patch = codec.decodePatch(await body(ctx));
      return one(200, await subscriptions.update(ctx.tenant, target, patch));
    },
    replace: async (ctx) => {
      const target = id(ctx);
      const input = codec.decodeInput(await body(ctx), "replace");
      return one(200, await subscriptions.replace(ctx.tenant, target, input));
    },
    delete: async (ctx) => {
      const deleted = await subscriptions.delete(ctx.tenant, id(ctx));
      if (codec.deleteStatus === 204) return new Response(null, { status: 204 });
      return codec.deleteResponse === "subscription"
        ? one(200, deleted)
        : new Response(null, { status: 200 });
    },
    rotateSecret: async (ctx) => {
      const target = id(ctx);
      const b = await actionBody(ctx, ["secret", "graceMs"]);
      const secret = assertString(b["secret"], "secret");
      const graceMs = assertNumber(b["graceMs"], "graceMs");
      return one(200, await subscriptions.rotateSecret(ctx.tenant, target, { secret, graceMs }));
    },
    sendTest: async (ctx) => {
      const target = id(ctx);
      const b = await actionBody(ctx, ["eventType", "data"]);
      const type = assertString(b["eventType"], "eventType");
      await subscriptions.get(ctx.tenant, target);
      const result = await deliveries.sendTest(ctx.tenant, target, { type, data: b["data"] });
      return json(
        202,
        codec.one(
          codec.encodeRecord({
            messageId: result.message.id,
            eventType: result.message.type,
            deliveryIds: result.deliveries.map((d) => d.id),
          }),
        ),
      );
    },
    pause: async (ctx) => {
      const target = id(ctx);
      await actionBody(ctx, []);
      return one(200, await subscriptions.pause(ctx.tenant, target));
    },
    resume: async (ctx) => {
      const target = id(ctx);
      await actionBody(ctx, []);
      return one(200, await subscriptions.resume(ctx.tenant, target));
    },
    listDeliveries: async (ctx) => {
      const target = id(ctx);
      const query = deliveryQuery(ctx.url.searchParams);
      await subscriptions.get(ctx.tenant, target);
      return deliveryPage(ctx, { ...query, subscriptionId: target });
    },
    recover: async (ctx) => {
      const target = id(ctx);
      const since = await recoverSince(ctx);
      await subscriptions.get(ctx.tenant, target);
      const count = await deliveries.recover(ctx.tenant, { since, subscriptionId: target });
      return json(202, codec.one(codec.encodeRecord({ count })));
    },
    listAllDeliveries: async (ctx) => {
      const q = ctx.url.searchParams;
      const query = deliveryQuery(q);
      const subscriptionId = q.get(codec.query.subscriptionId);
      if (subscriptionId !== null && !codec.isValidId(subscriptionId)) {
        const field = codec.query.subscriptionId;
        throw badRequest(`invalid ${field}`, [{ field, message: "is not a valid id", code: "invalid" }]);
      }
      return deliveryPage(ctx, subscriptionId === null ? query : { ...query, subscriptionId });
    },
    recoverAll: async (ctx) => {
      const since = await recoverSince(ctx);
      const count = await deliveries.recover(ctx.tenant, { since });
      return json(202, codec.one(codec.encodeRecord({ count })));
    },
    listAttempts: async (ctx) => {
      const target = deliveryId(ctx);
      await deliveries.get(ctx.tenant, target);
      const attempts = await deliveries.attempts(ctx.tenant, target);
      return listResponse(
        ctx,
        attempts.map((a) => codec.encodeRecord(a)),
        { count: attempts.length, total: attempts.length, nextCursor: null },
      );
    },
    retryDelivery: async (ctx) => {
      const target = deliveryId(ctx);
      await actionBody(ctx, []);
      const delivery = await deliveries.retry(ctx.tenant, target);
      return json(202, codec.one(codec.encodeRecord(delivery)));
    },
    eventTypes: async (ctx) => {
      const types = catalog.list();
      return listResponse(
        ctx,
        types.map((t) => codec.encodeRecord(t)),
        { count: types.length, total: types.length, nextCursor: null },
      );
    },
  };
}
