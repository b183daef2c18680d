/**
 * `createPortal()`: a web page where a tenant sees and manages its webhooks, served as a fetch handler
 * (`Request → Response`) at a path of the host's choosing, beside the API.
 *
 * ```ts
 * const portal = createPortal({ ...webhooks, linkSecret: process.env.PORTAL_SECRET!, ssrf… });
 * app.all("/portal/*", (req) => portal.fetch(req));
 * const url = portal.createLink("acme", { baseUrl: "https://api.example.com" }); // hand it to acme
 * ```
 */
import type { DeliveryService, EventCatalog, Logger, SubscriptionService } from "../contracts.ts";
import { HooklineError } from "../errors.ts";
import type { AuthHook } from "../router/auth.ts";
import { problemBody, problemDetails, problemFromError } from "../router/problem.ts";
import type { Store } from "../store/types.ts";
import { handleApi } from "./api.ts";
import { assetResponse, htmlResponse, invalidLinkPage, portalAssets, withSecurityHeaders } from "./assets.ts";
import { csrfProblem, isSafeMethod } from "./csrf.ts";
import { newSessionToken, resolveSession, sessionCookie } from "./session.ts";
import { portalKey, signToken, verifyToken } from "./token.ts";

/** Options of {@link createPortal}. */
export interface PortalOptions {
  subscriptions: SubscriptionService;
  deliveries: DeliveryService;
  catalog: EventCatalog;
  store: Store;
  /** Same hook as the API's `auth`: resolves a request to its tenant. Optional when only links are used. */
  auth?: AuthHook;
  /** Where the portal is mounted. Default `/portal`. */
  path?: string;
  /** Signs portal links and session cookies (HMAC-SHA256). At least 32 bytes; keep it secret. */
  linkSecret: string | Uint8Array;
  /** How long a session opened by a link lasts. Default 1 hour. */
  sessionTtlMs?: number;
  /**
   * Origins the portal is served from, for the CSRF origin check. Default: the origin of each request's URL
   * (set this when a proxy rewrites the host).
   */
  origins?: readonly string[];
  /** `Secure` session cookie. Default: when the request URL is `https:`. */
  secureCookie?: boolean;
  /** Largest JSON body accepted. Default 64 KiB. */
  bodyLimit?: number;
  now?: () => Date;
  /** Where unexpected errors are reported. Default: silent. */
  logger?: Logger;
}

/** Options of {@link Portal.createLink}. */
export interface PortalLinkOptions {
  /** Origin (and any prefix) the portal is reached at, e.g. `https://api.example.com`. */
  baseUrl: string | URL;
  /** How long the link may be opened. Default 15 minutes. */
  ttlMs?: number;
}

/** A portal: a fetch handler plus the link generator for the host's app. */
export interface Portal {
  /** The mount path, normalised (`/portal`). */
  readonly path: string;
  /** Whether a request URL (or path) belongs to the portal. */
  handles(url: string | URL): boolean;
  fetch(request: Request): Promise<Response>;
  /** A signed link that opens the portal for `tenant` (once exchanged, a session cookie takes over). */
  createLink(tenant: string, opts: PortalLinkOptions): string;
}

const MINUTE = 60_000;

