/** Deep copies of model rows, so callers can never mutate a store's state (in or out). */
import type { Attempt, Delivery, Message, Secret, Subscription } from "../model/types.ts";
import type { DeliveryPatch } from "./types.ts";

const date = (d: Date): Date => new Date(d.getTime());
const dateOrNull = (d: Date | null): Date | null => (d === null ? null : new Date(d.getTime()));

/** Deep copy of a subscription. Explicit literals (not spreads): one object shape, fast on the matching hot path. */
export function cloneSubscription(s: Subscription): Subscription {
  return {
    id: s.id,
    tenant: s.tenant,
    url: s.url,
    method: s.method,
    contentType: s.contentType,
    bodyTemplate: s.bodyTemplate,
    headers: { ...s.headers },
    eventTypes: s.eventTypes.slice(),
    secrets: s.secrets.map(cloneSecret),
    scheme: s.scheme,
    qos: s.qos,
    idSetAccepted: s.idSetAccepted,
    rateLimit: s.rateLimit,
    concurrency: s.concurrency,
    retrySchedule: s.retrySchedule === null ? null : s.retrySchedule.slice(),
    status: s.status,
    disabledReason: s.disabledReason,
    description: s.description,
    metadata: { ...s.metadata },
    tags: s.tags === null ? null : s.tags.slice(),
    failingSince: dateOrNull(s.failingSince),
    createdAt: date(s.createdAt),
    updatedAt: date(s.updatedAt),
    deletedAt: dateOrNull(s.deletedAt),
    version: s.version,
  };
}

function cloneSecret(x: Secret): Secret {
  return { id: x.id, value: x.value, createdAt: date(x.createdAt), expiresAt: dateOrNull(x.expiresAt) };
}

// ── stored rows ──────────────────────────────────────────────────────────────────────────────
// The memory store keeps messages, deliveries and attempts with their instants as epoch milliseconds: a
// number costs a fraction of a `Date` to keep and to copy, and every row handed out gets fresh `Date`s anyway.

/** A message with its instants as `T`: `Date` when handed out, epoch ms when kept. */
type MessageAt<T> = Omit<Message, "timestamp" | "createdAt"> & { timestamp: T; createdAt: T };

/** A delivery with its instants as `T`: `Date` when handed out, epoch ms when kept. */
type DeliveryAt<T> = Omit<
  Delivery,
  "nextAttemptAt" | "leaseUntil" | "createdAt" | "updatedAt" | "completedAt"
> & { nextAttemptAt: T | null; leaseUntil: T | null; createdAt: T; updatedAt: T; completedAt: T | null };

/** An attempt with its instant as `T`: `Date` when handed out, epoch ms when kept. */
type AttemptAt<T> = Omit<Attempt, "startedAt"> & { startedAt: T };

/** A message as the memory store keeps it. */
export type StoredMessage = MessageAt<number>;
/** A delivery as the memory store keeps it. */
export type StoredDelivery = DeliveryAt<number>;
/** An attempt as the memory store keeps it. */
export type StoredAttempt = AttemptAt<number>;

const ms = (d: Date): number => d.getTime();
const msOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime());
const dateOf = (t: number): Date => new Date(t);

// One copier per row kind, in both directions; `time` converts each instant. Explicit literals (not spreads):
// one object shape per kind, measurably cheaper on the delivery hot path.

/** A message copied (its JSON payload deeply), instants converted by `time`. */
function copyMessage<A, B>(m: MessageAt<A>, time: (t: A) => B): MessageAt<B> {
  return {
    id: m.id,
    tenant: m.tenant,
    type: m.type,
    data: cloneJson(m.data),
    timestamp: time(m.timestamp),
    resourceId: m.resourceId,
    createdAt: time(m.createdAt),
  };
}

/** A delivery copied, instants converted by `time`. */
function copyDelivery<A, B>(d: DeliveryAt<A>, time: (t: A) => B): DeliveryAt<B> {
  return {
    id: d.id,
    tenant: d.tenant,
    messageId: d.messageId,
    subscriptionId: d.subscriptionId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt === null ? null : time(d.nextAttemptAt),
    leaseUntil: d.leaseUntil === null ? null : time(d.leaseUntil),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: time(d.createdAt),
    updatedAt: time(d.updatedAt),
    completedAt: d.completedAt === null ? null : time(d.completedAt),
  };
}

