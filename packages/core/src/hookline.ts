/**
 * `createHookline()`: the main entry point. It wires the store, the queue, the event catalog, the
 * subscription service, the HTTP API (a fetch router) and the delivery pipeline into one object.
 *
 * ```ts
 * const webhooks = createHookline({
 *   catalog: { types: { "invoice.paid": { schema: z.object({ id: z.string() }) } } },
 *   api: { auth: bearerAuth({ resolve: (token) => tenantOf(token) }) },
 * });
 * await webhooks.start();                       // deliver from this process
 * app.all("/webhooks/*", (req) => webhooks.fetch(req));
 * await webhooks.emit({ type: "invoice.paid", tenant: "acme", data: { id: "in_1" } });
 * await webhooks.close({ timeoutMs: 10_000 });  // graceful shutdown
 * ```
 */
import { type CatalogOptions, createCatalog } from "./catalog/catalog.ts";
import type {
  EmitInput,
  EmitOptions,
  EmitResult,
  EventCatalog,
  IdGenerator,
  Logger,
  OperationalHooks,
  SubscriptionService,
} from "./contracts.ts";
import { createEmitter } from "./delivery/emit.ts";
import { createDeliveryTelemetry } from "./delivery/observability.ts";
import { memoryEndpointGuard } from "./delivery/policy/endpoint-guard.ts";
import {
  createRetryPolicy,
  DEFAULT_RETRY_SCHEDULE,
  type RetryPolicyOptions,
} from "./delivery/policy/retry.ts";
import { standardEnvelope } from "./delivery/render/envelope.ts";
import { renderRequest } from "./delivery/render/render-request.ts";
import { createDeliveryService, type HooklineDeliveryService } from "./delivery/service.ts";
import { createHttpClient } from "./delivery/transport/http-client.ts";
import { createSsrfGuard, validateDeliveryUrl } from "./delivery/transport/ssrf.ts";
import type { EndpointGuard, EnvelopeBuilder, RenderContext } from "./delivery/types.ts";
import { createDeliveryWorker } from "./delivery/worker.ts";
import { HooklineError } from "./errors.ts";
import { uuidIds } from "./model/ids.ts";
import { createPortal, type Portal, type PortalOptions } from "./portal/portal.ts";
import { storeQueue } from "./queue/memory.ts";
import type { Queue } from "./queue/types.ts";
import { verifyEndpoint } from "./receiver/handshake.ts";
import type { ApiOptions } from "./router/options.ts";
import { createRouter } from "./router/router.ts";
import { defaultSchemes, resolveScheme } from "./signing/registry.ts";
import type { SigningScheme } from "./signing/types.ts";
import { memoryStore } from "./store/memory.ts";
import type { Store } from "./store/types.ts";
import { withEndpointVerification } from "./subscriptions/endpoint-verification.ts";
import { createSubscriptionService, type SubscriptionServiceOptions } from "./subscriptions/service.ts";

/** How outgoing requests are signed. */
export interface SigningOptions {
  /** Scheme of subscriptions that name none. Default `"standard"` (Standard Webhooks v1). */
  scheme?: string;
  /** Extra schemes by name, beside the built-ins (`standard`, `standard-v1a`, `hub`, `stripe`, `token`, `none`). */
  schemes?: Record<string, SigningScheme>;
}

/** How deliveries are made. */
export interface DeliveryOptions {
  /** Body envelope of JSON deliveries without a body template. Default: Standard Webhooks `{type, timestamp, data}`. */
  envelope?: EnvelopeBuilder;
  /** Template variables beyond the built-ins (seed 002 `${account-code}` and friends). */
  variables?: RenderContext["variables"];
  /** Total time of one request. Default 15 000 ms. */
  timeoutMs?: number;
  /** Response bytes kept in the attempt log. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Delays (ms) before attempts 1‥n. Default: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
  retrySchedule?: readonly number[];
  /** Retry policy tuning (jitter, 4xx handling, `Retry-After` bounds, auto-disable window). */
  retryPolicy?: RetryPolicyOptions;
  /** Attempts running at once in this process, over all subscriptions. Default 32. */
  concurrency?: number;
  /** Concurrent requests per subscription when it sets none. Default unlimited (`null`). */
  defaultConcurrency?: number | null;
  /** Requests per second per subscription when it sets none. Default unlimited (`null`). */
  defaultRateLimit?: number | null;
  /** SSRF guard exceptions: CIDRs, addresses, host names (e.g. `["127.0.0.1"]` for local development). */
  ssrf?: { allow?: readonly string[]; allowPrivate?: boolean };
  /** Per-endpoint limits and circuit breaker. Default: the in-process `memoryEndpointGuard()`. */
  guard?: EndpointGuard;
  /**
   * Lease of a delivery while it is attempted; a crashed worker's deliveries are retried after it.
   * Default: 60 s, or twice the request timeout plus the batching window if that is longer.
   */
  leaseMs?: number;
  /** How often the in-process queue re-reads the store at most idle. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Id-set batching window for `idSetAccepted` subscriptions. Default 1000 ms; `0` disables. */
  batchWindowMs?: number;
  /**
   * Attempts and finished messages older than this are pruned by workers, hourly. Default 30 days;
   * `false` keeps everything.
   */
  retention?: { maxAgeMs: number; intervalMs?: number } | false;
}

