/**
 * The canonical model. Everything on the wire (seed APIs, the default JSON) is mapped to and from these
 * shapes by a codec; every store persists exactly these shapes.
 */

/** JSON value, as carried in message payloads and metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** HTTP methods a subscription may deliver with. GET deliveries carry no body. */
export type DeliveryMethod = "POST" | "PUT" | "GET";

/** 0 = one attempt, no retry; 1 = at-least-once with the retry schedule. */
export type QualityOfService = 0 | 1;

export type SubscriptionStatus = "active" | "paused" | "disabled";

/** One signing secret of a subscription. Several may be live during rotation. */
export interface Secret {
  /** Stable id of this secret (for listing and revoking), never the secret itself. */
  id: string;
  /** The secret material in the scheme's own format (`whsec_…`, 64-hex, a token, …). */
  value: string;
  createdAt: Date;
  /** After this instant the secret no longer signs. `null` = no expiry (the current secret). */
  expiresAt: Date | null;
}

/** A tenant's subscription to a set of event types. */
export interface Subscription {
  id: string;
  /** The customer account that owns it. Every read and write is scoped to one tenant. */
  tenant: string;
  /** Target URL, or a URI template with `${…}` placeholders (seed 002). */
  url: string;
  method: DeliveryMethod;
  /** Content type of the request body. Default `application/json`. */
  contentType: string;
  /** Body template with `${…}` placeholders; `null` = the configured JSON envelope. */
  bodyTemplate: string | null;
  /** Extra request headers sent with every delivery. */
  headers: Record<string, string>;
  /** Event type patterns: exact names, `*`, `prefix:*` / `prefix.*`, or a resource name (`product`). */
  eventTypes: string[];
  /** Live secrets, newest first. Empty = deliveries are unsigned (seed 003 without a secret). */
  secrets: Secret[];
  /** Signing scheme name; `null` = the deployment's default scheme. */
  scheme: string | null;
  qos: QualityOfService;
  /** Seed 002 `idSetAccepted`: deliveries for the same resource type may be merged into one id set. */
  idSetAccepted: boolean;
  /** Max requests per second to this subscription; `null` = deployment default / unlimited. */
  rateLimit: number | null;
  /** Max concurrent requests to this subscription; `null` = deployment default. */
  concurrency: number | null;
  /** Retry schedule in milliseconds after the first attempt; `null` = deployment default. */
  retrySchedule: number[] | null;
  status: SubscriptionStatus;
  /** Why the subscription is disabled (e.g. `gone`, `failing`, `manual`); `null` unless disabled. */
  disabledReason: string | null;
  description: string | null;
  metadata: Record<string, string>;
  /** Free tags (seed 001 `tags`). `null` when never set. */
  tags: string[] | null;
  /** Start of the current unbroken run of failed attempts, for auto-disable; `null` when healthy. */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Set by a soft delete. Soft-deleted subscriptions receive nothing and are hidden from lists. */
  deletedAt: Date | null;
  /** Incremented by every update; used for optimistic concurrency. */
  version: number;
}

/** One emitted event. Its id is stable across retries and is the idempotency key per tenant. */
export interface Message {
  id: string;
  tenant: string;
  /** Event type name from the catalog, e.g. `invoice.paid`, `pud:status_update`. */
  type: string;
  data: JsonValue;
  /** When the event happened (the envelope's `timestamp`). */
  timestamp: Date;
  /** Optional id of the resource the event is about (`${resource-id}` of seed 002, id-set batching). */
  resourceId: string | null;
  createdAt: Date;
}

/**
 * `pending`: waiting for `nextAttemptAt`; `delivering`: leased by a worker until `leaseUntil`;
 * `succeeded` / `failed`: final. A `delivering` row whose lease expired is due again (crash recovery).
 */
export type DeliveryStatus = "pending" | "delivering" | "succeeded" | "failed";

/** One message to one subscription. */
export interface Delivery {
  id: string;
  tenant: string;
  messageId: string;
  subscriptionId: string;
  /** Copied from the message, for filtering. */
  eventType: string;
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due (`pending`), `null` when final. */
  nextAttemptAt: Date | null;
  /** While `delivering`: the lease; another worker may take it over after this instant. */
  leaseUntil: Date | null;
  /** HTTP status of the last attempt, if any. */
  lastStatus: number | null;
  /** Short reason of the last failure (`timeout`, `http_500`, `ssrf_blocked`, `exhausted`, …). */
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** When it reached a final state. */
  completedAt: Date | null;
}

/** Why an attempt failed, when it did. */
export type AttemptErrorKind =
  | "timeout"
  | "connect"
  | "dns"
  | "reset"
  | "ssrf_blocked"
  | "redirect"
  | "http_status"
  | "response_too_large"
  | "rate_limited"
  | "circuit_open"
  | "render"
  | "other";

/** One HTTP request of a delivery, as recorded in the attempt log. */
export interface Attempt {
  id: string;
  tenant: string;
  deliveryId: string;
  messageId: string;
  subscriptionId: string;
  /** 1-based. */
  number: number;
  url: string;
  method: DeliveryMethod;
  /** Request headers as sent, with secrets and sensitive custom headers redacted. */
  requestHeaders: Record<string, string>;
  /** HTTP status, `null` when no response arrived. */
  status: number | null;
  /** Excerpt of the response body (capped, default 64 KiB). */
  responseBody: string | null;
  responseHeaders: Record<string, string>;
  durationMs: number;
  errorKind: AttemptErrorKind | null;
  error: string | null;
  startedAt: Date;
}

/** A page of results with an opaque cursor to the next page (`null` at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
