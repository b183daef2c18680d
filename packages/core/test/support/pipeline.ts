/**
 * Wires emitter + store queue + worker over stand-in seams, for tests that exercise the worker alone and
 * for the crash test's child process.
 */
import type { EmitInput, EmitOptions, OperationalHooks } from "../../src/contracts.ts";
import { createEmitter } from "../../src/delivery/emit.ts";
import { createDeliveryTelemetry } from "../../src/delivery/observability.ts";
import type { EndpointGuard, RetryDecision, RetryInput } from "../../src/delivery/types.ts";
import { createDeliveryWorker } from "../../src/delivery/worker.ts";
import type { Subscription } from "../../src/model/types.ts";
import { storeQueue } from "../../src/queue/memory.ts";
import { standardWebhooks } from "../../src/signing/standard.ts";
import type { Store } from "../../src/store/types.ts";
import { fakeDecide, fakeHttp, fakeRender, openGuard } from "./fakes.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Options of {@link createPipeline}. */
export interface PipelineOptions {
  hooks?: OperationalHooks;
  batchWindowMs?: number;
  leaseMs?: number;
  concurrency?: number;
  now?: () => Date;
  guard?: EndpointGuard;
  decideRetry?: (input: RetryInput) => RetryDecision;
  retrySchedule?: readonly number[];
  maxInFlight?: number | null;
  minLeaseLeftMs?: number;
}

/** A test pipeline over `store`. */
export function createPipeline(store: Store, options: PipelineOptions = {}) {
  const now = options.now ?? (() => new Date());
  let n = 0;
  const ids = (kind: string) => `${kind}_${process.pid}_${Date.now().toString(36)}_${++n}`;
  const queue = storeQueue({ store, pollIntervalMs: 50, now, leaseMs: options.leaseMs });
  const emitter = createEmitter({ store, queue, catalog: null, ids, logger: silent, now });
  const disabled: string[] = [];
  const worker = createDeliveryWorker({
    store,
    queue,
    subscriptions: {
      async disable(tenant, id, reason) {
        disabled.push(id);
        const sub = await store.updateSubscription(tenant, id, {
          status: "disabled",
          disabledReason: reason,
        });
        return sub as Subscription;
      },
    },
    render: fakeRender,
    renderContext: {
      envelope: (m) => ({ type: m.type, timestamp: m.timestamp.toISOString(), data: m.data }),
    },
    http: fakeHttp(),
    guard: options.guard ?? openGuard,
    decideRetry: options.decideRetry ?? fakeDecide,
    retrySchedule: options.retrySchedule ?? [0, 20, 20],
    resolveScheme: () => standardWebhooks(),
    defaultScheme: "standard",
    ids,
    hooks: options.hooks ?? {},
    logger: silent,
    telemetry: createDeliveryTelemetry(),
    leaseMs: options.leaseMs ?? 30_000,
    maxInFlight: options.maxInFlight ?? null,
    minLeaseLeftMs: options.minLeaseLeftMs,
    defaultConcurrency: null,
    defaultRateLimit: null,
    batchWindowMs: options.batchWindowMs ?? 0,
    now,
  });
  return {
    queue,
    disabled,
    /** The worker's queue handler, for tests that hand it a job directly. */
    handle: worker.handle,
    emit: (input: EmitInput, opts?: EmitOptions) => emitter.emit(input, opts),
    start: () => queue.start(worker.handle, { concurrency: options.concurrency ?? 4 }),
    close: () => queue.close({ timeoutMs: 2000 }),
  };
}
