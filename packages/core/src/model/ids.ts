/**
 * Id generators. A deployment picks one (`uuidIds()` by default); the codec decides how ids look on the
 * wire, the generator decides what they are.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IdGenerator, IdKind } from "../contracts.ts";

/** Kinds whose ids are time-ordered by default (UUID v7), so they sort by creation. */
const TIME_ORDERED: ReadonlySet<IdKind> = new Set(["message", "delivery", "attempt"]);

/** Options of {@link uuidIds}. */
export interface UuidIdsOptions {
  /** Use UUID v7 (time-ordered) for messages, deliveries and attempts. Default `true`. */
  timeOrdered?: boolean;
  /** Clock for v7 ids, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** UUID ids: v4 for subscriptions and secrets, v7 (time-ordered) for messages, deliveries and attempts. */
export function uuidIds(opts: UuidIdsOptions = {}): IdGenerator {
  const timeOrdered = opts.timeOrdered ?? true;
  const now = opts.now ?? Date.now;
  return (kind) => (timeOrdered && TIME_ORDERED.has(kind) ? uuidV7(now()) : randomUUID());
}

/** A UUID v7 (RFC 9562): 48-bit millisecond timestamp, version 7, variant 10, 74 random bits. */
export function uuidV7(ms: number = Date.now()): string {
  const bytes = randomBytes(16);
  let t = Math.max(0, Math.floor(ms));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Sequential integer ids per kind (`"1"`, `"2"`, …) from the store's `nextSequence(kind)` — seed 002's
 * `/webhook/2,4`. Sequences are global per kind (not per tenant), so ids stay unique across tenants.
 */
export function sequentialIds(): IdGenerator {
  return async (kind, { store }) => String(await store.nextSequence(kind));
}

/** Options of {@link objectIds}. */
export interface ObjectIdsOptions {
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * MongoDB-style ObjectIds: 24 lowercase hex digits (4-byte seconds timestamp, 5 random bytes fixed per
 * generator, 3-byte counter) — seed 003's `60f8c3b3c4e5c3001f5b5c3e`.
 */
export function objectIds(opts: ObjectIdsOptions = {}): IdGenerator {
  const now = opts.now ?? Date.now;
  const machine = randomBytes(5).toString("hex");
  let counter = randomBytes(3).readUIntBE(0, 3);
  return () => {
    const seconds = Math.floor(now() / 1000) >>> 0;
    counter = (counter + 1) % 0x1000000;
    return seconds.toString(16).padStart(8, "0") + machine + counter.toString(16).padStart(6, "0");
  };
}

/**
 * Prefixed ids (`sub_…`, `msg_…`): `prefix` is one string for every kind or one per kind; the rest comes
 * from `inner` (default {@link uuidIds}).
 */
export function prefixedIds(
  prefix: string | Partial<Record<IdKind, string>>,
  inner: IdGenerator = uuidIds(),
): IdGenerator {
  return async (kind, ctx) => {
    const p = typeof prefix === "string" ? prefix : (prefix[kind] ?? "");
    return p + (await inner(kind, ctx));
  };
}
