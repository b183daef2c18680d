/**
 * `defineCodec()`: one declarative factory for every wire format. The default codec and the four seed APIs
 * are configurations of it (field names, list shapes, envelopes, time format, ids, statuses, error shape).
 */

import type { SubscriptionInput } from "../contracts.ts";
import { type FieldIssue, HooklineError, ValidationError } from "../errors.ts";
import type { JsonValue, Subscription } from "../model/types.ts";
import {
  CANONICAL_FIELDS,
  type CanonicalField,
  type CanonicalSpec,
  type Checked,
  DEFAULT_FIELDS,
  isCanonicalField,
  snakeCase,
} from "./codec-fields.ts";
import { formatTime, parseTime, type TimeFormat, timeSchema } from "./codec-time.ts";
import type { Codec, CodecQueryNames, ListInfo, WireBody } from "./codec-types.ts";
import { type ProblemDetails, problemBody } from "./problem.ts";

/** How a list field (event types, tags) or a scalar appears on the wire. */
export type FieldShape =
  /** An array of strings (default). */
  | "array"
  /** One string: the first item on output; a string on input (`topic`, `subscribeTo`). */
  | "single"
  /** An array of one-key objects, `[{event_type: "a"}]`; input also takes a string or an array of strings. */
  | "objects";

/** How one canonical field maps to the wire. */
export interface FieldOptions {
  /** Wire name. Default: the canonical name in the codec's naming. */
  name?: string;
  /** Shape on the wire; `objects` needs `itemKey`. Default `array` for lists, the value itself otherwise. */
  shape?: FieldShape;
  /** Member name of each object when `shape` is `objects` (`event_type`, `business_id`). */
  itemKey?: string;
  /** Accepted on input, never returned (seed 003 `secret`). */
  writeOnly?: boolean;
  /** Returned, never accepted (a client sending it gets a 400 under the `reject` policy). */
  readOnly?: boolean;
  /** Leave the member out of output when its value is `null`. */
  omitNull?: boolean;
  /** Leave the member out of output when this returns true (e.g. `contentType` of GET deliveries). */
  omitWhen?: (sub: Subscription) => boolean;
  /** Canonical value used on create and replace when the field is absent (e.g. `["*"]`). */
  default?: unknown;
}

/** The envelope around bodies. Absent: bare objects and arrays (seeds 000 and 003). */
export interface EnvelopeOptions {
  /** Member holding the payload: `data` (seed 001), `response` (seed 002). */
  key: string;
  /** Wrap single objects too. Default `true`. */
  wrapSingle?: boolean;
  /** Constant members beside the payload, e.g. `{ code: "OK" }`. */
  extra?: Record<string, JsonValue>;
  /** List counters. `at` nests them (`info: {count, total}`); without it they sit beside the payload. */
  listInfo?: { at?: string; count?: string; total?: string; nextCursor?: string };
}

/** A declarative wire format. Every member is optional except `name`. */
export interface CodecDefinition {
  name: string;
  /** Naming of every key not renamed explicitly. Default `camelCase`. */
  naming?: "camelCase" | "snake_case";
  /**
   * The subscription fields on the wire, in output order: `true` (default name), a wire name, or options.
   * Only these fields are returned and accepted. Default: the clean camelCase set.
   */
  fields?: { [K in CanonicalField]?: true | string | FieldOptions };
  /** Constant output members (`type: "brand_webhook"`); accepted on input only with the same value. */
  constants?: Record<string, JsonValue>;
  /** Default `iso` (ISO 8601 with milliseconds). */
  time?: TimeFormat;
  /**
   * `integer` ids are numbers on the wire; `pattern` rejects malformed ids with 400 before any lookup.
   * `clientSupplied` makes the `id` field writable on create (not on replace or update): a client id must
   * match `pattern` (422 naming the field otherwise) and be new (409). The subscription service must allow
   * it too (`createHookline({ subscriptions: { allowClientIds: true } })`). Default `false`.
   */
  ids?: { type?: "string" | "integer"; pattern?: RegExp; clientSupplied?: boolean };
  envelope?: EnvelopeOptions;
  /** Defaults: create 201, delete 204. */
  status?: { create?: 200 | 201; delete?: 200 | 204 };
  /** With delete 200: `empty` body (default) or the deleted subscription. */
  deleteResponse?: "empty" | "subscription";
  /** Unknown input members: `reject` (400 naming the field, default) or `ignore`. */
  unknownFields?: "reject" | "ignore";
  /** Query parameter names of list routes (defaults follow `naming`; a `single` event type field lends its name). */
  query?: Partial<CodecQueryNames>;
  /** A custom error body; default RFC 9457 `application/problem+json` with `errors[]`. */
  error?: {
    render(problem: ProblemDetails): unknown;
    contentType?: string;
    schema?: Record<string, unknown>;
  };
}

