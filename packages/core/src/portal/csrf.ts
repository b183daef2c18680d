/**
 * CSRF protection of every mutating portal request, two independent checks that must both pass:
 * the request comes from the portal's own origin (`Sec-Fetch-Site` and/or `Origin`), and it carries the
 * session's CSRF token in `x-hookline-csrf` (compared timing-safely).
 */
import { safeEqual } from "../signing/crypto.ts";
import type { PortalSession } from "./session.ts";

/** Header carrying the CSRF token. */
export const CSRF_HEADER = "x-hookline-csrf";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether `method` changes nothing (and needs no CSRF check). */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Why a mutating request fails the CSRF checks, or `null` when it passes. `origins` are the origins the portal
 * is served from (default: the request URL's own origin; behind a proxy that rewrites the host, configure them).
 */
export function csrfProblem(
  request: Request,
  session: PortalSession,
  origins: ReadonlySet<string>,
): string | null {
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  if (site === null && origin === null) return "the request names no Origin";
  if (site !== null && site !== "same-origin") return "cross-site request refused";
  if (origin !== null && !origins.has(origin)) return "cross-origin request refused";
  const token = request.headers.get(CSRF_HEADER);
  if (token === null) return `missing ${CSRF_HEADER} header`;
  if (!safeEqual(Buffer.from(token, "utf8"), Buffer.from(session.csrfToken, "utf8"))) {
    return `invalid ${CSRF_HEADER} header`;
  }
  return null;
}
