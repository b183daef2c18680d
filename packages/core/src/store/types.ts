import type {
  Attempt,
  Delivery,
  DeliveryStatus,
  Message,
  Page,
  Subscription,
  SubscriptionStatus,
} from "../model/types.ts";

/** What a driver can and cannot do; the conformance suite skips what a driver declares it lacks. */
export interface StoreCapabilities {
  /** `transaction()` is atomic (all or nothing). */
  transactions: boolean;
  /** `withHostTransaction()` joins a transaction opened by the host application (transactional outbox). */
  hostTransactions: boolean;
  /** Data survives a process restart. */
  durable: boolean;
  /** Several processes may share the store (SQL servers yes, memory/embedded no). */
  multiProcess: boolean;
}

export interface ListSubscriptionsQuery {
  /** Only subscriptions whose patterns include exactly this event type / topic string. */
  eventType?: string;
  status?: SubscriptionStatus;
  includeDeleted?: boolean;
  /** 1..1000; stores clamp. */
  limit: number;
  /** Opaque cursor from a previous page. Stores throw `HooklineError("bad_request")` on a malformed one. */
  cursor?: string | null;
}

export interface ListDeliveriesQuery {
  subscriptionId?: string;
  messageId?: string;
  status?: DeliveryStatus;
  eventType?: string;
  /** Created at or after this instant. */
  since?: Date;
  limit: number;
  cursor?: string | null;
}

/** Fields of a subscription an update may change. `version` enables optimistic concurrency. */
export type SubscriptionPatch = Partial<Omit<Subscription, "id" | "tenant" | "createdAt" | "version">>;

export interface UpdateOptions {
  /** When set, the update applies only if the stored version equals it; otherwise `conflict` is thrown. */
  expectedVersion?: number;
}

/** Changes to a delivery after an attempt (or a manual retry). */
export type DeliveryPatch = Partial<
  Pick<
    Delivery,
    | "status"
    | "attempts"
    | "nextAttemptAt"
    | "leaseUntil"
    | "lastStatus"
    | "lastError"
    | "completedAt"
    | "updatedAt"
  >
>;

/** Conditions of {@link Store.updateDelivery}. */
export interface UpdateDeliveryOptions {
  expectStatus?: DeliveryStatus;
  /** The lease the caller holds (the `leaseUntil` its claim returned). */
  expectLeaseUntil?: Date;
}

export interface ClaimOptions {
  now: Date;
  /** The claimed rows are leased until `now + leaseMs`; after that another worker may claim them again. */
  leaseMs: number;
}

/** A leased delivery with what its attempt needs ({@link Store.claimDeliveriesContext}). */
export interface ClaimedDelivery {
  delivery: Delivery;
  /** Its subscription; `null` when deleted (soft or hard). */
  subscription: Subscription | null;
  /** Its message; `null` when pruned. */
  message: Message | null;
}

/** One row of {@link Store.recordAttempts}. */
export interface RecordAttemptInput {
  attempt: Attempt;
  patch: DeliveryPatch;
  fence: UpdateDeliveryOptions;
}

/** A row of {@link Store.listUnfinishedDeliveryIds}. */
export interface UnfinishedDelivery {
  id: string;
  tenant: string;
  messageId: string;
  nextAttemptAt: Date | null;
}

export interface InsertMessageResult {
  /** `false` when a message with the same (tenant, id) already existed: the emit is a duplicate. */
  inserted: boolean;
  message: Message;
}

export interface PruneOptions {
  /** Remove attempts, and messages whose deliveries are all final, older than this. */
  before: Date;
  /** Rows per batch (bounded work per call). */
  batchSize: number;
}

/** Final deliveries in one UTC hour ({@link Store.deliveryStatsByHour}). */
export interface DeliveryHourStats {
  /** Start of the hour (UTC). */
  hour: Date;
  succeeded: number;
  failed: number;
}

