/**
 * The memory store: the reference `Store` driver. Fast, complete, not durable — for tests, development and
 * single-process deployments that accept losing undelivered webhooks on restart.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { HooklineError } from "../errors.ts";
import type { Delivery, Subscription } from "../model/types.ts";
import {
  cloneSubscription,
  definedEntries,
  loadAttempt,
  loadDelivery,
  loadMessage,
  patchDelivery,
  type StoredDelivery,
  storeAttempt,
  storeDelivery,
  storeMessage,
} from "./clone.ts";
import { clampLimit, decodeCursor, encodeCursor } from "./cursor.ts";
import { MinHeap } from "./heap.ts";
import { type DeliveryRow, deliveryRow, dueTime, MemoryState, type SubRow } from "./memory-state.ts";
import { Mutex } from "./mutex.ts";
import type {
  ClaimOptions,
  DeliveryHourStats,
  DeliveryPatch,
  ListSubscriptionsQuery,
  Store,
  StoreCapabilities,
  UpdateDeliveryOptions,
} from "./types.ts";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Driver name in error messages. Default `memory`. */
  name?: string;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({
  transactions: true,
  hostTransactions: false,
  durable: false,
  multiProcess: false,
});

const isFinal = (d: StoredDelivery) => d.status === "succeeded" || d.status === "failed";

/**
 * An in-memory {@link Store}. Matching is an indexed lookup (tenant → pattern → ids); due deliveries sit in an
 * index ordered by due time (in-order runs beside a min-heap); `transaction()` is atomic (undo log, serialised by a mutex; operations from
 * outside wait for it, operations within its async context join it).
 */
