/**
 * Payload normalisation: a payload is stored as the JSON value `JSON.parse(JSON.stringify(data))` — `Date`s
 * become ISO strings, `undefined` members vanish, `NaN` becomes `null`, and so on. Most payloads are already
 * plain JSON trees, for which a copying walk gives the same value several times faster than the text round
 * trip; anything the walk is not sure about goes through the round trip itself.
 */
import type { JsonValue } from "./types.ts";

/** Nesting past which {@link plainJsonCopy} gives up (a cyclic value, or one deeper than any payload). */
const MAX_DEPTH = 64;

/** Thrown inside the walk when the value needs the text round trip. */
const NOT_PLAIN = Symbol("not plain JSON");

/**
 * A fresh copy of `data` equal to `JSON.parse(JSON.stringify(data))` when `data` is a plain JSON tree:
 * `null`, booleans, strings, finite numbers, and arrays (without holes) and plain objects (`Object.prototype`
 * or `null` prototype, no `toJSON`) of those. `undefined` for anything else (`Date`s and other `toJSON`
 * holders, `undefined`, functions, symbols, bigints, non-finite numbers, class instances, cycles, very deep
 * values, a getter that throws): the caller then takes the round trip, with its conversions and its errors
 * (a getter met before the walk gave up is then read a second time).
 */
export function plainJsonCopy(data: unknown): JsonValue | undefined {
  try {
    return copy(data, 0);
  } catch {
    // NOT_PLAIN, or a getter that threw: the round trip reports it as it always has.
    return undefined;
  }
}

function copy(v: unknown, depth: number): JsonValue {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      if (!Number.isFinite(v)) throw NOT_PLAIN;
      return v === 0 ? 0 : v; // -0 is written as 0
    case "object":
      break;
    default:
      throw NOT_PLAIN;
  }
  if (v === null) return null;
  if (depth >= MAX_DEPTH) throw NOT_PLAIN;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    const list = v as unknown[];
    if (typeof (list as { toJSON?: unknown }).toJSON === "function") throw NOT_PLAIN;
    const out: JsonValue[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      if (!(i in list)) throw NOT_PLAIN; // a hole is written as null
      out[i] = copy(list[i], depth + 1);
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const source = v as Record<string, unknown>;
  if (typeof source["toJSON"] === "function") throw NOT_PLAIN;
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(source)) {
    const value = copy(source[key], depth + 1);
    // JSON.parse makes an own "__proto__" property; an assignment would set the prototype instead.
    if (key === "__proto__") {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    } else out[key] = value;
  }
  return out;
}
