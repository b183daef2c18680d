/** A FIFO async mutex: the memory store serialises transactions (and what waits on them) with it. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;

  /** True when nobody holds or waits for the lock. */
  get idle(): boolean {
    return this.holders === 0;
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    this.holders++;
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await prev;
      return await fn();
    } finally {
      this.holders--;
      release();
    }
  }
}