function normalisePath(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  if (!trimmed.startsWith("/") || /[\s?#;,"\\]/.test(trimmed)) {
    throw new HooklineError("bad_request", `[hookline] [portal] invalid path ${JSON.stringify(path)}`);
  }
  return trimmed;
}

function problemResponse(status: number, detail: string): Response {
  return Response.json(problemBody(problemDetails(status, detail)), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

function errorResponse(err: unknown, logger: Logger | undefined): Response {
  const { problem, internal } = problemFromError(err);
  if (internal) logger?.error({ err }, "[hookline] [portal] request failed");
  return Response.json(problemBody(problem), {
    status: problem.status,
    headers: { "content-type": "application/problem+json" },
  });
}

/** Creates the portal. Throws `invalid_secret` when `linkSecret` is shorter than 32 bytes. */
export function createPortal(options: PortalOptions): Portal {
  const path = normalisePath(options.path ?? "/portal");
  const key = portalKey(options.linkSecret);
  const now = options.now ?? (() => new Date());
  const sessionTtlMs = options.sessionTtlMs ?? 60 * MINUTE;
  const fixedOrigins = options.origins ? new Set(options.origins) : null;
  const assets = portalAssets(path);
  const apiContext = {
    subscriptions: options.subscriptions,
    deliveries: options.deliveries,
    catalog: options.catalog,
    store: options.store,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    now,
  };

  function pathOf(url: string | URL): string {
    if (typeof url !== "string") return url.pathname;
    return url.startsWith("/") ? url.split(/[?#]/, 1)[0]! : new URL(url).pathname;
  }

  /** `GET <path>/link?token=…`: exchange a link for a session cookie, then leave the token out of the URL. */
  function exchangeLink(url: URL): Response {
    const token = url.searchParams.get("token") ?? "";
    const claims = verifyToken(key, "link", token, now().getTime());
    if (claims === null) return invalidLinkPage();
    const expiresAt = now().getTime() + sessionTtlMs;
    const cookie = sessionCookie(newSessionToken(key, claims.tenant, expiresAt), {
      path,
      maxAgeMs: sessionTtlMs,
      secure: secure(url),
    });
    return new Response(null, { status: 303, headers: { location: `${path}/`, "set-cookie": cookie } });
  }

  async function api(request: Request, url: URL, route: string): Promise<Response> {
    const session = await resolveSession(request, key, options.auth, now().getTime());
    if (session === null) return problemResponse(401, "No portal session: open a new portal link.");
    if (!isSafeMethod(request.method)) {
      const origins = fixedOrigins ?? new Set([url.origin]);
      const why = csrfProblem(request, session, origins);
      if (why !== null) return problemResponse(403, why);
    }
    if (route === "logout") {
      if (request.method !== "POST") return problemResponse(405, "Use POST.");
      const clear = sessionCookie("", { path, maxAgeMs: 0, secure: secure(url) });
      return new Response(null, { status: 204, headers: { "set-cookie": clear } });
    }
    return handleApi(apiContext, request, route, session);
  }

  function isOwn(pathname: string): boolean {
    return pathname === path || pathname.startsWith(`${path}/`);
  }

  function secure(url: URL): boolean {
    return options.secureCookie ?? url.protocol === "https:";
  }

  async function route(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (!isOwn(url.pathname)) return problemResponse(404, "Not found.");
    const rest = url.pathname.slice(path.length);
    if (rest.startsWith("/api/")) return api(request, url, rest.slice("/api/".length));
    if (request.method !== "GET" && request.method !== "HEAD") return problemResponse(405, "Use GET.");
    if (rest === "") return new Response(null, { status: 308, headers: { location: `${path}/` } });
    if (rest === "/") return htmlResponse(assets.html);
    if (rest === "/link") return exchangeLink(url);
    if (rest.startsWith("/assets/")) {
      const file = assets.files.get(rest.slice("/assets/".length));
      if (file) return assetResponse(file);
    }
    return problemResponse(404, "Not found.");
  }

  return {
    path,
    handles(url) {
      return isOwn(pathOf(url));
    },
    async fetch(request) {
      let response: Response;
      try {
        response = await route(request);
      } catch (err) {
        response = errorResponse(err, options.logger);
      }
      return withSecurityHeaders(response);
    },
    createLink(tenant, opts) {
      if (tenant === "")
        throw new HooklineError("bad_request", "[hookline] [portal] createLink() needs a tenant");
      const ttlMs = opts.ttlMs ?? 15 * MINUTE;
      const token = signToken(key, "link", tenant, now().getTime() + ttlMs);
      const base = String(opts.baseUrl).replace(/\/+$/, "");
      return `${base}${path}/link?token=${encodeURIComponent(token)}`;
    },
  };
}
