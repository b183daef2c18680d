import { defineCodec } from "./codec-define.ts";
import type { Codec } from "./codec-types.ts";

/**
 * The default wire format: camelCase JSON, ISO 8601 timestamps, bare objects, lists as
 * `{ data, total, nextCursor }`, 201 on create, 204 on delete, RFC 9457 problem+json errors,
 * unknown fields rejected.
 */
export const defaultCodec: Codec = defineCodec({
  name: "default",
  envelope: { key: "data", wrapSingle: false, listInfo: { total: "total", nextCursor: "nextCursor" } },
});