interface ResolvedField {
  canonical: CanonicalField;
  spec: CanonicalSpec;
  wire: string;
  shape: FieldShape | null;
  itemKey: string;
  readable: boolean;
  writable: boolean;
  omitNull: boolean;
  omitWhen: ((sub: Subscription) => boolean) | null;
  default: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const DEFAULT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:~-]{0,127}$/;

const PROBLEM_SCHEMA: Record<string, unknown> = {
  type: "object",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: { field: { type: "string" }, message: { type: "string" }, code: { type: "string" } },
        required: ["field", "message"],
      },
    },
  },
  required: ["type", "title", "status", "detail", "code"],
};

/** Builds a {@link Codec} from a declarative definition. Throws on an inconsistent definition. */
export function defineCodec(def: CodecDefinition): Codec {
  const naming = def.naming === "snake_case" ? snakeCase : (k: string) => k;
  const timeFormat = def.time ?? "iso";
  const integerIds = def.ids?.type === "integer";
  const idPattern = def.ids?.pattern ?? (integerIds ? /^[1-9]\d{0,15}$/ : DEFAULT_ID_PATTERN);
  const constants = def.constants ?? {};
  const unknownPolicy = def.unknownFields ?? "reject";
  const clientIds = def.ids?.clientSupplied === true;

  const entries: [CanonicalField, true | string | FieldOptions][] = def.fields
    ? (Object.entries(def.fields) as [CanonicalField, true | string | FieldOptions][])
    : DEFAULT_FIELDS.map((f) => [f, true]);
  const fields: ResolvedField[] = entries.map(([canonical, raw]) =>
    resolveField(def.name, canonical, raw, naming),
  );
  const byWire = new Map(fields.map((f) => [f.wire, f]));
  const byCanonical = new Map(fields.map((f) => [f.canonical as string, f]));
  if (byWire.size !== fields.length)
    throw new Error(`[hookline] codec "${def.name}": two fields share a wire name`);
  const idField = byCanonical.get("id");
  if (clientIds && !idField)
    throw new Error(`[hookline] codec "${def.name}": ids.clientSupplied needs an id field`);

  const missingForCreate = (["url", "eventTypes"] as const).filter((f) => !byCanonical.has(f));
  const errorContentType = def.error
    ? (def.error.contentType ?? "application/json")
    : "application/problem+json";
  const key = (canonical: string) => byCanonical.get(canonical)?.wire ?? naming(canonical);
  const eventTypesField = byCanonical.get("eventTypes");
  const query: CodecQueryNames = {
    eventType: eventTypesField?.shape === "single" ? eventTypesField.wire : naming("eventType"),
    status: naming("status"),
    limit: "limit",
    cursor: "cursor",
    since: naming("since"),
    subscriptionId: naming("subscriptionId"),
    ...def.query,
  };

  const fmt = (d: Date) => formatTime(d, timeFormat);

  function encodeField(f: ResolvedField, sub: Subscription): unknown {
    let value = f.spec.read(sub);
    if (value instanceof Date) value = fmt(value);
    if (f.canonical === "id" && integerIds && typeof value === "string" && /^\d+$/.test(value))
      value = Number(value);
    if (value === null || value === undefined) return null;
    if (f.shape === "single") return Array.isArray(value) ? (value[0] ?? null) : value;
    if (f.shape === "objects") {
      return (Array.isArray(value) ? value : [value]).map((v) => ({ [f.itemKey]: v }));
    }
    return value;
  }

  function encodeSubscription(sub: Subscription): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (!f.readable || f.omitWhen?.(sub)) continue;
      const value = encodeField(f, sub);
      if (value === null && f.omitNull) continue;
      out[f.wire] = value;
    }
    return Object.assign(out, constants);
  }

  /** Turns the wire value of a shaped list field into a plain array (or an issue). */
  function unshape(f: ResolvedField, value: unknown): Checked {
    if (f.shape === "single") {
      return typeof value === "string"
        ? { ok: true, value: [value] }
        : { ok: false, message: "must be a string", code: "invalid_type" };
    }
    if (f.shape === "objects") {
      const list = typeof value === "string" ? [value] : value;
      if (!Array.isArray(list))
        return { ok: false, message: "must be a string or an array", code: "invalid_type" };
      return {
        ok: true,
        value: list.map((item) =>
          isRecord(item) && Object.keys(item).length === 1 ? item[f.itemKey] : item,
        ),
      };
    }
    return { ok: true, value };
  }

  /** A client-supplied id: a string (or, with integer ids, a positive integer) matching the id pattern. */
  function checkClientId(value: unknown): Checked {
    const id = integerIds && typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof id !== "string")
      return { ok: false, message: `must be a${integerIds ? "n integer" : " string"}`, code: "invalid_type" };
    return idPattern.test(id)
      ? { ok: true, value: id }
      : { ok: false, message: "is not a valid id", code: "invalid" };
  }

  function decode(body: unknown, mode: "create" | "replace" | "patch"): Partial<SubscriptionInput> {
    if (!isRecord(body)) {
      throw new HooklineError("bad_request", "request body must be a JSON object", { status: 400 });
    }
    const rejected: FieldIssue[] = [];
    const issues: FieldIssue[] = [];
    const input: Record<string, unknown> = {};
    for (const [wire, value] of Object.entries(body)) {
      const f = byWire.get(wire);
      if (!f) {
        if (Object.hasOwn(constants, wire)) {
          if (JSON.stringify(constants[wire]) !== JSON.stringify(value)) {
            issues.push({
              field: wire,
              message: `must be ${JSON.stringify(constants[wire])}`,
              code: "invalid_enum",
            });
          }
          continue;
        }
        if (unknownPolicy === "reject")
          rejected.push({ field: wire, message: "unknown field", code: "unknown_field" });
        continue;
      }
      if (f === idField && clientIds && mode === "create") {
        const checked = checkClientId(value);
        if (checked.ok) input["id"] = checked.value;
        else issues.push({ field: wire, message: `${wire} ${checked.message}`, code: checked.code });
        continue;
      }
      if (!f.writable || !f.spec.input) {
        if (unknownPolicy === "reject")
          rejected.push({ field: wire, message: "is read-only", code: "read_only" });
        continue;
      }
      const shaped = unshape(f, value);
      const checked = shaped.ok ? f.spec.kind.check(shaped.value) : shaped;
      if (!checked.ok) {
        issues.push({ field: wire, message: `${wire} ${checked.message}`, code: checked.code });
        continue;
      }
      input[f.spec.input] = checked.value;
    }
    if (rejected.length > 0) {
      throw new HooklineError(
        "bad_request",
        `unknown or read-only field${rejected.length > 1 ? "s" : ""}: ${rejected.map((r) => r.field).join(", ")}`,
        { status: 400, issues: rejected },
      );
    }
    if (mode !== "patch") {
      if (missingForCreate.length > 0) {
        throw new Error(
          `[hookline] codec "${def.name}" has no ${missingForCreate.join(" or ")} field; it cannot create`,
        );
      }
      for (const f of fields) {
        if (!f.spec.input || !f.writable || Object.hasOwn(body, f.wire)) continue;
        if (f.default !== undefined) input[f.spec.input] = structuredClone(f.default);
        else if (f.canonical === "url" || f.canonical === "eventTypes") {
          issues.push({ field: f.wire, message: `${f.wire} is required`, code: "required" });
        }
      }
    }
    if (issues.length > 0)
      throw new ValidationError(`invalid ${issues.map((i) => i.field).join(", ")}`, issues);
    return input as Partial<SubscriptionInput>;
  }

  function encodeRecord(value: object): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[naming(k)] = v instanceof Date ? fmt(v) : v;
    }
    return out;
  }

  const env = def.envelope;
  const wrapSingle = env !== undefined && env.wrapSingle !== false;

  function one(data: unknown): unknown {
    return wrapSingle && env ? { ...env.extra, [env.key]: data } : data;
  }

  function list(items: unknown[], info: ListInfo): unknown {
    if (!env) return items;
    const out: Record<string, unknown> = { ...env.extra, [env.key]: items };
    const li = env.listInfo;
    if (li) {
      const counters: Record<string, unknown> = {};
      if (li.count) counters[li.count] = info.count;
      if (li.total) counters[li.total] = info.total;
      if (li.nextCursor) counters[li.nextCursor] = info.nextCursor;
      if (li.at) out[li.at] = counters;
      else Object.assign(out, counters);
    }
    return out;
  }

  function error(problem: ProblemDetails): WireBody {
    const mapped = {
      ...problem,
      errors: problem.errors.map((e) => ({ ...e, field: wireFieldPath(e.field) })),
    };
    return {
      body: def.error ? def.error.render(mapped) : problemBody(mapped),
      contentType: errorContentType,
    };
  }

  /** Issues from the service name canonical paths (`eventTypes.0`); map the head to its wire name. */
  function wireFieldPath(path: string): string {
    const [head, ...rest] = path.split(".");
    if (head === undefined || !isCanonicalField(head) || byWire.has(path)) return path;
    // A list shown as one value (`topic`) has no item index on the wire.
    if (byCanonical.get(head)?.shape === "single") return key(head);
    return [key(head), ...rest].join(".");
  }

  const schemas = buildSchemas(
    fields,
    constants,
    timeFormat,
    integerIds,
    env,
    def.error?.schema ?? PROBLEM_SCHEMA,
    clientIds && idField
      ? {
          wire: idField.wire,
          schema: integerIds
            ? { type: "integer", minimum: 1 }
            : { type: "string", pattern: idPattern.source },
        }
      : null,
  );

  return {
    name: def.name,
    createStatus: def.status?.create ?? 201,
    deleteStatus: def.status?.delete ?? 204,
    deleteResponse: def.deleteResponse ?? "empty",
    unknownFields: unknownPolicy,
    integerIds,
    clientIds,
    query,
    errorContentType,
    schemas,
    isValidId: (id) => idPattern.test(id),
    decodeInput: (body, purpose = "replace") => decode(body, purpose) as SubscriptionInput,
    decodePatch: (body) => decode(body, "patch"),
    encodeSubscription,
    encodeRecord,
    key,
    formatTime: fmt,
    parseTime: (v) => parseTime(v, timeFormat),
    one,
    list,
    error,
  };
}

