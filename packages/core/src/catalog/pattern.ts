/** Syntax of event type names and subscription patterns (what `catalog/match.ts` can index). */

/** Longest event type name or pattern accepted. */
export const MAX_EVENT_TYPE_LENGTH = 255;

const SEPARATORS = ".:/";
// Printable ASCII without whitespace, `*`, quotes, `,` and `\`; `*` is handled separately.
const NAME_CHARS = /^[A-Za-z0-9_\-.:/@+#$%&=~|!?^[\]{}()<>;]+$/;

/** Why `name` is not a valid event type name, or `null` when it is. Names never contain `*`. */
export function eventTypeNameProblem(name: string): string | null {
  if (name.length === 0) return "must not be empty";
  if (name.length > MAX_EVENT_TYPE_LENGTH) return `must be at most ${MAX_EVENT_TYPE_LENGTH} characters`;
  if (!NAME_CHARS.test(name)) return "may contain only printable ASCII without spaces, quotes, `,` or `*`";
  if (SEPARATORS.includes(name[0]!) || SEPARATORS.includes(name[name.length - 1]!)) {
    return "must not start or end with a separator (`.`, `:`, `/`)";
  }
  return null;
}

/**
 * Why `pattern` is not a valid subscription pattern, or `null` when it is. A pattern is an event type name,
 * `*`, or a name prefix ending in a separator followed by `*` (`pud:*`, `invoice.*`); a resource-level name
 * (`product`) is just a name.
 */
export function eventPatternProblem(pattern: string): string | null {
  if (pattern === "*") return null;
  if (pattern.endsWith("*")) {
    const prefix = pattern.slice(0, -1);
    const last = prefix[prefix.length - 1];
    if (last === undefined || !SEPARATORS.includes(last)) {
      return "`*` is allowed only alone or right after a separator (`pud:*`, `invoice.*`)";
    }
    return eventTypeNameProblem(prefix.slice(0, -1));
  }
  return eventTypeNameProblem(pattern);
}

/** Whether `pattern` is a syntactically valid subscription pattern. */
export function isValidEventPattern(pattern: string): boolean {
  return eventPatternProblem(pattern) === null;
}
