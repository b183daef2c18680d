/** Strict parsing of list query parameters: a malformed value is a 400, never a silent default. */
import type { Codec } from "./codec-types.ts";
import { badRequest } from "./problem.ts";

/**
 * A wire time from a body member or a query value: the codec's format, and for the epoch formats also a
 * numeric string (`?since=1700000000.5`). `null` when it is not a time.
 */
export function parseWireTime(codec: Codec, value: unknown): Date | null {
  const date = codec.parseTime(value);
  if (date !== null || typeof value !== "string" || !/^-?\d{1,16}(\.\d{1,9})?$/.test(value)) return date;
  return codec.parseTime(Number(value));
}

/** An optional time query parameter (`since`) in the codec's time format. */
export function timeQuery(params: URLSearchParams, name: string, codec: Codec): Date | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  const date = parseWireTime(codec, value);
  if (date === null) {
    throw badRequest(`${name} must be a time`, [
      { field: name, message: "must be a time", code: "invalid_time" },
    ]);
  }
  return date;
}

/** Page size when a list request names none. */
export const DEFAULT_LIMIT = 50;
/** Largest page size a list request may ask for. */
export const MAX_LIMIT = 1000;

/** Paging parameters of a list request. */
export interface PageQuery {
  limit: number;
  cursor: string | null;
}

/** `limit` (1..1000) and `cursor` (opaque, bounded). */
export function pageQuery(params: URLSearchParams, codec: Codec): PageQuery {
  const rawLimit = params.get(codec.query.limit);
  let limit = DEFAULT_LIMIT;
  if (rawLimit !== null) {
    if (!/^\d{1,4}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT) {
      throw badRequest(`${codec.query.limit} must be an integer from 1 to ${MAX_LIMIT}`, [
        {
          field: codec.query.limit,
          message: `must be an integer from 1 to ${MAX_LIMIT}`,
          code: "out_of_range",
        },
      ]);
    }
    limit = Number(rawLimit);
  }
  const cursor = params.get(codec.query.cursor);
  if (cursor !== null && (cursor === "" || cursor.length > 1024 || !/^[\w.~=+/-]+$/.test(cursor))) {
    throw badRequest("malformed cursor", [
      { field: codec.query.cursor, message: "malformed cursor", code: "invalid_cursor" },
    ]);
  }
  return { limit, cursor };
}

/** An optional enum query parameter. */
export function enumQuery<T extends string>(
  params: URLSearchParams,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw badRequest(`${name} must be one of ${allowed.join(", ")}`, [
      { field: name, message: `must be one of ${allowed.join(", ")}`, code: "invalid_enum" },
    ]);
  }
  return value as T;
}

/** An optional free-text query parameter (bounded). */
export function textQuery(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (value === "" || value.length > 256) throw badRequest(`${name} must be 1 to 256 characters`);
  return value;
}
