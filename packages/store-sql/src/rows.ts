/** Converting between hookline's model and table rows: dates as integer ms, JSON as text, booleans as 0/1. */
import type {
  Attempt,
  AttemptErrorKind,
  Delivery,
  DeliveryMethod,
  DeliveryStatus,
  JsonValue,
  Message,
  QualityOfService,
  Secret,
  Subscription,
  SubscriptionStatus,
} from "@hookline/core";
import type { Insertable, Selectable } from "kysely";
import type { AttemptRow, DbInt, DeliveryRow, MessageRow, SubscriptionRow } from "./schema.ts";

/** An integer column as a number (pg returns `bigint` as a string, mysql2 may too). */
export function num(v: DbInt): number {
  return typeof v === "number" ? v : Number(v);
}
export function numOrNull(v: DbInt | null | undefined): number | null {
  return v === null || v === undefined ? null : num(v);
}
export function ms(d: Date): number {
  return d.getTime();
}
export function msOrNull(d: Date | null | undefined): number | null {
  return d ? d.getTime() : null;
}
export function date(v: DbInt): Date {
  return new Date(num(v));
}
export function dateOrNull(v: DbInt | null | undefined): Date | null {
  return v === null || v === undefined ? null : new Date(num(v));
}
function json(v: unknown): string {
  return JSON.stringify(v);
}
function parse<T>(v: string): T {
  return JSON.parse(v) as T;
}
function parseOrNull<T>(v: string | null): T | null {
  return v === null ? null : (JSON.parse(v) as T);
}

interface StoredSecret {
  id: string;
  value: string;
  createdAt: number;
  expiresAt: number | null;
}

// ── subscriptions ──────────────────────────────────────────────────────────────────────────────

type SubscriptionColumns = Omit<Insertable<SubscriptionRow>, "seq">;

/** The columns of the fields present in `s` (a whole subscription or a patch). */
export function subscriptionColumns(s: Partial<Subscription>): Partial<SubscriptionColumns> {
  const c: Partial<SubscriptionColumns> = {};
  if (s.tenant !== undefined) c.tenant = s.tenant;
  if (s.id !== undefined) c.id = s.id;
  if (s.url !== undefined) c.url = s.url;
  if (s.method !== undefined) c.method = s.method;
  if (s.contentType !== undefined) c.content_type = s.contentType;
  if (s.bodyTemplate !== undefined) c.body_template = s.bodyTemplate;
  if (s.headers !== undefined) c.headers = json(s.headers);
  if (s.eventTypes !== undefined) c.event_types = json(s.eventTypes);
  if (s.secrets !== undefined) {
    c.secrets = json(
      s.secrets.map(
        (x): StoredSecret => ({
          id: x.id,
          value: x.value,
          createdAt: ms(x.createdAt),
          expiresAt: msOrNull(x.expiresAt),
        }),
      ),
    );
  }
  if (s.scheme !== undefined) c.scheme = s.scheme;
  if (s.qos !== undefined) c.qos = s.qos;
  if (s.idSetAccepted !== undefined) c.id_set_accepted = s.idSetAccepted ? 1 : 0;
  if (s.rateLimit !== undefined) c.rate_limit = s.rateLimit;
  if (s.concurrency !== undefined) c.concurrency = s.concurrency;
  if (s.retrySchedule !== undefined)
    c.retry_schedule = s.retrySchedule === null ? null : json(s.retrySchedule);
  if (s.status !== undefined) c.status = s.status;
  if (s.disabledReason !== undefined) c.disabled_reason = s.disabledReason;
  if (s.description !== undefined) c.description = s.description;
  if (s.metadata !== undefined) c.metadata = json(s.metadata);
  if (s.tags !== undefined) c.tags = s.tags === null ? null : json(s.tags);
  if (s.failingSince !== undefined) c.failing_since = msOrNull(s.failingSince);
  if (s.createdAt !== undefined) c.created_at = ms(s.createdAt);
  if (s.updatedAt !== undefined) c.updated_at = ms(s.updatedAt);
  if (s.deletedAt !== undefined) c.deleted_at = msOrNull(s.deletedAt);
  if (s.version !== undefined) c.version = s.version;
  return c;
}

/** All columns of a whole subscription (for inserts). */
export function subscriptionInsert(s: Subscription): SubscriptionColumns {
  return subscriptionColumns(s) as SubscriptionColumns;
}

/** A subscription row (as selected) to the model. */
export function toSubscription(r: Selectable<SubscriptionRow>): Subscription {
  return {
    id: r.id,
    tenant: r.tenant,
    url: r.url,
    method: r.method as DeliveryMethod,
    contentType: r.content_type,
    bodyTemplate: r.body_template,
    headers: parse<Record<string, string>>(r.headers),
    eventTypes: parse<string[]>(r.event_types),
    secrets: parse<StoredSecret[]>(r.secrets).map(
      (x): Secret => ({
        id: x.id,
        value: x.value,
        createdAt: new Date(x.createdAt),
        expiresAt: x.expiresAt === null ? null : new Date(x.expiresAt),
      }),
    ),
    scheme: r.scheme,
    qos: num(r.qos) as QualityOfService,
    idSetAccepted: num(r.id_set_accepted) === 1,
    rateLimit: r.rate_limit === null ? null : Number(r.rate_limit),
    concurrency: numOrNull(r.concurrency),
    retrySchedule: parseOrNull<number[]>(r.retry_schedule),
    status: r.status as SubscriptionStatus,
    disabledReason: r.disabled_reason,
    description: r.description,
    metadata: parse<Record<string, string>>(r.metadata),
    tags: parseOrNull<string[]>(r.tags),
    failingSince: dateOrNull(r.failing_since),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    deletedAt: dateOrNull(r.deleted_at),
    version: num(r.version),
  };
}