/**
 * Persistence for subscriptions, messages, deliveries and attempts. One contract, one conformance suite
 * (`runStoreSuite` from `@hookline/core/testing`) that every driver passes.
 *
 * Rules for every method:
 * - everything is scoped to a tenant; a row of another tenant is invisible (`null`, not an error);
 * - dates go in and come out as `Date`; objects returned are copies the caller may mutate;
 * - failures of the backend surface as `HooklineError("store_unavailable")` with the cause attached.
 */
export interface Store {
  /** Driver name, used in error messages: `[hookline] [sqlite] …`. */
  readonly name: string;
  readonly capabilities: StoreCapabilities;

  /** Runs `fn` atomically with a store bound to the transaction. Nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * A store bound to a transaction the host application opened (e.g. a Kysely `Transaction`).
   * Throws `unsupported` when `capabilities.hostTransactions` is false.
   */
  withHostTransaction(hostTx: unknown): Store;

  /** Next value of a named monotonic sequence, starting at 1 (sequential integer ids). */
  nextSequence(name: string): Promise<number>;

  // ── subscriptions ───────────────────────────────────────────────────────────────────────────
  /** Inserts; throws `conflict` when (tenant, id) exists. */
  createSubscription(sub: Subscription): Promise<Subscription>;
  getSubscription(
    tenant: string,
    id: string,
    opts?: { includeDeleted?: boolean },
  ): Promise<Subscription | null>;
  /** The subscriptions with these ids (missing ones omitted), in the order of `ids`. */
  getSubscriptions(tenant: string, ids: readonly string[]): Promise<Subscription[]>;
  /** Ordered by insertion; stable under concurrent inserts (new rows appear only on later pages). */
  listSubscriptions(tenant: string, query: ListSubscriptionsQuery): Promise<Page<Subscription>>;
  /** Count of what `listSubscriptions` would return without `limit`/`cursor`. */
  countSubscriptions(
    tenant: string,
    query: Omit<ListSubscriptionsQuery, "limit" | "cursor">,
  ): Promise<number>;
  /** Applies the patch, bumps `version`; `null` when not found (or deleted). */
  updateSubscription(
    tenant: string,
    id: string,
    patch: SubscriptionPatch,
    opts?: UpdateOptions,
  ): Promise<Subscription | null>;
  /** Hard delete (soft delete is `updateSubscription(…, { deletedAt })`). `false` when not found. */
  deleteSubscription(tenant: string, id: string): Promise<boolean>;
  /**
   * Active, non-deleted subscriptions of `tenant` whose patterns match `eventType`
   * (exact, `*`, `prefix*`, resource-level). Must be an indexed lookup over `eventTypeKeys(eventType)`
   * from `@hookline/core`, never a scan of the tenant's subscriptions.
   */
  matchSubscriptions(tenant: string, eventType: string): Promise<Subscription[]>;

  // ── messages ────────────────────────────────────────────────────────────────────────────────
  /** Idempotent on (tenant, id). */
  insertMessage(message: Message): Promise<InsertMessageResult>;
  getMessage(tenant: string, id: string): Promise<Message | null>;

