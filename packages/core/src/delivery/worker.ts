/**
 * The delivery worker: the queue hands it one due delivery at a time. For each it loads the subscription and
 * the message, takes a slot from the endpoint guard, renders, signs with every live secret, sends, records
 * the attempt and the delivery's new state in one store transaction, and decides what comes next.
 */
import type {
  IdGenerator,
  Logger,
  OperationalEvents,
  OperationalHooks,
  SubscriptionService,
} from "../contracts.ts";
import { liveSecrets } from "../model/secrets.ts";
import type { Attempt, Delivery, Message, Subscription } from "../model/types.ts";
import { REDACTED, redactHeaders } from "../model/validate.ts";
import type { Queue, QueueHandler, QueueJob } from "../queue/types.ts";
import type { SigningScheme } from "../signing/types.ts";
import type { ClaimedDelivery, DeliveryPatch, Store, UpdateDeliveryOptions } from "../store/types.ts";
import { type Batcher, createBatcher } from "./batching.ts";
import { jobOf } from "./emit.ts";
import type { AttemptOutcome, AttemptSpanInfo, DeliveryTelemetry } from "./observability.ts";
import { createSlots } from "./slots.ts";
import { createClaimBatcher, createRecordBatcher } from "./store-batchers.ts";
import type {
  EndpointGuard,
  HttpClient,
  HttpResult,
  OutgoingRequest,
  RenderContext,
  Renderer,
  RetryDecision,
  RetryInput,
} from "./types.ts";

/** What the worker is built from; `createHookline()` supplies it. */
export interface DeliveryWorkerOptions {
  store: Store;
  queue: Queue;
  /** Used to disable a subscription (410 Gone, sustained failure). */
  subscriptions: Pick<SubscriptionService, "disable">;
  render: Renderer;
  renderContext: RenderContext;
  http: HttpClient;
  guard: EndpointGuard;
  decideRetry: (input: RetryInput) => RetryDecision;
  /** Deployment retry schedule (a subscription's own schedule wins). */
  retrySchedule: readonly number[];
  /** The scheme of a name; throws when unknown. */
  resolveScheme: (name: string) => SigningScheme;
  /** Scheme used when a subscription names none. */
  defaultScheme: string;
  ids: IdGenerator;
  hooks: OperationalHooks;
  logger: Logger;
  telemetry: DeliveryTelemetry;
  /** Lease taken when the worker claims a delivery itself (external queues). */
  leaseMs: number;
  /** Per-subscription concurrency when the subscription sets none (`null` = unlimited). */
  defaultConcurrency: number | null;
  /** Per-subscription requests/s when the subscription sets none (`null` = unlimited). */
  defaultRateLimit: number | null;
  /** How long a delivery of a paused subscription waits before it is looked at again. Default 60 s. */
  pausedRecheckMs?: number;
  /**
   * Most deliveries this worker attempts at once (`null` = as many as the queue hands it). A queue that hands
   * over several deliveries per job (BullMQ) relies on it; the in-process queue already stops at its own.
   */
  maxInFlight?: number | null;
  /**
   * A claimed delivery whose lease has less than this left when its turn comes is handed back (re-scheduled
   * at once) instead of attempted, so no attempt outlives its lease. Default 0 (no check).
   */
  minLeaseLeftMs?: number;
  /** Id-set batching window for `idSetAccepted` subscriptions. Default 1000 ms; 0 disables batching. */
  batchWindowMs?: number;
  /** Most deliveries merged into one id-set request. Default 50. */
  maxBatchSize?: number;
  now?: () => Date;
}

/** The worker: a queue handler. */
export interface DeliveryWorker {
  handle: QueueHandler;
}

/** One delivery with what it carries. */
export interface DeliveryItem {
  delivery: Delivery;
  message: Message;
}

