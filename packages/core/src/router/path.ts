/**
 * Path templates: `/brands/:id/webhooks/:wid`, with an optional last parameter (`/webhook/:ids?`).
 * Matching is exact per segment; parameters are percent-decoded.
 */

type Segment = { literal: string } | { param: string; optional: boolean };

/** A compiled path template. */
export interface PathPattern {
  readonly template: string;
  /** Parameter names in order. */
  readonly params: readonly string[];
  /** The parameters when `path` matches, else `null`. A parameter that fails to percent-decode never matches. */
  match(path: string): Record<string, string> | null;
  /** {@link PathPattern.match} over a path already split with {@link splitPath} (one split per request). */
  matchParts(parts: readonly string[]): Record<string, string> | null;
}

/** Splits a path into segments, ignoring one trailing slash. */
export function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed === "" || trimmed === "/" ? [] : trimmed.replace(/^\//, "").split("/");
}

/** Joins a base path and a template (`/api` + `/subscriptions`), normalising slashes. */
export function joinPath(base: string, path: string): string {
  const joined = `/${base}/${path}`.replace(/\/{2,}/g, "/");
  return joined.length > 1 && joined.endsWith("/") ? joined.slice(0, -1) : joined;
}

/** Compiles a template. Throws on an optional parameter that is not the last segment. */
export function compilePath(template: string): PathPattern {
  const segments: Segment[] = splitPath(template).map((s) =>
    s.startsWith(":")
      ? { param: s.replace(/^:/, "").replace(/\?$/, ""), optional: s.endsWith("?") }
      : { literal: s },
  );
  segments.forEach((s, i) => {
    if ("param" in s && s.optional && i !== segments.length - 1) {
      throw new Error(`[hookline] only the last path parameter may be optional: ${template}`);
    }
  });
  const params = segments.flatMap((s) => ("param" in s ? [s.param] : []));
  function matchParts(parts: readonly string[]): Record<string, string> | null {
    const last = segments[segments.length - 1];
    const optionalTail = last !== undefined && "param" in last && last.optional;
    if (parts.length !== segments.length && !(optionalTail && parts.length === segments.length - 1)) {
      return null;
    }
    const out: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const seg = segments[i]!;
      const part = parts[i]!;
      if ("literal" in seg) {
        if (seg.literal !== part) return null;
        continue;
      }
      let value = part;
      if (part.includes("%")) {
        try {
          value = decodeURIComponent(part);
        } catch {
          return null;
        }
      }
      if (value === "") return null;
      out[seg.param] = value;
    }
    return out;
  }
  return {
    template,
    params,
    match: (path) => matchParts(splitPath(path)),
    matchParts,
  };
}

/** The template in OpenAPI form: `:id` → `{id}`; an optional tail is dropped (`withTail: false`) or kept. */
export function openApiPath(template: string, withTail: boolean): string {
  const parts = splitPath(template).flatMap((s) => {
    if (!s.startsWith(":")) return [s];
    if (s.endsWith("?") && !withTail) return [];
    return [`{${s.replace(/^:/, "").replace(/\?$/, "")}}`];
  });
  return `/${parts.join("/")}`;
}

/**
 * The template with every parameter filled in (percent-encoded), or `null` when one has no value.
 * `/brands/:id/hooks/:wid` + `{ id: "b1", wid: "7" }` → `/brands/b1/hooks/7`.
 */
export function fillPath(template: string, params: Readonly<Record<string, string>>): string | null {
  const parts: string[] = [];
  for (const s of splitPath(template)) {
    if (!s.startsWith(":")) {
      parts.push(s);
      continue;
    }
    const value = params[s.replace(/^:/, "").replace(/\?$/, "")];
    if (value === undefined || value === "") return null;
    parts.push(encodeURIComponent(value));
  }
  return `/${parts.join("/")}`;
}
