/**
 * Structure of a URI template (seed 002 `uriTemplate`): `${…}` placeholders may appear only in the path and
 * query, never in the scheme, credentials, host or port, so event data can never change where a request goes.
 * Subscribe-time validation refuses other templates ({@link templateLiteralOrigin} is `null`), and the renderer
 * checks the rendered URL's origin against the template's literal one.
 */

/** `scheme://authority`, the authority ended by `/`, `?`, `#`, `\` (a slash to WHATWG URL) or the end. */
const LITERAL_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\\]*(?=[/?#\\]|$)/;

const cache = new Map<string, string | null>();
const CACHE_LIMIT = 512;

/**
 * The origin (`https://host:port`) a URI template always sends to, or `null` when a placeholder sits in its
 * scheme, credentials, host or port (or the template is not an absolute URL with an authority).
 */
export function templateLiteralOrigin(template: string): string | null {
  const cached = cache.get(template);
  if (cached !== undefined) return cached;
  const authority = LITERAL_AUTHORITY.exec(template)?.[0];
  let origin: string | null = null;
  if (authority !== undefined && !authority.includes("${")) {
    try {
      origin = new URL(authority).origin;
    } catch {
      origin = null;
    }
  }
  if (origin === "null") origin = null;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(template, origin);
  return origin;
}

/** Whether a path segment is `.` or `..`, also percent-encoded (`%2e`), which WHATWG URL resolves away. */
export function isDotSegment(segment: string): boolean {
  return /^(?:\.|%2e){1,2}$/i.test(segment);
}

/** The path of a URL or URI template as written (after the authority, before `?`/`#`), split at `/` and `\`. */
export function rawPathSegments(url: string): string[] {
  const authority = LITERAL_AUTHORITY.exec(url)?.[0] ?? "";
  const rest = url.slice(authority.length);
  const end = rest.search(/[?#]/);
  return (end === -1 ? rest : rest.slice(0, end)).split(/[/\\]/);
}
