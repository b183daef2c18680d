/**
 * Event type pattern matching, shared by every store so that matching is an indexed lookup:
 * a subscription is indexed under each of its patterns; an event of type T looks up `eventTypeKeys(T)`.
 *
 * A pattern P matches T when
 * - P === T (exact), or P === "*" (everything);
 * - P ends with `*` and T starts with P without the `*` (`pud:*` ⊇ `pud:status_update`, `invoice.*`);
 * - P is a resource-level name and T is P followed by a separator (`product` ⊇ `product.deleted`).
 * Separators are `.`, `:` and `/`.
 */

const SEPARATORS = new Set([".", ":", "/"]);

/** Every pattern that matches `eventType`: the keys a store looks up. At most 2 + 2 × separators. */
export function eventTypeKeys(eventType: string): string[] {
  const keys = [eventType, "*"];
  for (let i = 0; i < eventType.length; i++) {
    if (SEPARATORS.has(eventType[i]!)) {
      keys.push(eventType.slice(0, i), `${eventType.slice(0, i + 1)}*`);
    }
  }
  return keys;
}

/** Whether one pattern matches one event type (the reference the indexed lookups must agree with). */
export function matchesEventType(pattern: string, eventType: string): boolean {
  if (pattern === "*" || pattern === eventType) return true;
  if (pattern.endsWith("*")) return eventType.startsWith(pattern.slice(0, -1));
  return (
    eventType.length > pattern.length &&
    eventType.startsWith(pattern) &&
    SEPARATORS.has(eventType[pattern.length]!)
  );
}
