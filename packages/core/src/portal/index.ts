/**
 * The tenant portal: a small bundled web page (subscriptions, event catalog, deliveries and attempts, retry and
 * recover, a 24 h chart) served by hookline itself, opened through the API's auth hook or a signed link.
 */
export { PORTAL_CSP } from "./assets.ts";
export { CSRF_HEADER } from "./csrf.ts";
export { createPortal, type Portal, type PortalLinkOptions, type PortalOptions } from "./portal.ts";
export { SESSION_COOKIE } from "./session.ts";