function resolveField(
  codec: string,
  canonical: CanonicalField,
  raw: true | string | FieldOptions,
  naming: (k: string) => string,
): ResolvedField {
  if (!isCanonicalField(canonical))
    throw new Error(`[hookline] codec "${codec}": unknown field "${canonical}"`);
  const opts: FieldOptions = raw === true ? {} : typeof raw === "string" ? { name: raw } : raw;
  const spec: CanonicalSpec = CANONICAL_FIELDS[canonical];
  const shape = opts.shape ?? null;
  if (shape === "objects" && !opts.itemKey) {
    throw new Error(`[hookline] codec "${codec}": field "${canonical}" has shape "objects" but no itemKey`);
  }
  if (shape !== null && shape !== "array" && spec.input && !spec.list) {
    throw new Error(`[hookline] codec "${codec}": only list fields can be shaped on input ("${canonical}")`);
  }
  return {
    canonical,
    spec,
    wire: opts.name ?? naming(canonical),
    shape,
    itemKey: opts.itemKey ?? "",
    readable: opts.writeOnly !== true,
    writable: opts.readOnly !== true && spec.input !== undefined,
    omitNull: opts.omitNull === true,
    omitWhen: opts.omitWhen ?? null,
    default: opts.default,
  };
}

function buildSchemas(
  fields: ResolvedField[],
  constants: Record<string, JsonValue>,
  timeFormat: TimeFormat,
  integerIds: boolean,
  env: EnvelopeOptions | undefined,
  errorSchema: Record<string, unknown>,
  clientId: { wire: string; schema: Record<string, unknown> } | null,
): Codec["schemas"] {
  const wireSchema = (f: ResolvedField, input: boolean): Record<string, unknown> => {
    if (f.spec.time) return { ...timeSchema(timeFormat), readOnly: true };
    if (f.canonical === "id" && integerIds) return { type: "integer", readOnly: true };
    const base = f.spec.kind.schema;
    const item = (base["items"] as Record<string, unknown> | undefined) ?? base;
    if (f.shape === "single") return { type: "string" };
    if (f.shape === "objects") {
      const objects = {
        type: "array",
        items: { type: "object", properties: { [f.itemKey]: item }, required: [f.itemKey] },
      };
      return input
        ? { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }, objects] }
        : objects;
    }
    return base;
  };
  const properties: Record<string, unknown> = {};
  for (const f of fields) {
    if (!f.readable) continue;
    const s = wireSchema(f, false);
    properties[f.wire] = f.writable ? s : { ...s, readOnly: true };
  }
  for (const [k, v] of Object.entries(constants)) properties[k] = { const: v };
  const writable = fields.filter((f) => f.writable && f.spec.input);
  const inputProps = Object.fromEntries(
    writable.map((f) => [
      f.wire,
      f.readable ? wireSchema(f, true) : { ...wireSchema(f, true), writeOnly: true },
    ]),
  );
  const required = writable
    .filter((f) => (f.canonical === "url" || f.canonical === "eventTypes") && f.default === undefined)
    .map((f) => f.wire);
  const subscription = { type: "object", properties };
  const replace = { type: "object", properties: inputProps, required, additionalProperties: false };
  return {
    subscription,
    create: clientId
      ? { ...replace, properties: { [clientId.wire]: clientId.schema, ...inputProps } }
      : replace,
    replace,
    patch: { type: "object", properties: inputProps, additionalProperties: false },
    error: errorSchema,
    one: (item) =>
      env && env.wrapSingle !== false
        ? { type: "object", properties: { ...constSchemas(env.extra), [env.key]: item }, required: [env.key] }
        : item,
    list: (item) => {
      const array = { type: "array", items: item };
      if (!env) return array;
      const counters: Record<string, unknown> = {};
      const li = env.listInfo;
      if (li?.count) counters[li.count] = { type: "integer" };
      if (li?.total) counters[li.total] = { type: ["integer", "null"] };
      if (li?.nextCursor) counters[li.nextCursor] = { type: ["string", "null"] };
      const info = li?.at ? { [li.at]: { type: "object", properties: counters } } : counters;
      return {
        type: "object",
        properties: { ...constSchemas(env.extra), [env.key]: array, ...info },
        required: [env.key],
      };
    },
  };
}

function constSchemas(extra: Record<string, JsonValue> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(extra ?? {}).map(([k, v]) => [k, { const: v }]));
}
