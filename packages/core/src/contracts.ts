/**
 * The service contracts that tie the core together. Implementations live in their own modules
 * (`subscriptions/`, `catalog/`, `delivery/`, `router/`); `createHookline()` wires them.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type {
  Attempt,
  Delivery,
  DeliveryMethod,
  DeliveryStatus,
  JsonValue,
  Message,
  Page,
  QualityOfService,
  Subscription,
  SubscriptionStatus,
} from "./model/types.ts";
import type { Store } from "./store/types.ts";

// ── ids ─────────────────────────────────────────────────────────────────────────────────────────

export type IdKind = "subscription" | "message" | "delivery" | "attempt" | "secret";

/** Makes ids. Default: UUID v4 (v7 for time-ordered kinds). `sequentialIds()` gives 1, 2, 3 per kind. */
export type IdGenerator = (kind: IdKind, ctx: { store: Store; tenant: string }) => string | Promise<string>;

// ── event catalog ───────────────────────────────────────────────────────────────────────────────

export interface EventTypeDefinition {
  description?: string;
  /** Payload schema (zod, valibot, arktype, … anything implementing Standard Schema v1). */
  schema?: StandardSchemaV1;
  /** Example payload shown in the catalog and the portal, and sent by "send test event". */
  example?: JsonValue;
  /** Hide from the public catalog listing (still deliverable). */
  internal?: boolean;
}

export interface EventTypeInfo {
  name: string;
  description: string | null;
  example: JsonValue | null;
  /** JSON Schema of the payload when the schema vendor can produce one, else `null`. */
  jsonSchema: JsonValue | null;
}

export interface EventCatalog {
  /** Whether `pattern` (exact, wildcard or resource-level) names at least one known type, or unknown types are allowed. */
  accepts(pattern: string): boolean;
  has(type: string): boolean;
  list(): EventTypeInfo[];
  /** Validates a payload against the type's schema; throws `ValidationError` (fields under `data.`). */
  validate(type: string, data: unknown): Promise<JsonValue>;
}

// ── subscriptions service ───────────────────────────────────────────────────────────────────────

/** What a caller may supply when creating a subscription (canonical names; codecs map the wire to these). */
export interface SubscriptionInput {
  /** Client-supplied id, when the deployment allows it. Otherwise generated. */
  id?: string;
  url: string;
  method?: DeliveryMethod;
  contentType?: string;
  bodyTemplate?: string | null;
  headers?: Record<string, string>;
  eventTypes: string[];
  /** Supplied secret(s); when absent and the scheme signs, one is generated (unless `generateSecret: false`). */
  secret?: string | null;
  scheme?: string | null;
  qos?: QualityOfService;
  idSetAccepted?: boolean;
  rateLimit?: number | null;
  concurrency?: number | null;
  retrySchedule?: number[] | null;
  status?: "active" | "paused";
  description?: string | null;
  metadata?: Record<string, string>;
  tags?: string[] | null;
}

export interface ListSubscriptionsInput {
  eventType?: string;
  status?: SubscriptionStatus;
  limit?: number;
  cursor?: string | null;
}

export interface SubscriptionService {
  /** Validates (URL, event types against the catalog, sizes) and stores; throws `ValidationError`. */
  create(tenant: string, input: SubscriptionInput): Promise<Subscription>;
  /** Throws `not_found` for a missing, deleted or other tenant's subscription. */
  get(tenant: string, id: string): Promise<Subscription>;
  /** Id sets (`2,4`, `1-3`): the ones that exist, in order. */
  getMany(tenant: string, ids: readonly string[]): Promise<Subscription[]>;
  list(tenant: string, query?: ListSubscriptionsInput): Promise<Page<Subscription> & { total: number }>;
  /** PATCH semantics: only the given fields change. */
  update(tenant: string, id: string, input: Partial<SubscriptionInput>): Promise<Subscription>;
  /** PUT semantics: every field not given returns to its default. */
  replace(tenant: string, id: string, input: SubscriptionInput): Promise<Subscription>;
  /** Soft or hard per deployment configuration. Throws `not_found`. */
  delete(tenant: string, id: string): Promise<Subscription>;
  /** New current secret; the previous ones stay valid for `graceMs` (default 24 h). */
  rotateSecret(
    tenant: string,
    id: string,
    opts?: { secret?: string; graceMs?: number },
  ): Promise<Subscription>;
  pause(tenant: string, id: string): Promise<Subscription>;
  /** Resumes a paused subscription, or re-enables a disabled one (clears the failure state). */
  resume(tenant: string, id: string): Promise<Subscription>;
  /** Used by delivery: disable with a reason (`gone`, `failing`, …). */
  disable(tenant: string, id: string, reason: string): Promise<Subscription>;
}

// ── emit and deliveries ─────────────────────────────────────────────────────────────────────────

export interface EmitInput {
  type: string;
  tenant: string;
  data: unknown;
  /** Idempotency key: emitting the same id twice for a tenant delivers once. Default: generated. */
  id?: string;
  /** Event time. Default: now. */
  timestamp?: Date;
  /** The resource the event is about (seed 002 `${resource-id}`, id-set batching). */
  resourceId?: string;
}

export interface EmitOptions {
  /** The host's own transaction (e.g. a Kysely `Transaction`); the message commits or rolls back with it. */
  tx?: unknown;
  /** Deliver only to this subscription (send-test, replay). */
  subscriptionId?: string;
}

export interface EmitResult {
  message: Message;
  /** One per matching subscription; empty when none matched or the emit was a duplicate. */
  deliveries: Delivery[];
  /** `true` when this id had been emitted before: nothing new was created. */
  duplicate: boolean;
}

export interface ListDeliveriesInput {
  subscriptionId?: string;
  messageId?: string;
  status?: DeliveryStatus;
  eventType?: string;
  since?: Date;
  limit?: number;
  cursor?: string | null;
}

export interface DeliveryService {
  list(tenant: string, query?: ListDeliveriesInput): Promise<Page<Delivery>>;
  get(tenant: string, id: string): Promise<Delivery>;
  attempts(tenant: string, deliveryId: string): Promise<Attempt[]>;
  /** Re-schedules one delivery now (any final state). Throws `not_found`. */
  retry(tenant: string, deliveryId: string): Promise<Delivery>;
  /** Re-schedules every failed delivery since `since` (optionally of one subscription). Returns the count. */
  recover(tenant: string, opts: { since: Date; subscriptionId?: string }): Promise<number>;
  /** Sends an example event of `type` (default: the first the subscription matches) to one subscription. */
  sendTest(
    tenant: string,
    subscriptionId: string,
    opts?: { type?: string; data?: unknown },
  ): Promise<EmitResult>;
}

// ── operational hooks and logging ───────────────────────────────────────────────────────────────

export interface OperationalEvents {
  "delivery.succeeded": { delivery: Delivery; attempt: Attempt };
  "delivery.failed": { delivery: Delivery; attempt: Attempt; willRetry: boolean; nextAttemptAt: Date | null };
  "delivery.exhausted": { delivery: Delivery; attempt: Attempt | null };
  "subscription.disabled": { subscription: Subscription; reason: string };
  "endpoint.circuit_opened": { subscription: Subscription; until: Date };
}

export type OperationalHooks = {
  [K in keyof OperationalEvents]?: (event: OperationalEvents[K]) => void | Promise<void>;
};

/** The pino/console shape. Silent by default. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
