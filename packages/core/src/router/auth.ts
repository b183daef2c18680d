/**
 * Auth hooks: resolve the caller of a request to a tenant, or `null` (401). Each helper covers one seed:
 * an API-token header (`x-api-token`, seed 003), a bearer token (seed 000), a path parameter
 * (`/brands/:id/webhooks`, seed 001), a query parameter (`?businessId=`, seed 000). Combine them with
 * {@link allAuth} (every hook must agree) or {@link anyAuth} (the first that resolves).
 */

/** A value that may be awaited. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Resolves a request to its tenant. `params` are the matched route's path parameters.
 * Return `null` (or `undefined`, or `""`) when the caller is not authenticated.
 */
export type AuthHook = (
  request: Request,
  params: Readonly<Record<string, string>>,
) => MaybePromise<string | null | undefined>;

/** Maps a credential (token, key, path or query value) to a tenant. */
export type CredentialResolver = (value: string, request: Request) => MaybePromise<string | null | undefined>;

/** Options of {@link apiKeyAuth}. */
export interface ApiKeyAuthOptions {
  /** Header carrying the key. Default `x-api-key`. */
  header?: string;
  resolve: CredentialResolver;
}

/** Tenant from an API key header (seed 003: `apiKeyAuth({ header: "x-api-token", resolve })`). */
export function apiKeyAuth(options: ApiKeyAuthOptions): AuthHook {
  const header = options.header ?? "x-api-key";
  return (request) => {
    const value = request.headers.get(header)?.trim();
    return value ? options.resolve(value, request) : null;
  };
}

/** Options of {@link bearerAuth}. */
export interface BearerAuthOptions {
  resolve: CredentialResolver;
}

/** Tenant from `Authorization: Bearer <token>`. */
export function bearerAuth(options: BearerAuthOptions): AuthHook {
  return (request) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.get("authorization") ?? "");
    return match ? options.resolve(match[1]!, request) : null;
  };
}

/** Options of {@link pathParamAuth} and {@link queryParamAuth}. */
export interface ParamAuthOptions {
  /** Checks or maps the value. Default: the value itself is the tenant. */
  resolve?: CredentialResolver;
}

/**
 * Tenant from a path parameter (seed 001: `pathParamAuth("id")` on `/brands/:id/webhooks`). On its own this
 * trusts the URL; combine it with a credential check via `resolve` or {@link allAuth}.
 */
export function pathParamAuth(param: string, options: ParamAuthOptions = {}): AuthHook {
  return (request, params) => {
    const value = params[param];
    if (!value) return null;
    return options.resolve ? options.resolve(value, request) : value;
  };
}

/** Tenant from a query parameter (seed 000: `queryParamAuth("businessId")`). */
export function queryParamAuth(param: string, options: ParamAuthOptions = {}): AuthHook {
  return (request) => {
    const value = new URL(request.url).searchParams.get(param);
    if (!value) return null;
    return options.resolve ? options.resolve(value, request) : value;
  };
}

/** The first hook that resolves a tenant wins. */
export function anyAuth(...hooks: AuthHook[]): AuthHook {
  return async (request, params) => {
    for (const hook of hooks) {
      const tenant = await hook(request, params);
      if (tenant) return tenant;
    }
    return null;
  };
}

/**
 * Every hook must resolve, to the same tenant (seed 000: the bearer token's business must be the
 * `businessId` asked for). Any miss or disagreement → `null`.
 */
export function allAuth(...hooks: AuthHook[]): AuthHook {
  return async (request, params) => {
    let tenant: string | null = null;
    for (const hook of hooks) {
      const t = await hook(request, params);
      if (!t || (tenant !== null && t !== tenant)) return null;
      tenant = t;
    }
    return tenant;
  };
}