/** Creates the worker. */
export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { store, queue, guard, logger, telemetry } = options;
  const now = options.now ?? (() => new Date());
  const pausedRecheckMs = options.pausedRecheckMs ?? 60_000;
  const circuitNotified = new Map<string, number>();
  /** The guard's key: limits and circuit state belong to one tenant's subscription (ids are per tenant). */
  const endpointOf = (sub: Subscription): string => `${sub.tenant}\u0000${sub.id}`;

  function fire<K extends keyof OperationalEvents>(name: K, event: OperationalEvents[K]): void {
    const hook = options.hooks[name] as ((e: OperationalEvents[K]) => void | Promise<void>) | undefined;
    if (hook === undefined) return;
    try {
      const result = hook(event);
      if (result instanceof Promise) result.catch((err: unknown) => hookFailed(name, err));
    } catch (err) {
      hookFailed(name, err);
    }
  }

  function hookFailed(name: keyof OperationalEvents, err: unknown): void {
    logger.error({ err, hook: name }, "[hookline] operational hook failed");
  }

  /**
   * Applies `patch` only while this worker still holds the delivery's lease (fencing): `null` when the lease
   * expired and another worker took the delivery over, in which case this worker must record nothing.
   */
  function update(delivery: Delivery, patch: DeliveryPatch, tx: Store = store): Promise<Delivery | null> {
    return tx.updateDelivery(delivery.tenant, delivery.id, { ...patch, updatedAt: now() }, fenceOf(delivery));
  }

  /**
   * Writes the attempts and the deliveries' new states (and the subscription's `failingSince` when it changed)
   * atomically. `null`, with nothing written, when a lease was lost to another worker.
   */
  async function recordAttempts(
    sub: Subscription,
    rows: readonly RecordRow[],
    failingSince: Date | null | undefined,
  ): Promise<Delivery[] | null> {
    const only = rows[0];
    if (rows.length === 1 && only !== undefined && failingSince === undefined && records !== null) {
      // The row's patch is this worker's own object (made by `patchFor`): stamped here rather than copied.
      only.patch.updatedAt = now();
      const final = await records.record({
        attempt: only.attempt,
        patch: only.patch,
        fence: fenceOf(only.delivery),
      });
      if (final === null) leaseLost(only.delivery);
      return final === null ? null : [final];
    }
    return store
      .transaction(async (tx) => {
        const finals: Delivery[] = [];
        for (const row of rows) {
          await tx.insertAttempt(row.attempt);
          const final = await update(row.delivery, row.patch, tx);
          // Fenced out: roll the whole record back; the worker that holds the lease records its own attempt.
          if (final === null) throw new LeaseLost(row.delivery);
          finals.push(final);
        }
        if (failingSince !== undefined) {
          await tx.updateSubscription(sub.tenant, sub.id, { failingSince, updatedAt: now() });
        }
        return finals;
      })
      .catch((err: unknown) => {
        if (!(err instanceof LeaseLost)) throw err;
        leaseLost(err.delivery);
        return null;
      });
  }

  function leaseLost(delivery: Delivery): void {
    logger.warn(
      { deliveryId: delivery.id, tenant: delivery.tenant },
      "[hookline] lease lost to another worker: this attempt is not recorded",
    );
  }

  function guardRecordFailed(err: unknown): void {
    logger.warn({ err }, "[hookline] guard.record failed");
  }

  /** Ends a delivery without an attempt (its subscription or message is gone). */
  async function abandon(delivery: Delivery, reason: string): Promise<void> {
    const at = now();
    const final = await update(delivery, {
      status: "failed",
      nextAttemptAt: null,
      leaseUntil: null,
      lastError: reason,
      completedAt: at,
    });
    if (final === null) return leaseLost(delivery);
    logger.info({ deliveryId: delivery.id, reason }, "[hookline] delivery abandoned");
    telemetry.delivered("failed", delivery.eventType);
    fire("delivery.exhausted", { delivery: final, attempt: null });
  }

  /** Puts a delivery back to pending at `at` without counting an attempt. */
  async function defer(delivery: Delivery, at: Date, reason: string): Promise<void> {
    const parked = await update(delivery, {
      status: "pending",
      nextAttemptAt: at,
      leaseUntil: null,
      lastError: reason,
    });
    if (parked === null) return leaseLost(delivery);
    await queue.schedule([jobOf(parked)]);
  }

  /**
   * Render + sign at `at` (the attempt's start: which secrets are live, and the signed timestamp); a failure
   * here is an attempt with `errorKind: "render"`.
   */
  function prepare(
    sub: Subscription,
    messages: readonly [Message, ...Message[]],
    at: Date,
  ): { request: OutgoingRequest; secretHeaders: string[] } {
    const request = options.render(sub, messages, options.renderContext);
    const t = at.getTime();
    const secrets = liveSecrets(sub.secrets, t).map((s) => s.value);
    if (secrets.length === 0) return { request, secretHeaders: [] };
    const scheme = options.resolveScheme(sub.scheme ?? options.defaultScheme);
    const signed = scheme.sign({
      id: messages[0].id,
      timestamp: Math.floor(t / 1000),
      body: request.body ?? new Uint8Array(),
      secrets,
    });
    const secretHeaders: string[] = [];
    for (const name of Object.keys(signed)) {
      if (includesAny(signed[name]!, secrets)) secretHeaders.push(name);
    }
    return { request: { ...request, headers: { ...request.headers, ...signed } }, secretHeaders };
  }

  /**
   * Renders, signs and sends one request started at `startedAt`, and decides what comes next for each item.
   * Never throws for a render or transport failure: those are results (`errorKind` `render` / `other`).
   */
  async function exchange(
    sub: Subscription,
    items: readonly [DeliveryItem, ...DeliveryItem[]],
    messages: readonly [Message, ...Message[]],
    startedAt: Date,
  ): Promise<Exchanged> {
    let request: OutgoingRequest | null = null;
    let redacted: Record<string, string> = {};
    let prepareError: unknown = null;
    try {
      const prepared = prepare(sub, messages, startedAt);
      request = prepared.request;
      redacted = redactHeaders(request.headers);
      for (const name of prepared.secretHeaders) redacted[name] = REDACTED;
    } catch (error) {
      logger.warn({ err: error, subscriptionId: sub.id }, "[hookline] could not render or sign a delivery");
      prepareError = error;
      request = null;
    }
    let result: HttpResult;
    try {
      result = request === null ? failure("render", prepareError) : await options.http.send(request);
    } catch (error) {
      result = failure("other", error);
    }
    const schedule = sub.retrySchedule ?? options.retrySchedule;
    const finishedAt = now();
    const decisions: RetryDecision[] = [];
    for (const item of items) {
      decisions.push(
        options.decideRetry({
          qos: sub.qos,
          attempts: item.delivery.attempts + 1,
          schedule,
          result,
          now: finishedAt,
          failingSince: sub.failingSince,
        }),
      );
    }
    return { request, redacted, result, decisions, finishedAt };
  }

  /** One HTTP request for one delivery, or for several merged into an id set; all share the outcome. */
  async function attempt(
    sub: Subscription,
    items: readonly [DeliveryItem, ...DeliveryItem[]],
    /** Called once the request is over (before recording): frees the worker's attempt slot early. */
    onSent: () => void = () => {},
  ): Promise<void> {
    const lead = items[0];
    const endpoint = endpointOf(sub);
    const permit = await guard.acquire(endpoint, {
      concurrency: sub.concurrency ?? options.defaultConcurrency,
      ratePerSecond: sub.rateLimit ?? options.defaultRateLimit,
    });
    if (!permit.ok) {
      await Promise.all(items.map((i) => defer(i.delivery, permit.retryAt, permit.reason)));
      if (permit.reason === "circuit_open" && circuitNotified.get(endpoint) !== permit.retryAt.getTime()) {
        circuitNotified.set(endpoint, permit.retryAt.getTime());
        fire("endpoint.circuit_opened", { subscription: sub, until: permit.retryAt });
      }
      return;
    }

    const startedAt = now();
    const messages = items.map((i) => i.message) as [Message, ...Message[]];
    let exchanged: Exchanged;
    try {
      // Without a tracer provider there is no span to run in: the exchange is awaited directly and only
      // measured (no span description, callback or extra promise per attempt).
      if (telemetry.tracing()) {
        exchanged = await telemetry.attempt(spanInfo(sub, lead), async (end) => {
          const done = await exchange(sub, items, messages, startedAt);
          end(outcomeOf(done));
          return done;
        });
      } else {
        exchanged = await exchange(sub, items, messages, startedAt);
        telemetry.measure(lead.message.type, outcomeOf(exchanged));
      }
    } finally {
      onSent();
      await permit.release();
    }
    const { request: sentRequest, redacted, result, decisions, finishedAt } = exchanged;
    const ok = decisions[0]?.action === "succeed";
    await guard.record(endpoint, ok).catch(guardRecordFailed);

    const rows: RecordRow[] = [];
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      // Awaited only when the generator answers with a promise (the default answers at once).
      const id = options.ids("attempt", { store, tenant: sub.tenant });
      const attempt: Attempt = {
        id: typeof id === "string" ? id : await id,
        tenant: sub.tenant,
        deliveryId: item.delivery.id,
        messageId: item.message.id,
        subscriptionId: sub.id,
        number: item.delivery.attempts + 1,
        url: sentRequest?.url ?? sub.url,
        method: sentRequest?.method ?? sub.method,
        requestHeaders: redacted,
        status: result.status,
        responseBody: result.body,
        responseHeaders: result.headers,
        durationMs: result.durationMs,
        errorKind: result.errorKind,
        error: result.error,
        startedAt,
      };
      const patch = patchFor(decisions[index] as RetryDecision, result, attempt.number, finishedAt);
      rows.push({ delivery: item.delivery, attempt, patch });
    }
    const failingSince = ok ? null : (sub.failingSince ?? startedAt);
    const finals = await recordAttempts(
      sub,
      rows,
      failingSince?.getTime() === sub.failingSince?.getTime() ? undefined : failingSince,
    );
    if (finals === null) return;

    let retries: Delivery[] | null = null;
    let disableReason: string | null = null;
    for (let index = 0; index < finals.length; index++) {
      const delivery = finals[index]!;
      const decision = decisions[index] as RetryDecision;
      const record = rows[index]!.attempt;
      if (decision.action === "succeed") {
        telemetry.delivered("succeeded", delivery.eventType);
        fire("delivery.succeeded", { delivery, attempt: record });
        continue;
      }
      const willRetry = decision.action === "retry";
      fire("delivery.failed", {
        delivery,
        attempt: record,
        willRetry,
        nextAttemptAt: willRetry ? decision.at : null,
      });
      if (willRetry) {
        retries ??= [];
        retries.push(delivery);
      } else {
        telemetry.delivered("failed", delivery.eventType);
        fire("delivery.exhausted", { delivery, attempt: record });
        if (decision.action === "disable") disableReason = decision.reason;
      }
    }
    if (retries !== null) await queue.schedule(retries.map(jobOf));
    if (disableReason !== null && sub.status !== "disabled") {
      try {
        const disabled = await options.subscriptions.disable(sub.tenant, sub.id, disableReason);
        logger.warn({ subscriptionId: sub.id, reason: disableReason }, "[hookline] subscription disabled");
        fire("subscription.disabled", { subscription: disabled, reason: disableReason });
      } catch (err) {
        // Deleted meanwhile, or the store failed: the delivery is recorded either way.
        logger.error({ err, subscriptionId: sub.id }, "[hookline] could not disable a subscription");
      }
    }
  }

  /** The job's delivery (claimed here unless the queue leased it), its subscription and its message. */
  async function load(job: QueueJob): Promise<ClaimedDelivery | null> {
    if (job.leased === undefined && store.claimDeliveriesContext) return claims.claim(job.deliveryId);
    const delivery =
      job.leased ?? (await store.claimDelivery(job.deliveryId, { now: now(), leaseMs: options.leaseMs }));
    if (delivery === null) return null;
    const subscription = await store.getSubscription(delivery.tenant, delivery.subscriptionId);
    const message =
      subscription?.status === "active" ? await store.getMessage(delivery.tenant, delivery.messageId) : null;
    return { delivery, subscription, message };
  }

  /** Attempts finishing in the same turn of the event loop are recorded in one store call. */
  const records =
    store.recordAttempts === undefined ? null : createRecordBatcher(store.recordAttempts.bind(store));
  const claims = createClaimBatcher((ids) =>
    (store.claimDeliveriesContext as NonNullable<Store["claimDeliveriesContext"]>)(ids, {
      now: now(),
      leaseMs: options.leaseMs,
    }),
  );
  const slots = createSlots(options.maxInFlight ?? null);
  const minLeaseLeftMs = options.minLeaseLeftMs ?? 0;

  /** Not `async`: every path answers with the promise of the step it hands over to (no extra promise). */
  function run(claimed: ClaimedDelivery, onSent: () => void): Promise<void> {
    const { delivery, subscription: sub, message } = claimed;
    if (sub === null) return abandon(delivery, "subscription_deleted");
    if (sub.status === "disabled") return abandon(delivery, "subscription_disabled");
    if (sub.status === "paused") {
      return defer(delivery, new Date(now().getTime() + pausedRecheckMs), "subscription_paused");
    }
    if (message === null) return abandon(delivery, "message_missing");
    // Waited too long for a slot: the lease may run out mid-attempt and let another worker in. Hand it back.
    if (delivery.leaseUntil !== null && delivery.leaseUntil.getTime() - now().getTime() < minLeaseLeftMs) {
      return defer(delivery, now(), "lease_expiring");
    }
    const item = { delivery, message };
    if (sub.idSetAccepted) {
      return batcher.add(`${sub.tenant}\u0000${sub.id}\u0000${message.type}`, sub, item);
    }
    return attempt(sub, [item], onSent);
  }

  const batcher: Batcher<Subscription, DeliveryItem> = createBatcher({
    windowMs: options.batchWindowMs ?? 1000,
    maxSize: options.maxBatchSize ?? 50,
    flush: attempt,
  });

  return {
    async handle(job) {
      const claimed = await load(job);
      if (claimed === null) return;
      // The slot bounds requests in flight: it is held from the guard to the response, not while recording.
      if (!slots.tryAcquire()) await slots.acquire(); // no await (and no turn given up) when a slot is free
      let held = true;
      const free = () => {
        if (!held) return;
        held = false;
        slots.release();
      };
      try {
        await run(claimed, free);
      } finally {
        free();
      }
    },
  };
}

