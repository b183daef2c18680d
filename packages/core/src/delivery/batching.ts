/**
 * Id-set batching (seed 002 `idSetAccepted`): items that arrive for the same key within a short window are
 * flushed together, so several deliveries become one request carrying the id set. Every caller's promise
 * settles with the shared outcome.
 */

/** Options of {@link createBatcher}. */
export interface BatcherOptions<C, T> {
  /** How long the first item of a batch waits for company, in ms. `0` flushes every item alone. */
  windowMs: number;
  /** A batch that reaches this size is flushed at once. */
  maxSize: number;
  /** Sends one batch; `context` is the one given with the batch's latest item. */
  flush(context: C, items: readonly [T, ...T[]]): Promise<void>;
}

/** Groups items by key within a time window. */
export interface Batcher<C, T> {
  /** Adds an item; resolves (or rejects) when the batch it joined has been flushed. */
  add(key: string, context: C, item: T): Promise<void>;
}

interface OpenBatch<C, T> {
  context: C;
  items: T[];
  timer: ReturnType<typeof setTimeout> | null;
  done: Promise<void>;
  settle: (error?: unknown) => void;
}

/** Creates a batcher. */
export function createBatcher<C, T>(options: BatcherOptions<C, T>): Batcher<C, T> {
  const open = new Map<string, OpenBatch<C, T>>();

  function flush(key: string, batch: OpenBatch<C, T>): void {
    if (open.get(key) === batch) open.delete(key);
    if (batch.timer !== null) clearTimeout(batch.timer);
    const [first, ...rest] = batch.items;
    if (first === undefined) {
      batch.settle();
      return;
    }
    options.flush(batch.context, [first, ...rest]).then(
      () => batch.settle(),
      (error: unknown) => batch.settle(error ?? new Error("batch flush failed")),
    );
  }

  return {
    add(key, context, item) {
      if (options.windowMs <= 0 || options.maxSize <= 1) return options.flush(context, [item]);
      let batch = open.get(key);
      if (batch === undefined) {
        let settle: (error?: unknown) => void = () => {};
        const done = new Promise<void>((resolve, reject) => {
          settle = (error) => (error === undefined ? resolve() : reject(error));
        });
        const created: OpenBatch<C, T> = { context, items: [], timer: null, done, settle };
        created.timer = setTimeout(() => flush(key, created), options.windowMs);
        open.set(key, created);
        batch = created;
      }
      batch.context = context;
      batch.items.push(item);
      if (batch.items.length >= options.maxSize) flush(key, batch);
      return batch.done;
    },
  };
}
