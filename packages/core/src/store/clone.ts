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

/** A message as the memory store keeps it. */
export interface StoredMessage extends Omit<Message, "timestamp" | "createdAt"> {
  timestamp: number;
  createdAt: number;
}

/** A delivery as the memory store keeps it. */
export interface StoredDelivery
  extends Omit<Delivery, "nextAttemptAt" | "leaseUntil" | "createdAt" | "updatedAt" | "completedAt"> {
  nextAttemptAt: number | null;
  leaseUntil: number | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
}

/** An attempt as the memory store keeps it. */
export interface StoredAttempt extends Omit<Attempt, "startedAt"> {
  startedAt: number;
}

const ms = (d: Date): number => d.getTime();
const msOrNull = (d: Date | null): number | null => (d === null ? null : d.getTime());
const dateOf = (t: number): Date => new Date(t);
const dateOfOrNull = (t: number | null): Date | null => (t === null ? null : new Date(t));

/** A message to keep (its JSON payload deep-copied). */
export function storeMessage(m: Message): StoredMessage {
  return {
    id: m.id,
    tenant: m.tenant,
    type: m.type,
    data: cloneJson(m.data),
    timestamp: ms(m.timestamp),
    resourceId: m.resourceId,
    createdAt: ms(m.createdAt),
  };
}

/** A kept message handed out (a deep copy). */
export function loadMessage(m: StoredMessage): Message {
  return {
    id: m.id,
    tenant: m.tenant,
    type: m.type,
    data: cloneJson(m.data),
    timestamp: dateOf(m.timestamp),
    resourceId: m.resourceId,
    createdAt: dateOf(m.createdAt),
  };
}

/** A delivery to keep. */
export function storeDelivery(d: Delivery): StoredDelivery {
  return {
    id: d.id,
    tenant: d.tenant,
    messageId: d.messageId,
    subscriptionId: d.subscriptionId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: msOrNull(d.nextAttemptAt),
    leaseUntil: msOrNull(d.leaseUntil),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: ms(d.createdAt),
    updatedAt: ms(d.updatedAt),
    completedAt: msOrNull(d.completedAt),
  };
}

/** A kept delivery handed out (a copy). */
export function loadDelivery(d: StoredDelivery): Delivery {
  return {
    id: d.id,
    tenant: d.tenant,
    messageId: d.messageId,
    subscriptionId: d.subscriptionId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: dateOfOrNull(d.nextAttemptAt),
    leaseUntil: dateOfOrNull(d.leaseUntil),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: dateOf(d.createdAt),
    updatedAt: dateOf(d.updatedAt),
    completedAt: dateOfOrNull(d.completedAt),
  };
}

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
export function storeAttempt(a: Attempt): StoredAttempt {
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
    startedAt: ms(a.startedAt),
  };
}

/** A kept attempt handed out (a copy). */
export function loadAttempt(a: StoredAttempt): Attempt {
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
    startedAt: dateOf(a.startedAt),
  };
}

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