/** One attempt to record, with the delivery it belongs to (as claimed) and the delivery's new state. */
interface RecordRow {
  delivery: Delivery;
  attempt: Attempt;
  patch: DeliveryPatch;
}

/** The condition under which a worker may write a delivery: it still holds the lease it claimed. */
function fenceOf(delivery: Delivery): UpdateDeliveryOptions {
  return delivery.leaseUntil === null
    ? { expectStatus: "delivering" }
    : { expectStatus: "delivering", expectLeaseUntil: delivery.leaseUntil };
}

/** What one request came to: what was sent (`null` when rendering failed), its result and the decisions. */
interface Exchanged {
  request: OutgoingRequest | null;
  /** The sent headers as recorded (secrets redacted). */
  redacted: Record<string, string>;
  result: HttpResult;
  /** One per item, in order. */
  decisions: RetryDecision[];
  /** When the response (or the failure) came: the decisions' clock and a final state's `completedAt`. */
  finishedAt: Date;
}

/** What an attempt span describes: the lead delivery of the request. */
function spanInfo(sub: Subscription, lead: DeliveryItem): AttemptSpanInfo {
  return {
    tenant: sub.tenant,
    deliveryId: lead.delivery.id,
    messageId: lead.message.id,
    subscriptionId: sub.id,
    eventType: lead.message.type,
    attempt: lead.delivery.attempts + 1,
    method: sub.method,
    url: sub.url,
  };
}

