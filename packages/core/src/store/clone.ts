/** Deep copies of model rows, so callers can never mutate a store's state (in or out). */
import type { Attempt, Delivery, Message, Secret, Subscription } from "../model/types.ts";

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

/** Deep copy of a message (its JSON payload included). */
export function cloneMessage(m: Message): Message {
  return { ...m, data: structuredClone(m.data), timestamp: date(m.timestamp), createdAt: date(m.createdAt) };
}

/** Copy of a delivery with fresh `Date`s. */
export function cloneDelivery(d: Delivery): Delivery {
  return {
    ...d,
    nextAttemptAt: dateOrNull(d.nextAttemptAt),
    leaseUntil: dateOrNull(d.leaseUntil),
    createdAt: date(d.createdAt),
    updatedAt: date(d.updatedAt),
    completedAt: dateOrNull(d.completedAt),
  };
}

/** Copy of an attempt with fresh header records and `Date`. */
export function cloneAttempt(a: Attempt): Attempt {
  return {
    ...a,
    requestHeaders: { ...a.requestHeaders },
    responseHeaders: { ...a.responseHeaders },
    startedAt: date(a.startedAt),
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
  if (v !== null && typeof v === "object") return structuredClone(v);
  return v;
}