export function memoryStore(opts: MemoryStoreOptions = {}): Store {
  const name = opts.name ?? "memory";
  const state = new MemoryState();
  const mutex = new Mutex();
  const txContext = new AsyncLocalStorage<object>();
  let openTx: object | null = null;
  let closed = false;

  const fail = (code: "conflict" | "closed", msg: string) =>
    new HooklineError(code, `[hookline] [${name}] ${msg}`);

  /**
   * Runs a synchronous operation, waiting for an open transaction unless it belongs to it. Always answers
   * with a promise (a failure, a closed store included, is a rejection), without an async wrapper's extra
   * promise and ticks.
   */
  function op<T>(fn: () => T): Promise<T> {
    if (closed) return Promise.reject(fail("closed", "store is closed"));
    if (mutex.idle || (openTx !== null && txContext.getStore() === openTx)) {
      try {
        return Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return mutex.run(fn);
  }

  function filterSub(row: SubRow, q: Omit<ListSubscriptionsQuery, "limit" | "cursor">): boolean {
    const s = row.sub;
    if (!q.includeDeleted && s.deletedAt !== null) return false;
    if (q.status !== undefined && s.status !== q.status) return false;
    if (q.eventType !== undefined && !s.eventTypes.includes(q.eventType)) return false;
    return true;
  }

  function lease(row: DeliveryRow, o: ClaimOptions): Delivery {
    const at = o.now.getTime();
    const d: StoredDelivery = { ...row.d, status: "delivering", leaseUntil: at + o.leaseMs, updatedAt: at };
    state.updateDelivery(row, d);
    return loadDelivery(d);
  }

  /** Applies a delivery patch when the fence holds; the stored row (not a copy), or `null`. */
  function applyDeliveryPatch(
    tenant: string,
    id: string,
    patch: DeliveryPatch,
    o: UpdateDeliveryOptions | undefined,
  ): StoredDelivery | null {
    const row = state.deliveries.get(id);
    if (row === undefined || row.d.tenant !== tenant) return null;
    if (o?.expectStatus !== undefined && row.d.status !== o.expectStatus) return null;
    if (o?.expectLeaseUntil !== undefined && row.d.leaseUntil !== o.expectLeaseUntil.getTime()) return null;
    const d = patchDelivery(row.d, patch);
    state.updateDelivery(row, d);
    return d;
  }

  /** Runs `fn` as the open transaction (the caller holds the mutex): committed, or rolled back on failure. */
  function runTransaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    const token = {};
    openTx = token;
    state.undo = [];
    let running: Promise<T>;
    try {
      running = Promise.resolve(txContext.run(token, fn, store));
    } catch (err) {
      abort();
      return Promise.reject(err);
    }
    return running.then(commit, rollBack);
  }

  /** A transaction's failure: undone, then passed on (one function for all transactions, not one each). */
  function rollBack(err: unknown): never {
    abort();
    throw err;
  }

  function commit<T>(result: T): T {
    state.undo = null;
    openTx = null;
    return result;
  }

  function abort(): void {
    state.rollback();
    openTx = null;
  }

  /** Removes a message with its deliveries and their attempts; returns the number of rows removed. */
  function removeMessageTree(tenant: string, messageId: string, deliveries: readonly DeliveryRow[]): number {
    let removed = 1;
    for (const { d } of deliveries) {
      removed += 1 + (state.getAttempts(tenant, d.id)?.length ?? 0);
      state.putAttempts(tenant, d.id, undefined);
      state.putDelivery(d.id, undefined, tenant);
    }
    state.putMessage(tenant, messageId, undefined);
    return removed;
  }

  const store: Store = {
    name,
    capabilities: CAPABILITIES,

    transaction(fn) {
      if (openTx !== null && txContext.getStore() === openTx) {
        try {
          return Promise.resolve(fn(store)); // nested: joins the open transaction
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return mutex.run(() => runTransaction(fn));
    },

    withHostTransaction() {
      throw new HooklineError(
        "unsupported",
        `[hookline] [${name}] host transactions are not supported (capabilities.hostTransactions is false)`,
      );
    },

    nextSequence(seqName) {
      return op(() => {
        const next = (state.sequences.get(seqName) ?? 0) + 1;
        state.putSequence(seqName, next);
        return next;
      });
    },

    // ── subscriptions ──────────────────────────────────────────────────────────────────────────

    createSubscription(sub) {
      return op(() => {
        if (state.getSubRow(sub.tenant, sub.id) !== undefined) {
          throw fail("conflict", `subscription ${JSON.stringify(sub.id)} already exists`);
        }
        const copy = cloneSubscription(sub);
        state.putSub(sub.tenant, sub.id, { sub: copy, seq: state.nextSeq() });
        return cloneSubscription(copy);
      });
    },

    getSubscription(tenant, id, o) {
      return op(() => {
        const row = state.getSubRow(tenant, id);
        if (row === undefined || (row.sub.deletedAt !== null && !o?.includeDeleted)) return null;
        return cloneSubscription(row.sub);
      });
    },

    getSubscriptions(tenant, ids) {
      return op(() => {
        const out: Subscription[] = [];
        for (const id of new Set(ids)) {
          const row = state.getSubRow(tenant, id);
          if (row !== undefined && row.sub.deletedAt === null) out.push(cloneSubscription(row.sub));
        }
        return out;
      });
    },

    listSubscriptions(tenant, q) {
      return op(() => {
        const after = q.cursor ? decodeCursor(q.cursor, name) : 0;
        const limit = clampLimit(q.limit);
        const items: SubRow[] = [];
        let more = false;
        for (const row of state.subs.get(tenant)?.values() ?? []) {
          if (row.seq <= after || !filterSub(row, q)) continue;
          if (items.length === limit) {
            more = true;
            break;
          }
          items.push(row);
        }
        return {
          items: items.map((r) => cloneSubscription(r.sub)),
          nextCursor: more ? encodeCursor(items[items.length - 1]!.seq) : null,
        };
      });
    },

    countSubscriptions(tenant, q) {
      return op(() => {
        let n = 0;
        for (const row of state.subs.get(tenant)?.values() ?? []) if (filterSub(row, q)) n++;
        return n;
      });
    },

    updateSubscription(tenant, id, patch, o) {
      return op(() => {
        const row = state.getSubRow(tenant, id);
        if (row === undefined || row.sub.deletedAt !== null) return null;
        if (o?.expectedVersion !== undefined && o.expectedVersion !== row.sub.version) {
          throw fail(
            "conflict",
            `subscription ${JSON.stringify(id)} was modified (version ${row.sub.version})`,
          );
        }
        const next: Subscription = {
          ...row.sub,
          ...definedEntries(patch),
          id,
          tenant,
          createdAt: row.sub.createdAt,
          version: row.sub.version + 1,
        };
        state.putSub(tenant, id, { sub: next, seq: row.seq });
        return cloneSubscription(next);
      });
    },

    deleteSubscription(tenant, id) {
      return op(() => {
        if (state.getSubRow(tenant, id) === undefined) return false;
        state.putSub(tenant, id, undefined);
        return true;
      });
    },

    matchSubscriptions(tenant, eventType) {
      return op(() => {
        const out: Subscription[] = [];
        for (const row of state.matchRows(tenant, eventType)) {
          if (row.sub.status === "active") out.push(cloneSubscription(row.sub));
        }
        return out;
      });
    },

    // ── messages ───────────────────────────────────────────────────────────────────────────────

    insertMessage(message) {
      return op(() => {
        const existing = state.messages.get(message.tenant)?.get(message.id);
        if (existing !== undefined) return { inserted: false, message: loadMessage(existing) };
        const copy = storeMessage(message);
        state.addMessage(copy);
        return { inserted: true, message: loadMessage(copy) };
      });
    },

    getMessage(tenant, id) {
      return op(() => {
        const m = state.messages.get(tenant)?.get(id);
        return m === undefined ? null : loadMessage(m);
      });
    },

    // ── deliveries ─────────────────────────────────────────────────────────────────────────────

    insertDeliveries(deliveries) {
      return op(() => {
        // Checked before anything is written (the usual single delivery needs no set of ids).
        const ids = deliveries.length > 1 ? new Set<string>() : null;
        for (const d of deliveries) {
          if (state.deliveries.has(d.id) || ids?.has(d.id)) {
            throw fail("conflict", `delivery ${JSON.stringify(d.id)} already exists`);
          }
          ids?.add(d.id);
        }
        for (const d of deliveries) {
          state.addDelivery(deliveryRow(storeDelivery(d), state.nextSeq()));
        }
      });
    },

    getDelivery(tenant, id) {
      return op(() => {
        const row = state.deliveries.get(id);
        return row === undefined || row.d.tenant !== tenant ? null : loadDelivery(row.d);
      });
    },

    listDeliveries(tenant, q) {
      return op(() => {
        const before = q.cursor ? decodeCursor(q.cursor, name) : Number.POSITIVE_INFINITY;
        const limit = clampLimit(q.limit);
        const rows = state.tenantRows(tenant);
        const items: DeliveryRow[] = [];
        let more = false;
        for (let i = rows.length - 1; i >= 0; i--) {
          const { d, seq } = rows[i]!;
          if (seq >= before) continue;
          if (q.subscriptionId !== undefined && d.subscriptionId !== q.subscriptionId) continue;
          if (q.messageId !== undefined && d.messageId !== q.messageId) continue;
          if (q.status !== undefined && d.status !== q.status) continue;
          if (q.eventType !== undefined && d.eventType !== q.eventType) continue;
          if (q.since !== undefined && d.createdAt < q.since.getTime()) continue;
          if (items.length === limit) {
            more = true;
            break;
          }
          items.push(rows[i]!);
        }
        return {
          items: items.map((r) => loadDelivery(r.d)),
          nextCursor: more ? encodeCursor(items[items.length - 1]!.seq) : null,
        };
      });
    },

    claimDueDeliveries(o) {
      return op(() => {
        const now = o.now.getTime();
        const out: Delivery[] = [];
        while (out.length < o.limit) {
          const top = state.peekDue();
          if (top === undefined || top.at > now) break;
          state.popDue();
          out.push(lease(top.row, o));
        }
        return out;
      });
    },

    claimDelivery(id, o) {
      return op(() => {
        const row = state.deliveries.get(id);
        const at = row === undefined ? null : dueTime(row.d);
        if (row === undefined || at === null || at > o.now.getTime()) return null;
        return lease(row, o);
      });
    },

    updateDelivery(tenant, id, patch, o) {
      return op(() => {
        const d = applyDeliveryPatch(tenant, id, patch, o);
        return d === null ? null : loadDelivery(d);
      });
    },

    requeueFailedDeliveries(tenant, o) {
      return op(() => {
        let n = 0;
        for (const row of state.tenantRows(tenant)) {
          const d = row.d;
          if (d.status !== "failed" || d.createdAt < o.since.getTime()) continue;
          if (o.subscriptionId !== undefined && d.subscriptionId !== o.subscriptionId) continue;
          const now = o.now.getTime();
          const next: StoredDelivery = {
            ...d,
            status: "pending",
            nextAttemptAt: now,
            leaseUntil: null,
            completedAt: null,
            updatedAt: now,
          };
          state.updateDelivery(row, next);
          n++;
        }
        return n;
      });
    },

    nextDueAt() {
      return op(() => {
        const top = state.peekDue();
        return top === undefined ? null : new Date(top.at);
      });
    },

    listUnfinishedDeliveryIds(o) {
      return op(() => {
        // The `limit` smallest ids after `afterId`: a bounded max-heap, O(n log limit), no full sort.
        const limit = clampLimit(o.limit);
        const largest = new MinHeap<StoredDelivery>((a, b) => a.id > b.id);
        for (const { d } of state.deliveries.values()) {
          if (isFinal(d) || (o.afterId !== undefined && d.id <= o.afterId)) continue;
          if (largest.size < limit) largest.push(d);
          else if (d.id < largest.peek()!.id) {
            largest.pop();
            largest.push(d);
          }
        }
        const out: StoredDelivery[] = [];
        for (let d = largest.pop(); d !== undefined; d = largest.pop()) out.push(d);
        return out.reverse().map((d) => ({
          id: d.id,
          tenant: d.tenant,
          messageId: d.messageId,
          nextAttemptAt: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt),
        }));
      });
    },

    // ── attempts ───────────────────────────────────────────────────────────────────────────────

    insertAttempt(attempt) {
      return op(() => state.appendAttempt(storeAttempt(attempt)));
    },

    recordAttempts(rows) {
      // One synchronous step: no other operation runs between a row's fenced update and its insert.
      return op(() =>
        rows.map(({ attempt, patch, fence }) => {
          const d = applyDeliveryPatch(attempt.tenant, attempt.deliveryId, patch, fence);
          if (d === null) return null;
          state.appendAttempt(storeAttempt(attempt));
          return loadDelivery(d);
        }),
      );
    },

    listAttempts(tenant, deliveryId) {
      return op(() => {
        const list = state.getAttempts(tenant, deliveryId) ?? [];
        return list.map(loadAttempt).sort((a, b) => a.number - b.number);
      });
    },

    // ── statistics ─────────────────────────────────────────────────────────────────────────────

    deliveryStatsByHour(tenant, o) {
      return op(() => {
        const hour = 3_600_000;
        const byHour = new Map<number, DeliveryHourStats>();
        for (const { d } of state.tenantRows(tenant)) {
          if (d.completedAt === null || d.createdAt < o.since.getTime()) continue;
          if (d.status !== "succeeded" && d.status !== "failed") continue;
          const at = Math.floor(d.completedAt / hour) * hour;
          const entry = byHour.get(at) ?? { hour: new Date(at), succeeded: 0, failed: 0 };
          entry[d.status]++;
          byHour.set(at, entry);
        }
        return [...byHour.values()].sort((a, b) => a.hour.getTime() - b.hour.getTime());
      });
    },

    // ── housekeeping ───────────────────────────────────────────────────────────────────────────

    prune(o) {
      return op(() => {
        const before = o.before.getTime();
        const batch = Math.max(1, Math.floor(o.batchSize));
        let removed = 0;
        // Attempts older than `before`.
        let attemptBudget = batch;
        for (const list of [...state.attempts.values()].flatMap((perTenant) => [...perTenant.values()])) {
          if (attemptBudget === 0) break;
          const drop = new Set(list.filter((a) => a.startedAt < before).slice(0, attemptBudget));
          if (drop.size === 0) continue;
          const keep = list.filter((a) => !drop.has(a));
          const { tenant, deliveryId } = list[0]!;
          state.putAttempts(tenant, deliveryId, keep.length === 0 ? undefined : keep);
          attemptBudget -= drop.size;
          removed += drop.size;
        }
        // Messages older than `before` whose deliveries are all final, with those deliveries.
        let messageBudget = batch;
        for (const [tenant, messages] of state.messages) {
          if (messageBudget === 0) break;
          const byMessage = new Map<string, DeliveryRow[]>();
          for (const row of state.tenantRows(tenant)) {
            const list = byMessage.get(row.d.messageId);
            if (list === undefined) byMessage.set(row.d.messageId, [row]);
            else list.push(row);
          }
          for (const m of [...messages.values()]) {
            if (messageBudget === 0) break;
            const deliveries = byMessage.get(m.id) ?? [];
            if (m.createdAt >= before || !deliveries.every((r) => isFinal(r.d))) continue;
            removed += removeMessageTree(tenant, m.id, deliveries);
            messageBudget--;
          }
        }
        return removed;
      });
    },

    async close() {
      closed = true;
    },
  };
  return store;
}
