/**
 * The canonical subscription fields a codec can put on the wire: how each is read from a `Subscription`,
 * whether a client may write it, and how a written value is checked.
 */
import type { SubscriptionInput } from "../contracts.ts";
import type { Subscription } from "../model/types.ts";

/** Result of checking one input value. */
export type Checked = { ok: true; value: unknown } | { ok: false; message: string; code: string };

interface Kind {
  schema: Record<string, unknown>;
  check(value: unknown): Checked;
}

const ok = (value: unknown): Checked => ({ ok: true, value });
const bad = (message: string, code = "invalid_type"): Checked => ({ ok: false, message, code });
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const MAX_STRING = 8192;

function stringKind(opts: {
  nullable?: boolean;
  min?: number;
  enum?: readonly string[];
  upper?: boolean;
}): Kind {
  const base: Record<string, unknown> = opts.enum ? { type: "string", enum: opts.enum } : { type: "string" };
  return {
    schema: opts.nullable ? { ...base, type: ["string", "null"] } : base,
    check(v) {
      if (v === null && opts.nullable) return ok(null);
      if (typeof v !== "string") return bad("must be a string");
      if (v.length > MAX_STRING) return bad(`must be at most ${MAX_STRING} characters`, "too_long");
      if (v.length < (opts.min ?? 0)) return bad("must not be empty", "required");
      const value = opts.upper ? v.toUpperCase() : v;
      if (opts.enum && !opts.enum.includes(value))
        return bad(`must be one of ${opts.enum.join(", ")}`, "invalid_enum");
      return ok(value);
    },
  };
}

function numberKind(opts: { integer?: boolean; nullable?: boolean; enum?: readonly number[] }): Kind {
  const type = opts.integer ? "integer" : "number";
  const base: Record<string, unknown> = opts.enum ? { type, enum: opts.enum } : { type, exclusiveMinimum: 0 };
  return {
    schema: opts.nullable ? { ...base, type: [type, "null"] } : base,
    check(v) {
      if (v === null && opts.nullable) return ok(null);
      if (typeof v !== "number" || !Number.isFinite(v))
        return bad(`must be a${opts.integer ? "n integer" : " number"}`);
      if (opts.integer && !Number.isInteger(v)) return bad("must be an integer");
      if (opts.enum)
        return opts.enum.includes(v) ? ok(v) : bad(`must be one of ${opts.enum.join(", ")}`, "invalid_enum");
      return v > 0 ? ok(v) : bad("must be greater than 0", "out_of_range");
    },
  };
}

function listKind(item: Kind, opts: { nullable?: boolean; min?: number; max?: number }): Kind {
  const base = { type: "array", items: item.schema, maxItems: opts.max ?? 100 };
  return {
    schema: opts.nullable ? { ...base, type: ["array", "null"] } : base,
    check(v) {
      if (v === null && opts.nullable) return ok(null);
      if (!Array.isArray(v)) return bad("must be an array");
      if (v.length < (opts.min ?? 0)) return bad("must not be empty", "required");
      if (v.length > (opts.max ?? 100)) return bad(`must have at most ${opts.max ?? 100} items`, "too_long");
      const out: unknown[] = [];
      for (const [i, x] of v.entries()) {
        const r = item.check(x);
        if (!r.ok) return bad(`item ${i} ${r.message}`, r.code);
        out.push(r.value);
      }
      return ok(out);
    },
  };
}

const stringRecord: Kind = {
  schema: { type: "object", additionalProperties: { type: "string" } },
  check(v) {
    if (!isRecord(v)) return bad("must be an object of strings");
    const entries = Object.entries(v);
    if (entries.length > 100) return bad("must have at most 100 entries", "too_long");
    for (const [k, x] of entries) {
      if (typeof x !== "string" || x.length > MAX_STRING || k.length > 256) {
        return bad(`entry "${k}" must be a string`);
      }
    }
    return ok({ ...v });
  },
};

const readOnlyString: Kind = { schema: { type: "string" }, check: () => bad("is read-only") };
const readOnlyNullableString: Kind = {
  schema: { type: ["string", "null"] },
  check: () => bad("is read-only"),
};
const readOnlyInteger: Kind = { schema: { type: "integer" }, check: () => bad("is read-only") };
const eventType = stringKind({ min: 1 });

/** How one canonical field behaves. */
export interface CanonicalSpec {
  read(s: Subscription): unknown;
  kind: Kind;
  /** The key written in `SubscriptionInput`, when clients may write the field. */
  input?: keyof SubscriptionInput;
  /** Holds a `Date` (formatted by the codec's time format). */
  time?: boolean;
  /** Holds a list of strings (can be shaped as `single` or `objects` on the wire). */
  list?: boolean;
}

