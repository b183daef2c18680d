/** An in-memory {@link DedupeStore} for receivers: TTL per key, bounded size (oldest entries evicted first). */
import type { DedupeStore } from "./types.ts";

/** Options of {@link memoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /** Most keys remembered at once; the oldest are forgotten first. Default 100,000. */
  maxEntries?: number;
  /** Clock in ms since the epoch (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * Remembers claimed keys until their TTL passes. When full, the oldest claim is evicted, so a replay older
 * than the most recent `maxEntries` claims is not caught — size it above the traffic within the tolerance.
 */
export function memoryDedupeStore(opts: MemoryDedupeStoreOptions = {}): DedupeStore {
  const maxEntries = Math.max(1, Math.floor(opts.maxEntries ?? 100_000));
  const now = opts.now ?? Date.now;
  // key → expiry; Map order = claim order (re-claims are moved to the end).
  const entries = new Map<string, number>();

  return {
    async claim(key, ttlMs) {
      const t = now();
      const expires = entries.get(key);
      if (expires !== undefined && expires > t) return false;
      entries.delete(key);
      entries.set(key, t + (Number.isFinite(ttlMs) ? Math.max(0, ttlMs) : 0));
      // Drop expired entries from the front, then the oldest while over the bound.
      for (const [k, exp] of entries) {
        if (entries.size <= maxEntries && exp > t) break;
        entries.delete(k);
      }
      return true;
    },
    async release(key) {
      entries.delete(key);
    },
  };
}
