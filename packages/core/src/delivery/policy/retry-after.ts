/**
 * `Retry-After` parsing (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
 */

/** Milliseconds to wait from `now`, or `null` when the header is absent or unparseable. Past dates give 0. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === "") return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only date forms: a bare number with a sign or a fraction is not valid delay-seconds.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}
