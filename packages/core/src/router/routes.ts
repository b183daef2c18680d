/**
 * The routes of the subscription API: names, methods and default paths. Every path can be overridden and
 * every route disabled (`routes: { get: false, list: "/webhook" }`).
 *
 * Convention: the LAST parameter of a route's path names what the route acts on (the subscription, its id
 * set, or the delivery); earlier parameters are free for the auth hook (`/brands/:id/webhooks/:wid`).
 */
import { compilePath, joinPath, type PathPattern } from "./path.ts";

/** HTTP methods the router serves. */
export type RouteMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Names of the configurable routes. */
export type RouteName =
  | "create"
  | "list"
  | "get"
  | "getMany"
  | "update"
  | "replace"
  | "delete"
  | "rotateSecret"
  | "sendTest"
  | "pause"
  | "resume"
  | "listDeliveries"
  | "listAttempts"
  | "retryDelivery"
  | "recover"
  | "listAllDeliveries"
  | "recoverAll"
  | "eventTypes";

/** What the last path parameter names. */
export type RouteTarget = "none" | "subscription" | "idSet" | "delivery";

/** A route's fixed traits and default path. */
export interface RouteDefinition {
  method: RouteMethod;
  path: string;
  target: RouteTarget;
  /** `required`: a JSON body must be sent; `optional`: may be; `none`: never read. */
  body: "none" | "optional" | "required";
  summary: string;
}

/** The default shape of the API. */
export const DEFAULT_ROUTES: Readonly<Record<RouteName, RouteDefinition>> = {
  create: {
    method: "POST",
    path: "/subscriptions",
    target: "none",
    body: "required",
    summary: "Create a subscription",
  },
  list: {
    method: "GET",
    path: "/subscriptions",
    target: "none",
    body: "none",
    summary: "List subscriptions",
  },
  get: {
    method: "GET",
    path: "/subscriptions/:id",
    target: "subscription",
    body: "none",
    summary: "Get a subscription",
  },
  getMany: {
    method: "GET",
    path: "/subscriptions/:ids",
    target: "idSet",
    body: "none",
    summary: "Get subscriptions by id set (`2,4`, `1-3`)",
  },
  update: {
    method: "PATCH",
    path: "/subscriptions/:id",
    target: "subscription",
    body: "required",
    summary: "Update a subscription (only the given fields)",
  },
  replace: {
    method: "PUT",
    path: "/subscriptions/:id",
    target: "subscription",
    body: "required",
    summary: "Replace a subscription",
  },
  delete: {
    method: "DELETE",
    path: "/subscriptions/:id",
    target: "subscription",
    body: "none",
    summary: "Delete a subscription",
  },
  rotateSecret: {
    method: "POST",
    path: "/subscriptions/:id/rotate-secret",
    target: "subscription",
    body: "optional",
    summary: "Rotate the signing secret (the previous one stays valid for a grace period)",
  },
  sendTest: {
    method: "POST",
    path: "/subscriptions/:id/test",
    target: "subscription",
    body: "optional",
    summary: "Send a test event",
  },
  pause: {
    method: "POST",
    path: "/subscriptions/:id/pause",
    target: "subscription",
    body: "optional",
    summary: "Pause deliveries",
  },
  resume: {
    method: "POST",
    path: "/subscriptions/:id/resume",
    target: "subscription",
    body: "optional",
    summary: "Resume a paused subscription or re-enable a disabled one",
  },
  listDeliveries: {
    method: "GET",
    path: "/subscriptions/:id/deliveries",
    target: "subscription",
    body: "none",
    summary: "List a subscription's deliveries",
  },
  recover: {
    method: "POST",
    path: "/subscriptions/:id/recover",
    target: "subscription",
    body: "optional",
    summary: "Re-send the subscription's failed deliveries since a time (`since` in the body or the query)",
  },
  listAttempts: {
    method: "GET",
    path: "/deliveries/:id/attempts",
    target: "delivery",
    body: "none",
    summary: "List a delivery's attempts",
  },
  retryDelivery: {
    method: "POST",
    path: "/deliveries/:id/retry",
    target: "delivery",
    body: "optional",
    summary: "Retry one delivery now",
  },
  listAllDeliveries: {
    method: "GET",
    path: "/deliveries",
    target: "none",
    body: "none",
    summary: "List the tenant's deliveries",
  },
  recoverAll: {
    method: "POST",
    path: "/deliveries/recover",
    target: "none",
    body: "optional",
    summary: "Re-send every failed delivery of the tenant since a time (`since` in the body or the query)",
  },
  eventTypes: {
    method: "GET",
    path: "/event-types",
    target: "none",
    body: "none",
    summary: "List the event catalog",
  },
};