/** An attempt copied (its header records too), its instant converted by `time`. */
function copyAttempt<A, B>(a: AttemptAt<A>, time: (t: A) => B): AttemptAt<B> {
  return {
    id: a.id,
    tenant: a.tenant,
    deliveryId: a.deliveryId,
    messageId: a.messageId,
    subscriptionId: a.subscriptionId,
    number: a.number,
    url: a.url,
    method: a.method,
    requestHeaders: { ...a.requestHeaders },
    status: a.status,
    responseBody: a.responseBody,
    responseHeaders: { ...a.responseHeaders },
    durationMs: a.durationMs,
    errorKind: a.errorKind,
    error: a.error,
    startedAt: time(a.startedAt),
  };
}

/** A message to keep (its JSON payload deep-copied). */
export const storeMessage = (m: Message): StoredMessage => copyMessage(m, ms);
/** A kept message handed out (a deep copy). */
export const loadMessage = (m: StoredMessage): Message => copyMessage(m, dateOf);
/** A delivery to keep. */
export const storeDelivery = (d: Delivery): StoredDelivery => copyDelivery(d, ms);
/** A kept delivery handed out (a copy). */
export const loadDelivery = (d: StoredDelivery): Delivery => copyDelivery(d, dateOf);

/** A kept delivery with `patch` applied: the fields the patch sets (not `undefined`), the others kept. */
export function patchDelivery(d: StoredDelivery, patch: DeliveryPatch): StoredDelivery {
  return {
    id: d.id,
    tenant: d.tenant,
    messageId: d.messageId,
    subscriptionId: d.subscriptionId,
    eventType: d.eventType,
    status: patch.status === undefined ? d.status : patch.status,
    attempts: patch.attempts === undefined ? d.attempts : patch.attempts,
    nextAttemptAt: patch.nextAttemptAt === undefined ? d.nextAttemptAt : msOrNull(patch.nextAttemptAt),
    leaseUntil: patch.leaseUntil === undefined ? d.leaseUntil : msOrNull(patch.leaseUntil),
    lastStatus: patch.lastStatus === undefined ? d.lastStatus : patch.lastStatus,
    lastError: patch.lastError === undefined ? d.lastError : patch.lastError,
    createdAt: d.createdAt,
    updatedAt: patch.updatedAt === undefined ? d.updatedAt : ms(patch.updatedAt),
    completedAt: patch.completedAt === undefined ? d.completedAt : msOrNull(patch.completedAt),
  };
}

/** An attempt to keep (its header records copied). */
export const storeAttempt = (a: Attempt): StoredAttempt => copyAttempt(a, ms);
/** A kept attempt handed out (a copy). */
export const loadAttempt = (a: StoredAttempt): Attempt => copyAttempt(a, dateOf);

/** Own keys of `patch` whose value is not `undefined`, copied deeply (a `Partial<…>` may carry undefined). */
export function definedEntries<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(patch) as (keyof T)[]) {
    const v = patch[key];
    if (v !== undefined) out[key] = copyValue(v);
  }
  return out;
}

function copyValue<V>(v: V): V {
  if (v instanceof Date) return new Date(v.getTime()) as V;
  return cloneJson(v);
}

/** Nesting past which {@link cloneJson} hands the whole value to `structuredClone` (it may be cyclic). */
const MAX_PLAIN_DEPTH = 256;

/**
 * Thrown inside {@link copyPlain} when the value is not for the walk (too deep, or holding a function or a
 * symbol): `structuredClone` then copies it, or throws its own `DataCloneError`, as before.
 */
const NOT_PLAIN = Symbol("not plain");

/**
 * Deep copy with `structuredClone` semantics, fast for JSON trees: plain objects and arrays are copied by a
 * walk (several times faster than `structuredClone` on small payloads); anything else (a `Date`, a `Map`,
 * a class instance, a cyclic or very deep value) goes through `structuredClone`.
 */
export function cloneJson<V>(v: V): V {
  if (v === null || typeof v !== "object") return v;
  try {
    return copyPlain(v, 0);
  } catch (err) {
    if (err === NOT_PLAIN) return structuredClone(v);
    throw err;
  }
}

function copyPlain<V>(v: V, depth: number): V {
  if (typeof v === "function" || typeof v === "symbol") throw NOT_PLAIN;
  if (v === null || typeof v !== "object") return v;
  if (depth > MAX_PLAIN_DEPTH) throw NOT_PLAIN;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    const list = v as unknown as unknown[];
    const out: unknown[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) if (i in list) out[i] = copyPlain(list[i], depth + 1);
    return out as V;
  }
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const source = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const value = copyPlain(source[key], depth + 1);
    // An own "__proto__" key (JSON.parse makes them) must stay a plain property, not set the prototype.
    if (key === "__proto__")
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out as V;
}
