/** Opaque pagination cursors over an internal position (a sequence number), base64url-encoded. */
import { HooklineError } from "../errors.ts";

const PREFIX = "p1:";

/** Encodes a position as an opaque cursor. */
export function encodeCursor(position: number): string {
  return Buffer.from(PREFIX + position.toString(36)).toString("base64url");
}

/** Decodes a cursor from {@link encodeCursor}; throws `bad_request` on anything else. */
export function decodeCursor(cursor: string, driver: string): number {
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, "base64url").toString() : "";
  const body = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : "";
  const position = /^[0-9a-z]{1,11}$/.test(body) ? Number.parseInt(body, 36) : Number.NaN;
  if (!Number.isSafeInteger(position)) {
    throw new HooklineError("bad_request", `[hookline] [${driver}] malformed cursor`);
  }
  return position;
}

/** Clamps a page size to 1..1000 (non-numbers become 50). */
export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return 50;
  return Math.min(1000, Math.max(1, Math.floor(limit)));
}