const time = (read: (s: Subscription) => Date | null): CanonicalSpec => ({
  read,
  kind: readOnlyNullableString,
  time: true,
});

/** Every canonical field, by name. `secret` is the current secret's value. */
export const CANONICAL_FIELDS = {
  id: { read: (s) => s.id, kind: readOnlyString },
  tenant: { read: (s) => s.tenant, kind: readOnlyString },
  url: { read: (s) => s.url, kind: stringKind({ min: 1 }), input: "url" },
  method: {
    read: (s) => s.method,
    kind: stringKind({ enum: ["POST", "PUT", "GET"], upper: true }),
    input: "method",
  },
  contentType: { read: (s) => s.contentType, kind: stringKind({ min: 1 }), input: "contentType" },
  bodyTemplate: { read: (s) => s.bodyTemplate, kind: stringKind({ nullable: true }), input: "bodyTemplate" },
  headers: { read: (s) => s.headers, kind: stringRecord, input: "headers" },
  eventTypes: {
    read: (s) => s.eventTypes,
    kind: listKind(eventType, { min: 1 }),
    input: "eventTypes",
    list: true,
  },
  secret: {
    read: (s) => s.secrets[0]?.value ?? null,
    kind: stringKind({ nullable: true, min: 1 }),
    input: "secret",
  },
  scheme: { read: (s) => s.scheme, kind: stringKind({ nullable: true, min: 1 }), input: "scheme" },
  qos: { read: (s) => s.qos, kind: numberKind({ integer: true, enum: [0, 1] }), input: "qos" },
  idSetAccepted: {
    read: (s) => s.idSetAccepted,
    kind: {
      schema: { type: "boolean" },
      check: (v) => (typeof v === "boolean" ? ok(v) : bad("must be a boolean")),
    },
    input: "idSetAccepted",
  },
  rateLimit: { read: (s) => s.rateLimit, kind: numberKind({ nullable: true }), input: "rateLimit" },
  concurrency: {
    read: (s) => s.concurrency,
    kind: numberKind({ integer: true, nullable: true }),
    input: "concurrency",
  },
  retrySchedule: {
    read: (s) => s.retrySchedule,
    kind: listKind(
      {
        schema: { type: "integer", minimum: 0 },
        check: (v) =>
          typeof v === "number" && Number.isInteger(v) && v >= 0
            ? ok(v)
            : bad("must be a non-negative integer"),
      },
      { nullable: true, max: 50 },
    ),
    input: "retrySchedule",
  },
  status: {
    read: (s) => s.status,
    kind: {
      schema: { type: "string", enum: ["active", "paused", "disabled"] },
      check: (v) =>
        v === "active" || v === "paused" ? ok(v) : bad("must be active or paused", "invalid_enum"),
    },
    input: "status",
  },
  disabledReason: { read: (s) => s.disabledReason, kind: readOnlyNullableString },
  description: { read: (s) => s.description, kind: stringKind({ nullable: true }), input: "description" },
  metadata: { read: (s) => s.metadata, kind: stringRecord, input: "metadata" },
  tags: {
    read: (s) => s.tags,
    kind: listKind(stringKind({ min: 1 }), { nullable: true }),
    input: "tags",
    list: true,
  },
  failingSince: time((s) => s.failingSince),
  createdAt: time((s) => s.createdAt),
  updatedAt: time((s) => s.updatedAt),
  deletedAt: time((s) => s.deletedAt),
  version: { read: (s) => s.version, kind: readOnlyInteger },
} satisfies Record<string, CanonicalSpec>;

/** Name of a canonical subscription field a codec can map. */
export type CanonicalField = keyof typeof CANONICAL_FIELDS;

/** The fields of the default codec, in output order. */
export const DEFAULT_FIELDS: readonly CanonicalField[] = [
  "id",
  "url",
  "method",
  "contentType",
  "bodyTemplate",
  "headers",
  "eventTypes",
  "secret",
  "scheme",
  "qos",
  "idSetAccepted",
  "rateLimit",
  "concurrency",
  "retrySchedule",
  "status",
  "disabledReason",
  "description",
  "metadata",
  "tags",
  "createdAt",
  "updatedAt",
];

/** Whether `name` is a canonical field. */
export function isCanonicalField(name: string): name is CanonicalField {
  return Object.hasOwn(CANONICAL_FIELDS, name);
}

/** Canonical name in snake_case (`eventTypes` → `event_types`). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
