/**
 * `${name}` templates (seed 002 `uriTemplate` / `bodyTemplate`), expanded with escaping by context:
 *
 * - `uri`: values are percent-encoded as path-segment data (`/`, `?`, `#`, `&` … encoded); the items of a
 *   list (an id set) are encoded one by one and joined with a literal `,` (`/product/1,2,3`).
 * - `json`: inside a JSON string (`"id": "${resource-id}"`) values are JSON-string-escaped without quotes,
 *   so the template's own quotes stay valid; outside a string (`"event": ${full-event}`) a value is inserted
 *   as a JSON value (objects as JSON, text as a quoted string). The output of a valid template is valid JSON.
 * - `form`: for `application/x-www-form-urlencoded` bodies, values are percent-encoded like `uri`
 *   (`encodeURIComponent`), so a value such as `x&role=admin` stays inside its field.
 * - `text`: values verbatim.
 */
import { HooklineError } from "../../errors.ts";
import type { JsonValue } from "../../model/types.ts";

/** Escaping context of a template. */
export type TemplateContext = "uri" | "form" | "json" | "text";

/** A placeholder value: text, a list of texts (an id set, joined with `,`), or a JSON value. */
export type TemplateValue = string | readonly string[] | { json: JsonValue };

/** Raised when a request cannot be rendered (unknown placeholder, missing value, bad URL). Kind `render`. */
export class RenderError extends HooklineError {
  /** The attempt error kind to record. */
  readonly kind = "render" as const;
  constructor(message: string) {
    super("delivery_failed", message);
    this.name = "RenderError";
  }
  static override is(err: unknown): err is RenderError {
    return HooklineError.is(err, "delivery_failed") && (err as Error).name === "RenderError";
  }
}

type Segment = { literal: string } | { name: string; inJsonString: boolean };

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

const cache = new Map<string, Segment[]>();
const CACHE_LIMIT = 512;

/** Splits a template into literals and placeholders. Throws {@link RenderError} on malformed placeholders. */
export function parseTemplate(template: string): Segment[] {
  const cached = cache.get(template);
  if (cached !== undefined) return cached;
  const segments: Segment[] = [];
  let inJsonString = false;
  let escaped = false;
  const pushLiteral = (literal: string) => {
    if (literal === "") return;
    segments.push({ literal });
    for (const ch of literal) {
      if (escaped) escaped = false;
      else if (ch === "\\" && inJsonString) escaped = true;
      else if (ch === '"') inJsonString = !inJsonString;
    }
  };
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!.trim();
    if (!NAME.test(name)) throw new RenderError(`[hookline] malformed placeholder "${match[0]}" in template`);
    pushLiteral(template.slice(last, match.index));
    segments.push({ name, inJsonString });
    last = match.index + match[0].length;
  }
  const rest = template.slice(last);
  if (rest.includes("${"))
    throw new RenderError(`[hookline] unterminated placeholder in template "${template}"`);
  pushLiteral(rest);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(template, segments);
  return segments;
}

/** The placeholder names a template uses, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  const names = parseTemplate(template).flatMap((s) => ("name" in s ? [s.name] : []));
  return [...new Set(names)];
}

function asText(value: TemplateValue): string {
  if (typeof value === "string") return value;
  if ("json" in value) return typeof value.json === "string" ? value.json : JSON.stringify(value.json);
  return value.join(",");
}

function escapeValue(value: TemplateValue, context: TemplateContext, inJsonString: boolean): string {
  switch (context) {
    case "uri":
    case "form":
      if (typeof value !== "string" && !("json" in value)) return value.map(encodeURIComponent).join(",");
      return encodeURIComponent(asText(value));
    case "json":
      if (inJsonString) return JSON.stringify(asText(value)).slice(1, -1);
      return typeof value === "object" && "json" in value
        ? JSON.stringify(value.json)
        : JSON.stringify(asText(value));
    default:
      return asText(value);
  }
}

/**
 * Expands a template. `resolve` returns a placeholder's value, or `undefined` for an unknown name (a
 * {@link RenderError} naming it). `where` names the template in error messages.
 */
export function expandTemplate(
  template: string,
  context: TemplateContext,
  resolve: (name: string) => TemplateValue | undefined,
  where: string,
): string {
  let out = "";
  for (const segment of parseTemplate(template)) {
    if ("literal" in segment) {
      out += segment.literal;
      continue;
    }
    const value = resolve(segment.name);
    if (value === undefined)
      throw new RenderError(`[hookline] unknown placeholder \${${segment.name}} in ${where}`);
    out += escapeValue(value, context, segment.inJsonString);
  }
  return out;
}
