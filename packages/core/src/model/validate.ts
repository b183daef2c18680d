/**
 * Validation of subscription input: every check names its field, all problems are reported at once, and
 * wrong types are validation errors (never a `TypeError`). Unknown top-level fields are the codec's business.
 */
import { eventPatternProblem } from "../catalog/pattern.ts";
import type { EventCatalog, SubscriptionInput } from "../contracts.ts";
import { type FieldIssue, type HooklineErrorCode, ValidationError } from "../errors.ts";
import type { DeliveryMethod } from "./types.ts";
import { templateLiteralOrigin } from "./url-template.ts";

/** Limits enforced on subscription input. */
export const SUBSCRIPTION_LIMITS = {
  urlBytes: 2048,
  headerCount: 50,
  headerValueBytes: 4096,
  metadataKeys: 50,
  metadataBytes: 16_384,
  descriptionBytes: 1024,
  tags: 50,
  tagLength: 128,
  eventTypes: 100,
  retrySchedule: 20,
  /** Longest single retry delay: 31 days. */
  retryDelayMs: 31 * 24 * 3600 * 1000,
  bodyTemplateBytes: 65_536,
  contentTypeLength: 255,
  idLength: 128,
  secretLength: 1024,
} as const;

const METHODS: readonly DeliveryMethod[] = ["POST", "PUT", "GET"];
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CONTENT_TYPE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+(\s*;\s*[^\r\n]*)?$/;
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const PLACEHOLDER = /\$\{[^{}]*\}/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;
/** RFC 9110 field value: visible ASCII, space, tab and obs-text (Latin-1); what HTTP clients will send. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers a subscription may not set: hop-by-hop, framing, and anything a signing scheme writes. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "x-hub-signature",
  "x-hub-signature-256",
  "stripe-signature",
]);
const RESERVED_HEADER_PREFIXES = ["webhook-", "svix-", "x-hookline-"];

const encoder = new TextEncoder();
const byteLength = (s: string): number => encoder.encode(s).length;

/** Collects field issues; `throwIfAny` raises them as one {@link ValidationError}. */
class Issues {
  readonly list: FieldIssue[] = [];
  /** Records an issue; returns `undefined` so checks can `return issues.add(…)`. */
  add(field: string, message: string, code: string): undefined {
    this.list.push({ field, message, code });
  }
  throwIfAny(what: string): void {
    if (this.list.length === 0) return;
    const code: HooklineErrorCode = this.list.every((i) => i.code === "unknown_event_type")
      ? "unknown_event_type"
      : "validation_failed";
    const detail = this.list.map((i) => `${i.field}: ${i.message}`).join("; ");
    throw new ValidationError(`[hookline] invalid ${what}: ${detail}`, this.list, code);
  }
}

/** Why `url` is not an acceptable target URL or URI template, or `null` when it is. */
export function targetUrlProblem(url: unknown): { message: string; code: string } | null {
  if (typeof url !== "string") return { message: "must be a string", code: "invalid_type" };
  if (url.length === 0) return { message: "is required", code: "required" };
  if (byteLength(url) > SUBSCRIPTION_LIMITS.urlBytes) {
    return { message: `must be at most ${SUBSCRIPTION_LIMITS.urlBytes} bytes`, code: "too_long" };
  }
  // URI templates (seed 002): check the URL with every `${…}` replaced by a dummy value.
  const concrete = url.replace(PLACEHOLDER, "x");
  if (concrete.includes("${"))
    return { message: "has an unterminated `${` placeholder", code: "invalid_url" };
  if (concrete !== url && templateLiteralOrigin(url) === null) {
    return {
      message:
        "may use ${…} placeholders only in the path and query, not in the scheme, credentials, host or port",
      code: "invalid_url",
    };
  }
  if (CONTROL_OR_SPACE.test(concrete)) {
    return { message: "must not contain spaces or control characters", code: "invalid_url" };
  }
  let parsed: URL;
  try {
    parsed = new URL(concrete);
  } catch {
    return { message: "is not a valid absolute URL", code: "invalid_url" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { message: "must use http or https", code: "invalid_url" };
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return { message: "must not contain credentials", code: "invalid_url" };
  }
  if (parsed.hostname === "") return { message: "must have a host", code: "invalid_url" };
  return null;
}

/**
 * Checks a target URL or URI template (http(s), no credentials, at most 2 KiB, parseable) and returns it;
 * throws {@link ValidationError} naming `field` otherwise.
 */
export function validateTargetUrl(url: unknown, field = "url"): string {
  const problem = targetUrlProblem(url);
  if (problem !== null) {
    throw new ValidationError(`[hookline] invalid ${field}: ${problem.message}`, [{ field, ...problem }]);
  }
  return url as string;
}

/**
 * Whether a header value can go on the wire (RFC 9110: visible ASCII, space, tab, Latin-1 obs-text). CR, LF,
 * NUL and other control characters, DEL, and characters above U+00FF are refused (undici would refuse them at
 * every attempt).
 */
export function isSendableHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/** Whether a subscription may set this custom header (reserved and signature headers are refused). */
export function isReservedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_HEADERS.has(lower) || RESERVED_HEADER_PREFIXES.some((p) => lower.startsWith(p));
}

