/**
 * Id generators. A deployment picks one (`uuidIds()` by default); the codec decides how ids look on the
 * wire, the generator decides what they are.
 */
import { randomBytes, randomFillSync, randomUUID } from "node:crypto";
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

/** Random bytes one v7 id consumes (74 random bits live in them). */
const V7_RANDOM_BYTES = 10;
/**
 * Random bytes for v7 ids, filled in bulk (one `randomFillSync` per 819 ids instead of a `randomBytes` call
 * per id); every byte is used once, then the pool is refilled.
 */
const v7Pool = Buffer.allocUnsafe(V7_RANDOM_BYTES * 819);
let v7Offset = v7Pool.length;
/** ASCII codes of the lower-case hex digits. */
const HEX_DIGITS = Buffer.from("0123456789abcdef", "latin1");
/** Where the 32 hex digits of a UUID go in its 36-character text (the rest are dashes). */
const HEX_SLOTS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** The text of the id being made: filled in place, then read out as one flat string. */
const v7Text = Buffer.from("00000000-0000-7000-8000-000000000000", "latin1");

/** A UUID v7 (RFC 9562): 48-bit millisecond timestamp, version 7, variant 10, 74 random bits. */
export function uuidV7(ms: number = Date.now()): string {
  if (v7Offset + V7_RANDOM_BYTES > v7Pool.length) {
    randomFillSync(v7Pool);
    v7Offset = 0;
  }
  const r = v7Offset;
  v7Offset += V7_RANDOM_BYTES;
  // The low 48 bits of the whole milliseconds, as two 24-bit halves (bit operations stay exact on them).
  const t = Math.max(0, Math.floor(ms));
  const hi = Math.floor(t / 0x1000000) % 0x1000000;
  const lo = t % 0x1000000;
  writeByte(0, (hi >>> 16) & 0xff);
  writeByte(1, (hi >>> 8) & 0xff);
  writeByte(2, hi & 0xff);
  writeByte(3, (lo >>> 16) & 0xff);
  writeByte(4, (lo >>> 8) & 0xff);
  writeByte(5, lo & 0xff);
  writeByte(6, (v7Pool[r]! & 0x0f) | 0x70);
  writeByte(7, v7Pool[r + 1]!);
  writeByte(8, (v7Pool[r + 2]! & 0x3f) | 0x80);
  for (let i = 3; i < V7_RANDOM_BYTES; i++) writeByte(6 + i, v7Pool[r + i]!);
  // A flat string (not a rope of concatenations): cheap to hash as a map key and compact to keep.
  return v7Text.toString("latin1", 0, 36);
}

/** Writes byte `index` of the UUID (0–15) as two hex digits into {@link v7Text}. */
function writeByte(index: number, value: number): void {
  const at = HEX_SLOTS[index]!;
  v7Text[at] = HEX_DIGITS[value >>> 4]!;
  v7Text[at + 1] = HEX_DIGITS[value & 0x0f]!;
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