  // ── deliveries ──────────────────────────────────────────────────────────────────────────────
  insertDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  getDelivery(tenant: string, id: string): Promise<Delivery | null>;
  /** Newest first. */
  listDeliveries(tenant: string, query: ListDeliveriesQuery): Promise<Page<Delivery>>;
  /**
   * Atomically leases up to `limit` due deliveries of any tenant: `pending` with `nextAttemptAt <= now`,
   * or `delivering` with `leaseUntil <= now` (a crashed worker). Sets `status: "delivering"` and
   * `leaseUntil`. Two concurrent callers never receive the same delivery. Oldest due first.
   */
  claimDueDeliveries(opts: ClaimOptions & { limit: number }): Promise<Delivery[]>;
  /** Leases one delivery by id if it is due (same rule as above); `null` otherwise. */
  claimDelivery(id: string, opts: ClaimOptions): Promise<Delivery | null>;
  /**
   * Optional fast path of the worker: for each id, `claimDelivery(id, opts)` followed by
   * `getSubscription(tenant, subscriptionId)` and `getMessage(tenant, messageId)`, with exactly their semantics
   * (the subscription is `null` when deleted), for all ids in one round trip. Returns the deliveries it claimed,
   * in any order; ids that are not due, unknown or leased elsewhere are left out. Without it the worker makes
   * the three calls per delivery.
   */
  claimDeliveriesContext?(ids: readonly string[], opts: ClaimOptions): Promise<ClaimedDelivery[]>;
  /**
   * Applies the patch; when `expectStatus` is given only if the stored status equals it, and when
   * `expectLeaseUntil` is given only if the stored lease is exactly that instant (fencing: a worker whose
   * lease expired and was taken over records nothing). `null` when a condition does not hold.
   */
  updateDelivery(
    tenant: string,
    id: string,
    patch: DeliveryPatch,
    opts?: UpdateDeliveryOptions,
  ): Promise<Delivery | null>;
  /**
   * Re-schedules final `failed` deliveries created at or after `since` (optionally of one subscription)
   * to `pending` at `now`. Returns how many.
   */
  requeueFailedDeliveries(
    tenant: string,
    opts: { since: Date; now: Date; subscriptionId?: string },
  ): Promise<number>;
  /** Earliest `nextAttemptAt` of pending deliveries (or lease expiry of delivering ones); `null` if none. */
  nextDueAt(): Promise<Date | null>;
  /** Ids of non-final deliveries, in id order after `afterId`, for queue sweeps (bounded pages). */
  listUnfinishedDeliveryIds(opts: { limit: number; afterId?: string }): Promise<UnfinishedDelivery[]>;

  // ── attempts ────────────────────────────────────────────────────────────────────────────────
  insertAttempt(attempt: Attempt): Promise<void>;
  /**
   * Optional fast path of the worker: for each row, atomically `updateDelivery(attempt.tenant,
   * attempt.deliveryId, patch, fence)` and, only when that applied, `insertAttempt(attempt)` — for all rows in
   * as few round trips as the driver can. Returns, in the order of `rows`, the updated delivery, or `null` (with
   * nothing written for that row) when its fence did not hold. Without it the worker runs each row in
   * `transaction()`.
   */
  recordAttempts?(rows: readonly RecordAttemptInput[]): Promise<(Delivery | null)[]>;
  /** Oldest first. */
  listAttempts(tenant: string, deliveryId: string): Promise<Attempt[]>;

  // ── statistics (optional) ──────────────────────────────────────────────────────────────────
  /**
   * Optional: final deliveries of `tenant` per UTC hour, by `completedAt`, for deliveries created at or after
   * `since` (the portal's 24 h chart). One bounded aggregate query; hours without deliveries may be omitted.
   * Without it, the portal pages through `listDeliveries` up to a hard cap.
   */
  deliveryStatsByHour?(tenant: string, opts: { since: Date }): Promise<DeliveryHourStats[]>;

  // ── housekeeping ────────────────────────────────────────────────────────────────────────────
  /** Deletes in bounded batches; returns how many rows were removed. */
  prune(opts: PruneOptions): Promise<number>;
  /** Releases resources owned by the store (not the host's injected clients). */
  close(): Promise<void>;
}

/**
 * Remembers message ids a receiver has processed, so retries are handled once.
 * `claim` returns `true` the first time a key is seen within `ttlMs`, `false` after.
 */
export interface DedupeStore {
  claim(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Forgets a claimed key, so a retry of that message is processed again. The receiver calls it when the
   * handler failed after the claim (threw, or answered ≥ 400). Optional: without it a failed handler's
   * retry is acknowledged as a duplicate (at-most-once). Releasing an unknown key is a no-op.
   */
  release?(key: string): Promise<void>;
}