/** Override of one route: a new path, `false` to disable, or both as an object. */
export type RouteOverride = string | false | { path?: string; enabled?: boolean };

/** Per-route overrides. */
export type RoutesOptions = Partial<Record<RouteName, RouteOverride>>;

/** A route as served: full path (with the base path) and compiled pattern. */
export interface ResolvedRoute extends RouteDefinition {
  name: RouteName;
  pattern: PathPattern;
}

/** The enabled routes, in matching order. */
export function resolveRoutes(basePath: string, overrides: RoutesOptions = {}): ResolvedRoute[] {
  const out: ResolvedRoute[] = [];
  for (const [name, def] of Object.entries(DEFAULT_ROUTES) as [RouteName, RouteDefinition][]) {
    const o = overrides[name];
    if (o === false || (typeof o === "object" && o.enabled === false)) continue;
    const path = typeof o === "string" ? o : (o?.path ?? def.path);
    const pattern = compilePath(joinPath(basePath, path));
    if (def.target !== "none" && pattern.params.length === 0) {
      throw new Error(`[hookline] route "${name}" needs a path parameter for its ${def.target}: ${path}`);
    }
    out.push({ ...def, name, path, pattern });
  }
  return out;
}

/**
 * The route a single subscription lives at, for `Location` on create: `get`, else the id-set route
 * (one id is a valid set); `null` when both are disabled.
 */
export function itemRoute(routes: readonly ResolvedRoute[]): ResolvedRoute | null {
  return routes.find((r) => r.name === "get") ?? routes.find((r) => r.name === "getMany") ?? null;
}

/** The last path parameter's value: what the route acts on. */
export function routeTarget(route: ResolvedRoute, params: Record<string, string>): string | undefined {
  const last = route.pattern.params[route.pattern.params.length - 1];
  return last === undefined ? undefined : params[last];
}

/** Options of {@link resourceRoutes}. */
export interface ResourceRoutesOptions {
  /** Collection path of subscriptions, e.g. `/webhooks` or `/brands/:id/webhooks`. Default `/subscriptions`. */
  subscriptions?: string;
  /** Name of the subscription id parameter (must differ from earlier parameters). Default `id`. */
  subscriptionParam?: string;
  /** Collection path of deliveries. Default `/deliveries`. */
  deliveries?: string;
  /** Name of the delivery id parameter. Default `id`. */
  deliveryParam?: string;
  /** Path of the event catalog. Default `/event-types`. */
  eventTypes?: string;
}

/**
 * Every route's path with the collections renamed, so an API shaped like `/brands/:id/webhooks/:wid` needs
 * one call instead of eighteen overrides. Spread it into `routes` and override single routes after it.
 *
 * @example routes: { ...resourceRoutes({ subscriptions: "/brands/:id/webhooks", subscriptionParam: "wid" }), replace: false }
 */
export function resourceRoutes(o: ResourceRoutesOptions): Record<RouteName, string> {
  const rename = (path: string, from: string, to: string, param: string) =>
    to + path.slice(from.length).replace(/^\/:id(?=\/|$)/, `/:${param}`);
  const out = {} as Record<RouteName, string>;
  for (const [name, def] of Object.entries(DEFAULT_ROUTES) as [RouteName, RouteDefinition][]) {
    const { path } = def;
    if (path.startsWith("/subscriptions")) {
      out[name] = rename(
        path,
        "/subscriptions",
        o.subscriptions ?? "/subscriptions",
        o.subscriptionParam ?? "id",
      );
      if (name === "getMany") out[name] = out[name].replace(/:[^/]+$/, `:${o.subscriptionParam ?? "id"}`);
    } else if (path.startsWith("/deliveries")) {
      out[name] = rename(path, "/deliveries", o.deliveries ?? "/deliveries", o.deliveryParam ?? "id");
    } else out[name] = o.eventTypes ?? path;
  }
  return out;
}