// ── messages ───────────────────────────────────────────────────────────────────────────────────

export function messageColumns(m: Message): Omit<Insertable<MessageRow>, "seq"> {
  return {
    tenant: m.tenant,
    id: m.id,
    type: m.type,
    data: json(m.data),
    timestamp: ms(m.timestamp),
    resource_id: m.resourceId,
    created_at: ms(m.createdAt),
  };
}

export function toMessage(r: Selectable<MessageRow>): Message {
  return {
    id: r.id,
    tenant: r.tenant,
    type: r.type,
    data: parse<JsonValue>(r.data),
    timestamp: date(r.timestamp),
    resourceId: r.resource_id,
    createdAt: date(r.created_at),
  };
}

// ── deliveries ─────────────────────────────────────────────────────────────────────────────────

type DeliveryColumns = Omit<Insertable<DeliveryRow>, "seq">;

export function deliveryColumns(d: Partial<Delivery>): Partial<DeliveryColumns> {
  const c: Partial<DeliveryColumns> = {};
  if (d.id !== undefined) c.id = d.id;
  if (d.tenant !== undefined) c.tenant = d.tenant;
  if (d.messageId !== undefined) c.message_id = d.messageId;
  if (d.subscriptionId !== undefined) c.subscription_id = d.subscriptionId;
  if (d.eventType !== undefined) c.event_type = d.eventType;
  if (d.status !== undefined) c.status = d.status;
  if (d.attempts !== undefined) c.attempts = d.attempts;
  if (d.nextAttemptAt !== undefined) c.next_attempt_at = msOrNull(d.nextAttemptAt);
  if (d.leaseUntil !== undefined) c.lease_until = msOrNull(d.leaseUntil);
  if (d.lastStatus !== undefined) c.last_status = d.lastStatus;
  if (d.lastError !== undefined) c.last_error = d.lastError;
  if (d.createdAt !== undefined) c.created_at = ms(d.createdAt);
  if (d.updatedAt !== undefined) c.updated_at = ms(d.updatedAt);
  if (d.completedAt !== undefined) c.completed_at = msOrNull(d.completedAt);
  return c;
}

/** All columns of a whole delivery (for inserts). */
export function deliveryInsert(d: Delivery): DeliveryColumns {
  return deliveryColumns(d) as DeliveryColumns;
}

export function toDelivery(r: Selectable<DeliveryRow>): Delivery {
  return {
    id: r.id,
    tenant: r.tenant,
    messageId: r.message_id,
    subscriptionId: r.subscription_id,
    eventType: r.event_type,
    status: r.status as DeliveryStatus,
    attempts: num(r.attempts),
    nextAttemptAt: dateOrNull(r.next_attempt_at),
    leaseUntil: dateOrNull(r.lease_until),
    lastStatus: numOrNull(r.last_status),
    lastError: r.last_error,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    completedAt: dateOrNull(r.completed_at),
  };
}

// ── attempts ───────────────────────────────────────────────────────────────────────────────────

export function attemptColumns(a: Attempt): Omit<Insertable<AttemptRow>, "seq"> {
  return {
    id: a.id,
    tenant: a.tenant,
    delivery_id: a.deliveryId,
    message_id: a.messageId,
    subscription_id: a.subscriptionId,
    number: a.number,
    url: a.url,
    method: a.method,
    request_headers: json(a.requestHeaders),
    status: a.status,
    response_body: a.responseBody,
    response_headers: json(a.responseHeaders),
    duration_ms: a.durationMs,
    error_kind: a.errorKind,
    error: a.error,
    started_at: ms(a.startedAt),
  };
}

export function toAttempt(r: Selectable<AttemptRow>): Attempt {
  return {
    id: r.id,
    tenant: r.tenant,
    deliveryId: r.delivery_id,
    messageId: r.message_id,
    subscriptionId: r.subscription_id,
    number: num(r.number),
    url: r.url,
    method: r.method as DeliveryMethod,
    requestHeaders: parse<Record<string, string>>(r.request_headers),
    status: numOrNull(r.status),
    responseBody: r.response_body,
    responseHeaders: parse<Record<string, string>>(r.response_headers),
    durationMs: Number(r.duration_ms),
    errorKind: r.error_kind as AttemptErrorKind | null,
    error: r.error,
    startedAt: date(r.started_at),
  };
}

// ── cursors ────────────────────────────────────────────────────────────────────────────────────

/** An opaque cursor over the auto-increment `seq`. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString("base64url");
}

/** The `seq` of a cursor, or `null` when malformed. */
export function decodeCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^s:(\d{1,16})$/.exec(text);
  if (!m) return null;
  const seq = Number(m[1]);
  return Number.isSafeInteger(seq) ? seq : null;
}
