/** A counting semaphore: at most `limit` holders at once, the rest wait in arrival order. */
export interface Slots {
  /** Takes a free slot at once (`true`); `false` when all are held or awaited (then wait with `acquire`). */
  tryAcquire(): boolean;
  acquire(): Promise<void>;
  release(): void;
}

/** `null` = no limit (acquire never waits). */
export function createSlots(limit: number | null): Slots {
  if (limit === null) return { tryAcquire: () => true, acquire: () => Promise.resolve(), release() {} };
  const max = Math.max(1, Math.floor(limit));
  let held = 0;
  const queue: (() => void)[] = [];
  return {
    tryAcquire() {
      // A slot is free only when nobody waits: `release` hands a slot straight to the next waiter.
      if (held >= max) return false;
      held++;
      return true;
    },
    acquire() {
      if (held < max) {
        held++;
        return Promise.resolve();
      }
      return new Promise((resolve) => queue.push(resolve));
    },
    release() {
      const next = queue.shift();
      // The slot passes straight to the next waiter; `held` stays the same.
      if (next !== undefined) next();
      else held = Math.max(0, held - 1);
    },
  };
}
