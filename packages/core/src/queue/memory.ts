/**
 * The in-process queue: the store IS the queue. Due deliveries are leased from the store in small batches
 * (`Store.claimDueDeliveries`), so the backlog is never loaded into memory and a restart rebuilds the queue
 * by construction. A crashed worker's leases expire and the rows become due again (crash recovery).
 */
import type { Delivery } from "../model/types.ts";
import type { Store } from "../store/types.ts";
import type { Queue, QueueHandler, QueueJob, QueueStartOptions } from "./types.ts";

/** Options of {@link storeQueue}. */
export interface StoreQueueOptions {
  /** The store whose deliveries are the queue. */
  store: Store;
  /**
   * Safety poll in ms (default 1000): the queue re-checks the store at least this often, so rows written by
   * another process or inside a host transaction (which cannot wake it) are picked up.
   */
  pollIntervalMs?: number;
  /** Lease taken on each claimed delivery in ms (default 60 000). Must exceed the longest attempt. */
  leaseMs?: number;
  /** Most deliveries claimed per store round-trip (default 16). */
  batchSize?: number;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
  /** Called when a handler throws (the delivery stays leased and is retried after its lease). */
  onError?: (error: unknown, job: QueueJob | null) => void;
}

const DONE: Promise<void> = Promise.resolve();

/** Longest delay `setTimeout` accepts. */
const MAX_TIMER_MS = 2_147_483_647;
/** Shortest re-arm delay, so a row the store reports due but will not lease cannot cause a busy loop. */
const MIN_REARM_MS = 5;

/**
 * The default queue of `createHookline()`: one process, any store. `schedule()` is only a wake-up hint;
 * the rows in the store decide what runs and when.
 */
export function storeQueue(options: StoreQueueOptions): Queue {
  const { store } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const now = options.now ?? (() => new Date());

  let handler: QueueHandler | null = null;
  let concurrency = 1;
  let running = false;
  let pumping = false;
  let pumpAgain = false;
  /** A claim round is queued for the end of this event-loop turn. */
  let wakeQueued = false;
  /** The running claim loop, awaited by `close()` so leases claimed during shutdown are handed back. */
  let pumpDone: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  /** Handlers running now. */
  let inFlight = 0;
  let idle: Array<() => void> = [];

  function arm(atMs: number): void {
    if (!running) return;
    const bounded = Math.min(atMs, Date.now() + pollIntervalMs);
    if (timer !== null && timerAt <= bounded) return;
    if (timer !== null) clearTimeout(timer);
    timerAt = bounded;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, bounded - Date.now()));
    timer = setTimeout(() => {
      timer = null;
      timerAt = Number.POSITIVE_INFINITY;
      wake();
    }, delay);
  }

  /**
   * Asks for a claim round. Wake-ups are coalesced to the end of the current event-loop turn, so the
   * deliveries committed by many concurrent emits (and the slots freed by many finished attempts) are claimed
   * in one batch instead of one store round-trip each.
   */
  function wake(): void {
    if (!running || wakeQueued) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    wakeQueued = true;
    setImmediate(pumpNow);
  }

  function pumpNow(): void {
    wakeQueued = false;
    if (!running) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumpDone = pump();
  }

  async function pump(): Promise<void> {
    pumping = true;
    try {
      for (;;) {
        pumpAgain = false;
        while (running && handler !== null && inFlight < concurrency) {
          const want = Math.min(batchSize, concurrency - inFlight);
          const claimed = await store.claimDueDeliveries({ now: now(), leaseMs, limit: want });
          if (!running) {
            await release(claimed);
            return;
          }
          for (const delivery of claimed) run(delivery);
          if (claimed.length < want) break;
        }
        if (!running) return;
        // Idle slots and no timer: sleep until the next due row (bounded by the poll). With a timer armed,
        // skip the query: hints from schedule() and the poll cover everything else.
        if (inFlight < concurrency && timer === null) {
          const next = await store.nextDueAt();
          // A row due "now" that the claim did not return is retried shortly, never in a hot loop.
          if (next === null) arm(Number.POSITIVE_INFINITY);
          else arm(Date.now() + Math.max(MIN_REARM_MS, next.getTime() - now().getTime()));
        }
        if (!pumpAgain) return;
      }
    } catch (error) {
      options.onError?.(error, null);
      arm(Date.now() + pollIntervalMs);
    } finally {
      pumping = false;
    }
  }

  /** Closed while claiming: hand the leases back so another instance can take them at once. */
  async function release(claimed: readonly Delivery[]): Promise<void> {
    await Promise.all(
      claimed.map((d) =>
        store.updateDelivery(
          d.tenant,
          d.id,
          { status: "pending", leaseUntil: null },
          { expectStatus: "delivering" },
        ),
      ),
    );
  }

  function run(delivery: Delivery): void {
    const job: QueueJob = {
      deliveryId: delivery.id,
      tenant: delivery.tenant,
      subscriptionId: delivery.subscriptionId,
      runAt: delivery.nextAttemptAt ?? now(),
      leased: delivery,
    };
    const current = handler;
    if (current === null) return;
    inFlight++;
    void execute(current, job);
  }

  /** Runs one job to its end, then frees its slot and asks for more work. */
  async function execute(current: QueueHandler, job: QueueJob): Promise<void> {
    try {
      await current(job);
    } catch (error) {
      options.onError?.(error, job);
    } finally {
      inFlight--;
      if (inFlight === 0) {
        const waiters = idle;
        idle = [];
        for (const w of waiters) w();
      }
      wake();
    }
  }

  return {
    name: "memory",

    // Not `async`: called once per emit, and there is nothing to wait for (a hint, acted on later).
    schedule(jobs: readonly QueueJob[]): Promise<void> {
      if (!running || jobs.length === 0) return DONE;
      try {
        let earliest = Number.POSITIVE_INFINITY;
        for (const job of jobs) earliest = Math.min(earliest, job.runAt.getTime());
        if (earliest <= now().getTime()) wake();
        else arm(Date.now() + (earliest - now().getTime()));
        return DONE;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async start(h: QueueHandler, opts: QueueStartOptions): Promise<void> {
      if (running) return;
      handler = h;
      concurrency = Math.max(1, Math.floor(opts.concurrency));
      running = true;
      wake();
    },

    async depth(): Promise<number | null> {
      // Bounded pages: the count walks ids, never loads rows.
      let count = 0;
      let afterId: string | undefined;
      for (;;) {
        const page = await store.listUnfinishedDeliveryIds({ limit: 1000, afterId });
        count += page.length;
        if (page.length < 1000) return count;
        afterId = page[page.length - 1]?.id;
      }
    },

    async close(opts: { timeoutMs?: number } = {}): Promise<void> {
      running = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      timerAt = Number.POSITIVE_INFINITY;
      await pumpDone;
      if (inFlight === 0) return;
      const drained = new Promise<void>((resolve) => idle.push(resolve));
      const timeoutMs = opts.timeoutMs ?? 30_000;
      let deadline: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        drained,
        new Promise<void>((resolve) => {
          deadline = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(deadline);
    },
  };
}