const SENSITIVE_HEADER = /auth|token|secret|key|password|cookie|session|signature|credential/i;

/** Whether a header's value is sensitive and must be redacted when read back or logged. */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name);
}

/** Replacement text of a redacted header value. */
export const REDACTED = "[redacted]";

/** Header name → whether it is sensitive: deliveries repeat a handful of names. */
const sensitiveNames = new Map<string, boolean>();
const SENSITIVE_NAMES_LIMIT = 1024;

/** A copy of `headers` with sensitive values replaced by {@link REDACTED}. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    let sensitive = sensitiveNames.get(name);
    if (sensitive === undefined) {
      sensitive = isSensitiveHeader(name);
      if (sensitiveNames.size >= SENSITIVE_NAMES_LIMIT) sensitiveNames.clear();
      sensitiveNames.set(name, sensitive);
    }
    out[name] = sensitive ? REDACTED : (headers[name] as string);
  }
  return out;
}

/** Options of {@link validateSubscriptionInput}. */
export interface ValidateSubscriptionOptions {
  catalog: EventCatalog;
  /** PATCH: only the fields present are checked; `url` and `eventTypes` are not required. */
  partial?: boolean;
}

/**
 * Checks subscription input and returns it in canonical form (method upper-cased, event types de-duplicated,
 * only known fields). Throws one {@link ValidationError} listing every bad field; unknown event types carry
 * the issue code `unknown_event_type`. Cross-field rules that depend on stored values are in
 * {@link validateSubscriptionShape}.
 */
