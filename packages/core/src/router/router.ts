/**
 * `createRouter()`: the subscription API as a fetch handler, `(Request) => Promise<Response>`.
 * match route (404 / 405 with `Allow`) → auth (401) → handler → codec. No framework import anywhere.
 * `HEAD` is served wherever `GET` is: the same status and headers (plus `content-length`), no body.
 */
import { HooklineError } from "../errors.ts";
import { DEFAULT_BODY_LIMIT } from "./body.ts";
import { defaultCodec } from "./codec-default.ts";
import type { Codec } from "./codec-types.ts";
import { createHandlers } from "./handlers.ts";
import { looksLikeIdSet } from "./idset.ts";
import { openApiDocument } from "./openapi.ts";
import type { RouterOptions } from "./options.ts";
import { compilePath, joinPath, splitPath } from "./path.ts";
import { type ProblemDetails, problemDetails, problemFromError } from "./problem.ts";
import { type ResolvedRoute, resolveRoutes, routeTarget } from "./routes.ts";

/** The methods a path allows: its routes' methods, plus `HEAD` wherever `GET` is. */
function allowed(methods: Iterable<string>): string {
  return [...new Set(methods)].flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])).join(", ");
}

/** A `HEAD` answer: the `GET` response's status and headers, its body only measured. */
async function withoutBody(res: Response): Promise<Response> {
  const headers = new Headers(res.headers);
  if (res.body !== null) headers.set("content-length", String((await res.arrayBuffer()).byteLength));
  return new Response(null, { status: res.status, statusText: res.statusText, headers });
}

function errorResponse(codec: Codec, p: ProblemDetails, headers: Record<string, string> = {}): Response {
  const { body, contentType } = codec.error(p);
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: { "content-type": contentType, ...headers },
  });
}

/**
 * Builds the fetch handler of the subscription API.
 *
 * @example
 * const fetch = createRouter({ auth: apiKeyAuth({ header: "x-api-token", resolve }), subscriptions, deliveries, catalog });
 * Bun.serve({ fetch });
 */
export function createRouter(options: RouterOptions): (request: Request) => Promise<Response> {
  const codec = options.codec ?? defaultCodec;
  const basePath = options.basePath ?? "";
  const routes = resolveRoutes(basePath, options.routes);
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1) {
    throw new HooklineError(
      "bad_request",
      `[hookline] bodyLimitBytes must be a positive integer, got ${bodyLimit}`,
    );
  }
  const maxAge = options.recoverMaxAgeMs;
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 1)) {
    throw new HooklineError(
      "bad_request",
      `[hookline] recoverMaxAgeMs must be a positive integer, got ${maxAge}`,
    );
  }
  const handlers = createHandlers(options, codec, bodyLimit, routes);
  const logger = options.logger ?? console;
  const openapi =
    options.openapi === false
      ? null
      : compilePath(joinPath(basePath, options.openapi?.path ?? "/openapi.json"));
  let openapiDoc: string | null = null;

  function select(candidates: { route: ResolvedRoute; params: Record<string, string> }[]) {
    const getMany = candidates.find((c) => c.route.name === "getMany");
    const get = candidates.find((c) => c.route.name === "get");
    if (getMany && get) {
      const value = routeTarget(getMany.route, getMany.params) ?? "";
      return looksLikeIdSet(value, codec.integerIds) ? getMany : get;
    }
    return candidates[0];
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const asked = request.method.toUpperCase();
    const method = asked === "HEAD" ? "GET" : asked;
    if (method === "GET" && openapi?.match(url.pathname)) {
      openapiDoc ??= JSON.stringify(openApiDocument(options));
      return new Response(openapiDoc, { headers: { "content-type": "application/json" } });
    }
    const parts = splitPath(url.pathname);
    const matched: { route: ResolvedRoute; params: Record<string, string> }[] = [];
    for (const route of routes) {
      const params = route.pattern.matchParts(parts);
      if (params) matched.push({ route, params });
    }
    if (matched.length === 0) {
      return errorResponse(codec, problemDetails(404, `no route for ${url.pathname.slice(0, 200)}`));
    }
    const forMethod = matched.filter((m) => m.route.method === method);
    if (forMethod.length === 0) {
      const allow = allowed(matched.map((m) => m.route.method));
      if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow } });
      return errorResponse(codec, problemDetails(405, `method ${asked.slice(0, 16)} not allowed`), {
        allow,
      });
    }
    const chosen = select(forMethod)!;
    const tenant = await options.auth(request, chosen.params);
    if (!tenant) {
      await request.body?.cancel().catch(() => {});
      return errorResponse(codec, problemDetails(401, "missing or invalid credentials"));
    }
    return handlers[chosen.route.name]({
      request,
      url,
      route: chosen.route,
      tenant,
      params: chosen.params,
      target: routeTarget(chosen.route, chosen.params),
    });
  }

  async function respond(request: Request): Promise<Response> {
    try {
      return await handle(request);
    } catch (err) {
      const { problem, internal } = problemFromError(err);
      if (internal)
        logger.error({ err, method: request.method, url: request.url }, "[hookline] router error");
      return errorResponse(codec, problem);
    }
  }

  return async (request) => {
    const res = await respond(request);
    return request.method.toUpperCase() === "HEAD" ? withoutBody(res) : res;
  };
}