/** Options of {@link createHookline}. */
export interface HooklineOptions {
  /** Persistence. Default `memoryStore()` (not durable: for development and tests). */
  store?: Store;
  /** Moves due deliveries to workers. Default: the in-process queue over the store (`storeQueue`). */
  queue?: Queue;
  /** The event catalog, or its definition (`{ types, allowUnknown }`). Default: any event type, JSON payloads. */
  catalog?: EventCatalog | CatalogOptions;
  /** Default scheme and extra schemes. Default: Standard Webhooks (`standard`). */
  signing?: SigningOptions;
  /** Id generator. Default `uuidIds()`. */
  ids?: IdGenerator;
  /** The subscription API (auth, codec, paths). Without it `fetch()` answers 404. */
  api?: ApiOptions;
  /** Request, retry, limits, SSRF allow-list, leases, batching and retention settings. */
  delivery?: DeliveryOptions;
  /** Operational hooks: `delivery.succeeded`, `delivery.failed`, `delivery.exhausted`, `subscription.disabled`, … */
  hooks?: OperationalHooks;
  /** pino/console-shaped logger. Default: silent. */
  logger?: Logger;
  /**
   * The tenant portal, served by `fetch()` under `portal.path` (default `/portal`); see docs/portal.md.
   * Its `auth` defaults to `api.auth`; `portal.createLink(tenant)` makes short-lived signed links.
   */
  portal?: Omit<PortalOptions, "subscriptions" | "deliveries" | "catalog" | "store">;
  /** Subscription service options (soft delete, secret grace period, client-supplied ids, endpoint verification). */
  subscriptions?: Omit<
    SubscriptionServiceOptions,
    "store" | "catalog" | "ids" | "schemes" | "defaultScheme"
  > & {
    /**
     * `"handshake"`: a new subscription (or a changed URL) is activated only after its endpoint answered a
     * signed `webhook.verification` challenge (hookline's verify middleware answers it automatically);
     * otherwise the request fails with 422 `endpoint_unverified` and nothing is kept. Default `"none"`.
     */
    verification?: "none" | "handshake";
  };
}

/** Which parts of hookline a process runs. */
export interface StartOptions {
  /**
   * `"all"` (default) and `"worker"`: consume the queue and deliver; `"producer"`: only emit and serve the API
   * (deliveries are made by worker processes sharing the store and queue).
   */
  role?: "all" | "worker" | "producer";
}