export function validateSubscriptionInput(
  input: unknown,
  opts: ValidateSubscriptionOptions,
): Partial<SubscriptionInput> {
  const issues = new Issues();
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    issues.add("$", "must be an object", "invalid_type");
    issues.throwIfAny("subscription");
  }
  const src = input as Record<string, unknown>;
  const out: Partial<SubscriptionInput> = {};
  const has = (k: string) => src[k] !== undefined;

  if (has("id")) {
    const id = src["id"];
    if (typeof id !== "string" || !CLIENT_ID.test(id) || id.length > SUBSCRIPTION_LIMITS.idLength) {
      issues.add(
        "id",
        `must be 1-${SUBSCRIPTION_LIMITS.idLength} characters of A-Z a-z 0-9 . _ : -`,
        "invalid",
      );
    } else out.id = id;
  }

  if (has("url")) {
    const problem = targetUrlProblem(src["url"]);
    if (problem) issues.add("url", problem.message, problem.code);
    else out.url = src["url"] as string;
  } else if (!opts.partial) issues.add("url", "is required", "required");

  if (has("method")) {
    const m = src["method"];
    const upper = typeof m === "string" ? m.toUpperCase() : null;
    if (upper === null || !METHODS.includes(upper as DeliveryMethod)) {
      issues.add("method", "must be POST, PUT or GET", "invalid_enum");
    } else out.method = upper as DeliveryMethod;
  }

  if (has("contentType")) {
    const ct = src["contentType"];
    if (
      typeof ct !== "string" ||
      ct.length > SUBSCRIPTION_LIMITS.contentTypeLength ||
      !CONTENT_TYPE.test(ct)
    ) {
      issues.add("contentType", "must be a media type such as application/json", "invalid");
    } else out.contentType = ct;
  }

  if (has("bodyTemplate")) {
    const bt = src["bodyTemplate"];
    if (bt === null) out.bodyTemplate = null;
    else if (typeof bt !== "string") issues.add("bodyTemplate", "must be a string or null", "invalid_type");
    else if (byteLength(bt) > SUBSCRIPTION_LIMITS.bodyTemplateBytes) {
      issues.add(
        "bodyTemplate",
        `must be at most ${SUBSCRIPTION_LIMITS.bodyTemplateBytes} bytes`,
        "too_long",
      );
    } else out.bodyTemplate = bt;
  }

  if (has("headers")) checkHeaders(src["headers"], issues, out);
  if (has("eventTypes")) checkEventTypes(src["eventTypes"], opts.catalog, issues, out);
  else if (!opts.partial) issues.add("eventTypes", "is required", "required");

  if (has("secret")) {
    const s = src["secret"];
    if (s === null) out.secret = null;
    else if (typeof s !== "string" || s.length === 0 || s.length > SUBSCRIPTION_LIMITS.secretLength) {
      issues.add(
        "secret",
        `must be a non-empty string of at most ${SUBSCRIPTION_LIMITS.secretLength} characters, or null`,
        "invalid",
      );
    } else out.secret = s;
  }

  if (has("scheme")) {
    const s = src["scheme"];
    if (s === null) out.scheme = null;
    else if (typeof s !== "string" || s.length === 0)
      issues.add("scheme", "must be a scheme name or null", "invalid_type");
    else out.scheme = s;
  }

  if (has("qos")) {
    const q = src["qos"];
    if (q !== 0 && q !== 1) issues.add("qos", "must be 0 or 1", "invalid_enum");
    else out.qos = q;
  }

  if (has("idSetAccepted")) {
    const b = src["idSetAccepted"];
    if (typeof b !== "boolean") issues.add("idSetAccepted", "must be a boolean", "invalid_type");
    else out.idSetAccepted = b;
  }

  for (const key of ["rateLimit", "concurrency"] as const) {
    if (!has(key)) continue;
    const n = src[key];
    if (n === null) out[key] = null;
    else if (!Number.isSafeInteger(n) || (n as number) <= 0)
      issues.add(key, "must be a positive integer or null", "invalid");
    else out[key] = n as number;
  }

  if (has("retrySchedule")) checkRetrySchedule(src["retrySchedule"], issues, out);

  if (has("status")) {
    const s = src["status"];
    if (s !== "active" && s !== "paused") issues.add("status", "must be active or paused", "invalid_enum");
    else out.status = s;
  }

  if (has("description")) {
    const d = src["description"];
    if (d === null) out.description = null;
    else if (typeof d !== "string") issues.add("description", "must be a string or null", "invalid_type");
    else if (byteLength(d) > SUBSCRIPTION_LIMITS.descriptionBytes) {
      issues.add("description", `must be at most ${SUBSCRIPTION_LIMITS.descriptionBytes} bytes`, "too_long");
    } else out.description = d;
  }

  if (has("metadata")) checkMetadata(src["metadata"], issues, out);
  if (has("tags")) checkTags(src["tags"], issues, out);

  issues.throwIfAny("subscription");
  validateSubscriptionShape({ method: out.method, bodyTemplate: out.bodyTemplate });
  return out;
}

