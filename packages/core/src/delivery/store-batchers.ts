/**
 * The worker's store calls, coalesced: claims asked for in the same tick go to the store as one
 * `claimDeliveriesContext` call (a BullMQ job carrying a message's deliveries claims them all in one round
 * trip), and attempts that finish in the same turn of the event loop are recorded with one `recordAttempts`
 * call. Each caller still gets its own result; a failed store call fails every caller of that batch.
 */
import type { Delivery } from "../model/types.ts";
import type { ClaimedDelivery, RecordAttemptInput } from "../store/types.ts";

/** Most items in one store call. */
const MAX_BATCH = 100;

interface Waiter<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Collects items until `schedule` fires, then hands them to `run` in batches of at most {@link MAX_BATCH};
 * `run` resolves each waiter.
 */
function coalesce<I, R>(
  schedule: (flush: () => void) => void,
  run: (batch: Waiter<I, R>[]) => Promise<void>,
): (item: I) => Promise<R> {
  let waiting: Waiter<I, R>[] = [];
  const flush = () => {
    const all = waiting;
    waiting = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) {
      const batch = all.slice(i, i + MAX_BATCH);
      run(batch).catch((err: unknown) => {
        for (const w of batch) w.reject(err);
      });
    }
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (waiting.length === 0) schedule(flush);
      waiting.push({ item, resolve, reject });
    });
}

export interface ClaimBatcher {
  /** The claimed delivery with its context, or `null` when it was not claimed (not due, unknown, leased). */
  claim(id: string): Promise<ClaimedDelivery | null>;
}

export function createClaimBatcher(
  claimMany: (ids: readonly string[]) => Promise<ClaimedDelivery[]>,
): ClaimBatcher {
  const claim = coalesce<string, ClaimedDelivery | null>(queueMicrotask, async (batch) => {
    const claimed = await claimMany([...new Set(batch.map((w) => w.item))]);
    const byId = new Map(claimed.map((c) => [c.delivery.id, c]));
    for (const w of batch) {
      // Two jobs of one delivery in one batch: only the first gets the lease (one attempt per claim).
      w.resolve(byId.get(w.item) ?? null);
      byId.delete(w.item);
    }
  });
  return { claim };
}

export interface RecordBatcher {
  /** The updated delivery, or `null` when the fence did not hold (nothing was written). */
  record(row: RecordAttemptInput): Promise<Delivery | null>;
}

export function createRecordBatcher(
  recordMany: (rows: readonly RecordAttemptInput[]) => Promise<(Delivery | null)[]>,
): RecordBatcher {
  const record = coalesce<RecordAttemptInput, Delivery | null>(
    (flush) => setImmediate(flush),
    async (batch) => {
      const results = await recordMany(batch.map((w) => w.item));
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i] ?? null);
    },
  );
  return { record };
}