/** A configured hookline instance. */
export interface Hookline {
  /** The subscription API as a fetch handler: mount it in any framework (adapters wrap it). */
  fetch(request: Request): Promise<Response>;
  /**
   * Emits one event: validated against the catalog, written (message + one delivery per matching
   * subscription) in one transaction before this resolves, then delivered. Emitting an id twice for a
   * tenant delivers once (`duplicate: true`). With `opts.tx` the rows join the host's transaction; the
   * queue then finds them on its next poll, or at once after {@link Hookline.schedule}.
   */
  emit(input: EmitInput, opts?: EmitOptions): Promise<EmitResult>;
  /** Wakes the queue for an emit made inside a host transaction, once that transaction has committed. */
  schedule(result: EmitResult): Promise<void>;
  /** Starts delivering in this process (unless `role: "producer"`). Rebuilds the queue from the store. */
  start(opts?: StartOptions): Promise<void>;
  /**
   * Graceful shutdown: stops taking work, waits up to `timeoutMs` (default 10 s) for running attempts, and
   * leaves everything else scheduled in the store. Closes the store only if hookline created it.
   */
  close(opts?: { timeoutMs?: number }): Promise<void>;
  /** Create, read, update, rotate, pause, resume and disable subscriptions (URLs pass the SSRF check). */
  readonly subscriptions: SubscriptionService;
  /** The delivery log, manual retry, recovery, test events and message replay. */
  readonly deliveries: HooklineDeliveryService;
  /** The event catalog emits are validated against. */
  readonly catalog: EventCatalog;
  /** The store everything is persisted in. */
  readonly store: Store;
  /** The queue that moves due deliveries to workers. */
  readonly queue: Queue;
  /** The tenant portal when `options.portal` is set (`portal.createLink(tenant, { baseUrl })`), else `null`. */
  readonly portal: Portal | null;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const DAY_MS = 24 * 3600 * 1000;

/** The subscription service with the SSRF guard's subscribe-time URL check in front of every write. */
function withUrlCheck(service: SubscriptionService, check: (url: string) => void): SubscriptionService {
  // Non-string URLs fall through to the service's own validation, which names the field.
  const checked = (url: unknown) => {
    if (typeof url === "string") check(url);
  };
  return {
    ...service,
    async create(tenant, input) {
      checked(input.url);
      return service.create(tenant, input);
    },
    async replace(tenant, id, input) {
      checked(input.url);
      return service.replace(tenant, id, input);
    },
    async update(tenant, id, input) {
      checked(input.url);
      return service.update(tenant, id, input);
    },
  };
}

function isCatalog(value: EventCatalog | CatalogOptions): value is EventCatalog {
  return typeof (value as EventCatalog).validate === "function";
}

/** Creates a hookline instance. Nothing is delivered until {@link Hookline.start} is called. */
export function createHookline(options: HooklineOptions = {}): Hookline {
  const ownsStore = options.store === undefined;
  const store = options.store ?? memoryStore();
  const logger = options.logger ?? SILENT;
  const ids = options.ids ?? uuidIds();
  const delivery = options.delivery ?? {};
  // A lease must outlive the longest attempt (request timeout, batching window), or a slow attempt could be
  // claimed twice.
  const timeoutMs = delivery.timeoutMs ?? 15_000;
  const leaseMs = delivery.leaseMs ?? Math.max(60_000, 2 * timeoutMs + (delivery.batchWindowMs ?? 1000));
  if (!(leaseMs >= timeoutMs)) {
    // A lease shorter than a request lets a second worker take over a delivery whose request is still running:
    // the stale result is fenced out of the store, but the endpoint would receive the request twice.
    throw new HooklineError(
      "bad_request",
      `[hookline] delivery.leaseMs (${leaseMs}) must be at least delivery.timeoutMs (${timeoutMs})`,
    );
  }
  const catalog =
    options.catalog === undefined
      ? createCatalog({ types: {}, allowUnknown: true })
      : isCatalog(options.catalog)
        ? options.catalog
        : createCatalog(options.catalog);
  const queue =
    options.queue ??
    storeQueue({
      store,
      leaseMs,
      pollIntervalMs: delivery.pollIntervalMs,
      onError: (err, job) =>
        logger.error({ err, deliveryId: job?.deliveryId }, "[hookline] delivery handler failed"),
    });
  const schemes = { ...defaultSchemes(), ...options.signing?.schemes };
  const defaultScheme = options.signing?.scheme ?? "standard";
  resolveScheme(defaultScheme, schemes);

  const ssrf = createSsrfGuard({ allow: delivery.ssrf?.allow, allowPrivate: delivery.ssrf?.allowPrivate });
  const { verification = "none", ...serviceOptions } = options.subscriptions ?? {};
  // The handshake needs an HTTP client in API processes too (producers), created on first use.
  let handshakeHttp: ReturnType<typeof createHttpClient> | null = null;
  const baseSubscriptions = withUrlCheck(
    createSubscriptionService({ ...serviceOptions, store, catalog, ids, schemes, defaultScheme }),
    (url) => validateDeliveryUrl(url, ssrf),
  );
  const subscriptions =
    verification === "handshake"
      ? withEndpointVerification(baseSubscriptions, store, (sub) => {
          handshakeHttp ??= createHttpClient({ guard: ssrf, timeoutMs: delivery.timeoutMs });
          return verifyEndpoint(sub, {
            httpClient: handshakeHttp,
            scheme: resolveScheme(sub.scheme ?? defaultScheme, schemes),
          });
        })
      : baseSubscriptions;
  const emitter = createEmitter({ store, queue, catalog, ids, logger });
  const deliveries = createDeliveryService({ store, queue, emitter, subscriptions, catalog });
  // The router logs unexpected errors to `console` unless told otherwise: hand it ours when one was given.
  const router = options.api
    ? createRouter({
        ...(options.logger ? { logger: options.logger } : {}),
        ...options.api,
        subscriptions,
        deliveries,
        catalog,
      })
    : null;

  const portal = options.portal
    ? createPortal({
        ...(options.api?.auth ? { auth: options.api.auth } : {}),
        logger,
        ...options.portal,
        subscriptions,
        deliveries,
        catalog,
        store,
      })
    : null;

  const telemetry = createDeliveryTelemetry();
  let http: ReturnType<typeof createHttpClient> | null = null;
  let stopGauge: (() => void) | null = null;
  let pruneTimer: ReturnType<typeof setInterval> | null = null;
  let state: "new" | "started" | "closed" = "new";

  function startWorker(): Promise<void> {
    http = createHttpClient({
      guard: ssrf,
      timeoutMs: delivery.timeoutMs,
      maxResponseBytes: delivery.maxResponseBytes,
    });
    const worker = createDeliveryWorker({
      store,
      queue,
      subscriptions,
      render: renderRequest,
      renderContext: { envelope: delivery.envelope ?? standardEnvelope, variables: delivery.variables },
      http,
      guard: delivery.guard ?? memoryEndpointGuard(),
      decideRetry: createRetryPolicy(delivery.retryPolicy),
      retrySchedule: delivery.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
      resolveScheme: (name) => resolveScheme(name, schemes),
      defaultScheme,
      ids,
      hooks: options.hooks ?? {},
      logger,
      telemetry,
      leaseMs,
      maxInFlight: delivery.concurrency ?? 32,
      // Room for the request and the batching window; at most half the lease, so a claim is never refused outright.
      minLeaseLeftMs: Math.min(timeoutMs + (delivery.batchWindowMs ?? 1000), leaseMs / 2),
      defaultConcurrency: delivery.defaultConcurrency ?? null,
      defaultRateLimit: delivery.defaultRateLimit ?? null,
      batchWindowMs: delivery.batchWindowMs,
    });
    stopGauge = telemetry.observeDepth(() => queue.depth());
    const retention = delivery.retention ?? { maxAgeMs: 30 * DAY_MS };
    if (retention !== false) {
      pruneTimer = setInterval(() => {
        const before = new Date(Date.now() - retention.maxAgeMs);
        store
          .prune({ before, batchSize: 1000 })
          .catch((err: unknown) => logger.warn({ err }, "[hookline] prune failed"));
      }, retention.intervalMs ?? 3600_000);
      pruneTimer.unref();
    }
    return queue.start(worker.handle, { concurrency: delivery.concurrency ?? 32 });
  }

  return {
    store,
    queue,
    catalog,
    subscriptions,
    deliveries,

    portal,

    async fetch(request) {
      if (portal?.handles(request.url)) return portal.fetch(request);
      if (router === null) {
        return Response.json(
          { type: "about:blank", title: "Not Found", status: 404, detail: "[hookline] no API configured" },
          { status: 404, headers: { "content-type": "application/problem+json" } },
        );
      }
      return router(request);
    },

    emit(input, opts) {
      if (state === "closed") {
        return Promise.reject(new HooklineError("closed", "[hookline] emit() after close()"));
      }
      return emitter.emit(input, opts);
    },

    schedule(result) {
      return emitter.schedule(result.deliveries);
    },

    async start(opts = {}) {
      if (state !== "new") {
        throw new HooklineError("conflict", `[hookline] start() on a ${state} instance`);
      }
      state = "started";
      if ((opts.role ?? "all") !== "producer") await startWorker();
    },

    async close(opts = {}) {
      if (state === "closed") return;
      state = "closed";
      if (pruneTimer !== null) clearInterval(pruneTimer);
      stopGauge?.();
      await queue.close({ timeoutMs: opts.timeoutMs ?? 10_000 });
      await http?.close();
      await handshakeHttp?.close();
      if (ownsStore) await store.close();
    },
  };
}