/** Cross-field rules on a (merged) subscription: a GET delivery carries no body, so no body template. */
export function validateSubscriptionShape(sub: {
  method?: DeliveryMethod | undefined;
  bodyTemplate?: string | null | undefined;
}): void {
  if (sub.method === "GET" && typeof sub.bodyTemplate === "string") {
    throw new ValidationError("[hookline] invalid subscription: bodyTemplate: a GET delivery has no body", [
      { field: "bodyTemplate", message: "must be absent when method is GET", code: "not_allowed" },
    ]);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkHeaders(value: unknown, issues: Issues, out: Partial<SubscriptionInput>): undefined {
  if (!isPlainObject(value)) return issues.add("headers", "must be an object of strings", "invalid_type");
  const entries = Object.entries(value);
  if (entries.length > SUBSCRIPTION_LIMITS.headerCount) {
    return issues.add("headers", `must have at most ${SUBSCRIPTION_LIMITS.headerCount} entries`, "too_many");
  }
  const seen = new Set<string>();
  const headers: Record<string, string> = {};
  for (const [name, v] of entries) {
    const field = `headers.${name}`;
    if (!TOKEN.test(name) || name === "__proto__")
      issues.add(field, "is not a valid header name", "invalid_header_name");
    else if (isReservedHeader(name)) {
      const hint = name.toLowerCase() === "content-type" ? " (use contentType)" : "";
      issues.add(field, `is reserved and cannot be set${hint}`, "reserved_header");
    } else if (seen.has(name.toLowerCase()))
      issues.add(field, "is given twice (header names are case-insensitive)", "duplicate");
    else if (typeof v !== "string") issues.add(field, "must be a string", "invalid_type");
    else if (!isSendableHeaderValue(v)) {
      issues.add(
        field,
        "must be visible ASCII, spaces, tabs or Latin-1 text (no CR, LF or other control characters, nothing above U+00FF)",
        "invalid_header_value",
      );
    } else if (byteLength(v) > SUBSCRIPTION_LIMITS.headerValueBytes) {
      issues.add(field, `must be at most ${SUBSCRIPTION_LIMITS.headerValueBytes} bytes`, "too_long");
    } else headers[name] = v;
    seen.add(name.toLowerCase());
  }
  out.headers = headers;
}

function checkEventTypes(
  value: unknown,
  catalog: EventCatalog,
  issues: Issues,
  out: Partial<SubscriptionInput>,
): undefined {
  if (!Array.isArray(value))
    return issues.add("eventTypes", "must be an array of event types", "invalid_type");
  if (value.length === 0) return issues.add("eventTypes", "must not be empty", "required");
  if (value.length > SUBSCRIPTION_LIMITS.eventTypes) {
    return issues.add(
      "eventTypes",
      `must have at most ${SUBSCRIPTION_LIMITS.eventTypes} entries`,
      "too_many",
    );
  }
  const unique: string[] = [];
  for (const [i, t] of (value as unknown[]).entries()) {
    const field = `eventTypes.${i}`;
    const problem = typeof t === "string" ? eventPatternProblem(t) : "must be a string";
    if (problem !== null)
      issues.add(field, problem, typeof t === "string" ? "invalid_pattern" : "invalid_type");
    else if (!catalog.accepts(t as string)) {
      issues.add(field, `${JSON.stringify(t)} is not in the event catalog`, "unknown_event_type");
    } else if (!unique.includes(t as string)) unique.push(t as string);
  }
  out.eventTypes = unique;
}

function checkRetrySchedule(value: unknown, issues: Issues, out: Partial<SubscriptionInput>): undefined {
  if (value === null) {
    out.retrySchedule = null;
    return;
  }
  if (!Array.isArray(value))
    return issues.add("retrySchedule", "must be an array of milliseconds or null", "invalid_type");
  if (value.length > SUBSCRIPTION_LIMITS.retrySchedule) {
    return issues.add(
      "retrySchedule",
      `must have at most ${SUBSCRIPTION_LIMITS.retrySchedule} entries`,
      "too_many",
    );
  }
  const ok = value.every(
    (n: unknown) =>
      Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= SUBSCRIPTION_LIMITS.retryDelayMs,
  );
  if (!ok)
    issues.add("retrySchedule", "entries must be integers of milliseconds from 0 to 31 days", "invalid");
  else out.retrySchedule = [...(value as number[])];
}

function checkMetadata(value: unknown, issues: Issues, out: Partial<SubscriptionInput>): undefined {
  if (!isPlainObject(value)) return issues.add("metadata", "must be an object of strings", "invalid_type");
  const entries = Object.entries(value);
  if (entries.length > SUBSCRIPTION_LIMITS.metadataKeys) {
    return issues.add("metadata", `must have at most ${SUBSCRIPTION_LIMITS.metadataKeys} keys`, "too_many");
  }
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [key, v] of entries) {
    if (key.length === 0 || key === "__proto__")
      issues.add("metadata", "keys must be non-empty and not __proto__", "invalid");
    else if (typeof v !== "string") issues.add(`metadata.${key}`, "must be a string", "invalid_type");
    else metadata[key] = v;
    bytes += byteLength(key) + (typeof v === "string" ? byteLength(v) : 0);
  }
  if (bytes > SUBSCRIPTION_LIMITS.metadataBytes) {
    issues.add("metadata", `must be at most ${SUBSCRIPTION_LIMITS.metadataBytes} bytes`, "too_large");
  }
  out.metadata = metadata;
}

function checkTags(value: unknown, issues: Issues, out: Partial<SubscriptionInput>): undefined {
  if (value === null) {
    out.tags = null;
    return;
  }
  if (!Array.isArray(value)) return issues.add("tags", "must be an array of strings or null", "invalid_type");
  if (value.length > SUBSCRIPTION_LIMITS.tags) {
    return issues.add("tags", `must have at most ${SUBSCRIPTION_LIMITS.tags} entries`, "too_many");
  }
  (value as unknown[]).forEach((t, i) => {
    if (typeof t !== "string" || t.length === 0 || t.length > SUBSCRIPTION_LIMITS.tagLength) {
      issues.add(
        `tags.${i}`,
        `must be a non-empty string of at most ${SUBSCRIPTION_LIMITS.tagLength} characters`,
        "invalid",
      );
    }
  });
  out.tags = [...(value as string[])];
}
