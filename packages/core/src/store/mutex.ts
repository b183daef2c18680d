/** A FIFO async mutex: the memory store serialises transactions (and what waits on them) with it. */
export class Mutex {
  private held = false;
  /** Callers waiting for the lock, first come first served: resolving one hands it the lock. */
  private readonly waiting: (() => void)[] = [];

  /** True when nobody holds or waits for the lock. */
  get idle(): boolean {
    return !this.held && this.waiting.length === 0;
  }

  /**
   * Runs `fn` holding the lock: at once when the lock is free, else after everyone who asked before (then
   * in the caller's own async context, as a promise continuation). A synchronous `fn` holds the lock only
   * while it runs; an async one until its promise settles.
   */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.idle) {
      this.held = true;
      return this.exec(fn);
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.exec(fn));
  }

  /** Runs `fn` for a caller that holds the lock, and releases it when `fn` is done. */
  private exec<T>(fn: () => T | Promise<T>): Promise<T> {
    let result: T | Promise<T>;
    try {
      result = fn();
    } catch (err) {
      this.release();
      return Promise.reject(err);
    }
    if (!(result instanceof Promise)) {
      this.release();
      return Promise.resolve(result);
    }
    return result.then(
      (value) => {
        this.release();
        return value;
      },
      (err: unknown) => {
        this.release();
        throw err;
      },
    );
  }

  /** Hands the lock to the next waiter (it stays held meanwhile), or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.held = false;
    else next();
  }
}
