/**
 * The event catalog: the event types a deployment emits, their descriptions, examples and payload schemas
 * (any Standard Schema v1 implementation — zod, valibot, arktype, …).
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { EventCatalog, EventTypeDefinition, EventTypeInfo } from "../contracts.ts";
import { type FieldIssue, HooklineError, ValidationError } from "../errors.ts";
import { plainJsonCopy } from "../model/json.ts";
import type { JsonValue } from "../model/types.ts";
import { eventTypeKeys } from "./match.ts";
import { eventPatternProblem, eventTypeNameProblem } from "./pattern.ts";

/** Options of {@link createCatalog}. */
export interface CatalogOptions {
  /** The known event types by name. */
  types: Record<string, EventTypeDefinition>;
  /**
   * Accept subscriptions to, and emits of, types not in `types` (payloads are then only checked to be JSON).
   * Default `false`: subscribing to an unknown type is a validation error.
   */
  allowUnknown?: boolean;
}

/** The catalogs {@link createCatalog} built, with their validation that needs no promise. */
const synchronous = new WeakMap<
  EventCatalog,
  (type: string, data: unknown) => JsonValue | Promise<JsonValue>
>();

/** Builds an {@link EventCatalog}. Throws `bad_request` for an invalid type name in `types`. */
export function createCatalog(opts: CatalogOptions): EventCatalog {
  const allowUnknown = opts.allowUnknown ?? false;
  const types = new Map<string, EventTypeDefinition>();
  // Every pattern that names at least one known type: `accepts()` is one set lookup.
  const acceptedPatterns = new Set<string>();
  for (const [name, def] of Object.entries(opts.types)) {
    const problem = eventTypeNameProblem(name);
    if (problem !== null) {
      throw new HooklineError("bad_request", `[hookline] event type ${JSON.stringify(name)} ${problem}`);
    }
    types.set(name, def);
    for (const key of eventTypeKeys(name)) acceptedPatterns.add(key);
  }

  // JSON Schemas are derived once, on first listing.
  const jsonSchemas = new Map<string, JsonValue | null>();
  const schemaFor = (name: string, def: EventTypeDefinition): JsonValue | null => {
    if (!jsonSchemas.has(name)) jsonSchemas.set(name, def.schema ? jsonSchemaOf(def.schema) : null);
    return jsonSchemas.get(name) ?? null;
  };

  const catalog: EventCatalog = {
    accepts(pattern) {
      if (typeof pattern !== "string" || eventPatternProblem(pattern) !== null) return false;
      return allowUnknown || acceptedPatterns.has(pattern);
    },
    has(type) {
      return types.has(type);
    },
    list() {
      const out: EventTypeInfo[] = [];
      for (const [name, def] of types) {
        if (def.internal) continue;
        out.push({
          name,
          description: def.description ?? null,
          example: def.example === undefined ? null : cloneJson(def.example),
          jsonSchema: cloneOrNull(schemaFor(name, def)),
        });
      }
      return out;
    },
    async validate(type, data) {
      return check(type, data);
    },
  };
  synchronous.set(catalog, check);
  return catalog;

  /** `validate` without the promise when the schema (if any) answers synchronously; throws when invalid. */
  function check(type: string, data: unknown): JsonValue | Promise<JsonValue> {
    const def = types.get(type);
    if (def === undefined) {
      if (!allowUnknown || eventTypeNameProblem(type) !== null) {
        throw new ValidationError(
          `[hookline] unknown event type ${JSON.stringify(type)}`,
          [{ field: "type", message: "is not in the event catalog", code: "unknown_event_type" }],
          "unknown_event_type",
        );
      }
      return toJson(data);
    }
    if (def.schema === undefined) return toJson(data);
    const result = def.schema["~standard"].validate(data);
    if (result instanceof Promise) return result.then((r) => schemaOutcome(type, r));
    return schemaOutcome(type, result);
  }
}

/** The payload a schema accepted, as JSON; throws the schema's issues. */
function schemaOutcome(type: string, result: StandardSchemaV1.Result<unknown>): JsonValue {
  if (result.issues !== undefined) {
    throw new ValidationError(
      `[hookline] payload of ${JSON.stringify(type)} does not match its schema`,
      result.issues.map(toFieldIssue),
    );
  }
  return toJson(result.value);
}

/**
 * `catalog.validate(type, data)`, answered without a promise when it can be (a catalog from
 * {@link createCatalog}, a type without a schema or with a synchronous one): the hot path of `emit()`. Throws
 * where `validate` rejects.
 */
export function validateNow(
  catalog: EventCatalog,
  type: string,
  data: unknown,
): JsonValue | Promise<JsonValue> {
  const check = synchronous.get(catalog);
  return check === undefined ? catalog.validate(type, data) : check(type, data);
}

/** Maps a Standard Schema issue to a field issue under `data.`. */
function toFieldIssue(issue: StandardSchemaV1.Issue): FieldIssue {
  const segments = (issue.path ?? []).map((seg) =>
    String(typeof seg === "object" && seg !== null ? seg.key : seg),
  );
  return { field: ["data", ...segments].join("."), message: issue.message, code: "invalid" };
}

/** Payloads are JSON: `Date`s become ISO strings, `undefined` members vanish; anything else is refused. */
function toJson(data: unknown): JsonValue {
  const plain = plainJsonCopy(data);
  if (plain !== undefined) return plain;
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (cause) {
    throw new ValidationError(`[hookline] payload is not JSON-serialisable: ${String(cause)}`, [
      { field: "data", message: "must be JSON-serialisable", code: "invalid_json" },
    ]);
  }
  if (text === undefined) {
    throw new ValidationError("[hookline] payload is missing", [
      { field: "data", message: "is required", code: "required" },
    ]);
  }
  return JSON.parse(text) as JsonValue;
}

function cloneOrNull(value: JsonValue | null): JsonValue | null {
  return value === null ? null : cloneJson(value);
}

function cloneJson(value: JsonValue): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** JSON Schema through the Standard JSON Schema extension (`~standard.jsonSchema`) when the vendor has it. */
function jsonSchemaOf(schema: StandardSchemaV1): JsonValue | null {
  const props = schema["~standard"] as StandardSchemaV1.Props & {
    jsonSchema?: { input?: (opts: { target: string }) => Record<string, unknown> };
  };
  const convert = props.jsonSchema?.input;
  if (typeof convert !== "function") return null;
  try {
    return cloneJson(convert({ target: "draft-2020-12" }) as JsonValue);
  } catch {
    return null;
  }
}