/** The outcome the telemetry records for an exchange. */
function outcomeOf({ result, decisions }: Exchanged): AttemptOutcome {
  return {
    status: result.status,
    errorKind: result.errorKind,
    durationMs: result.durationMs,
    decision: decisions[0]?.action ?? "fail",
  };
}

/** The delivery's new state after an attempt decided `decision`; final states completed at `completedAt`. */
function patchFor(
  decision: RetryDecision,
  result: HttpResult,
  attempts: number,
  completedAt: Date,
): DeliveryPatch {
  const lastStatus = result.status;
  switch (decision.action) {
    case "succeed":
      return {
        attempts,
        leaseUntil: null,
        lastStatus,
        status: "succeeded",
        nextAttemptAt: null,
        lastError: null,
        completedAt,
      };
    case "retry":
      return {
        attempts,
        leaseUntil: null,
        lastStatus,
        status: "pending",
        nextAttemptAt: decision.at,
        lastError: decision.reason,
      };
    default:
      return {
        attempts,
        leaseUntil: null,
        lastStatus,
        status: "failed",
        nextAttemptAt: null,
        lastError: decision.reason,
        completedAt,
      };
  }
}

/** Whether `text` contains one of `parts` (a signature header that carries a secret is redacted). */
function includesAny(text: string, parts: readonly string[]): boolean {
  for (const part of parts) if (text.includes(part)) return true;
  return false;
}

/** Thrown inside the recording transaction to roll it back when the lease was taken over. */
class LeaseLost extends Error {
  readonly delivery: Delivery;
  constructor(delivery: Delivery) {
    super("[hookline] lease lost");
    this.delivery = delivery;
  }
}

function failure(kind: "render" | "other", error: unknown): HttpResult {
  return {
    status: null,
    headers: {},
    body: null,
    durationMs: 0,
    errorKind: kind,
    error: error instanceof Error ? error.message : String(error),
  };
}
