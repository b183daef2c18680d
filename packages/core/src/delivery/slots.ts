/** A counting semaphore: at most `limit` holders at once, the rest wait in arrival order. */
export interface Slots {
  acquire(): Promise<void>;
  release(): void;
}

/** `null` = no limit (acquire never waits). */
export function createSlots(limit: number | null): Slots {
  if (limit === null) return { acquire: () => Promise.resolve(), release() {} };
  const max = Math.max(1, Math.floor(limit));
  let held = 0;
  const queue: (() => void)[] = [];
  return {
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
