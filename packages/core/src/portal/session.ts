/**
 * Portal sessions: who is looking at the portal. Either the signed session cookie a portal link was exchanged
 * for, or the host's auth hook (the same one as the API). Each session has a CSRF token bound to it.
 */
import type { AuthHook } from "../router/auth.ts";
import { mac, type PortalClaims, signToken, verifyToken } from "./token.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "hookline_portal";

/** The tenant a portal request acts for, and its CSRF token. */
export interface PortalSession {
  tenant: string;
  /** The token every mutating request must carry in `x-hookline-csrf`. */
  csrfToken: string;
  /** End of a cookie session (ms since the epoch); `null` for a session resolved by the auth hook. */
  expiresAt: number | null;
}

/** Reads one cookie from a `Cookie` header; `null` when absent. */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (header === null) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Options of {@link sessionCookie}. */
export interface SessionCookieOptions {
  path: string;
  maxAgeMs: number;
  secure: boolean;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Strict, scoped to the portal path. `value: ""` clears it. */
export function sessionCookie(value: string, o: SessionCookieOptions): string {
  const maxAge = value === "" ? 0 : Math.max(0, Math.floor(o.maxAgeMs / 1000));
  return `${SESSION_COOKIE}=${value}; Path=${o.path}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${o.secure ? "; Secure" : ""}`;
}

/** Signs a new session cookie value for `tenant`. */
export function newSessionToken(key: Buffer, tenant: string, expiresAt: number): string {
  return signToken(key, "session", tenant, expiresAt);
}

function csrfFor(key: Buffer, subject: string): string {
  return mac(key, `csrf.${subject}`).toString("base64url");
}

function fromClaims(key: Buffer, claims: PortalClaims): PortalSession {
  return {
    tenant: claims.tenant,
    csrfToken: csrfFor(key, `session.${claims.id}`),
    expiresAt: claims.expiresAt,
  };
}

/**
 * The session of a request: a valid session cookie first, else the auth hook; `null` (→ 401) when neither
 * vouches for a tenant. A forged, tampered or expired cookie counts as no cookie.
 */
export async function resolveSession(
  request: Request,
  key: Buffer,
  auth: AuthHook | undefined,
  now: number,
): Promise<PortalSession | null> {
  const cookie = readCookie(request, SESSION_COOKIE);
  const claims = cookie === null ? null : verifyToken(key, "session", cookie, now);
  if (claims !== null) return fromClaims(key, claims);
  if (auth === undefined) return null;
  const tenant = await auth(request, {});
  if (!tenant) return null;
  return { tenant, csrfToken: csrfFor(key, `auth.${tenant}`), expiresAt: null };
}
