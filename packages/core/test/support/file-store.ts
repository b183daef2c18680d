/**
 * A small Store for the delivery tests: everything in memory, optionally persisted to a JSON file after
 * every write (synchronously, so a SIGKILL never leaves a torn state behind a resolved call). The crash test
 * uses the file-backed form; it is not a production driver.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { eventTypeKeys, matchesEventType } from "../../src/catalog/match.ts";
import { HooklineError } from "../../src/errors.ts";
import type { Attempt, Delivery, Message, Subscription } from "../../src/model/types.ts";
import type { ClaimOptions, InsertMessageResult, Store } from "../../src/store/types.ts";

interface State {
  subscriptions: Subscription[];
  messages: Message[];
  deliveries: Delivery[];
  attempts: Attempt[];
  sequences: Record<string, number>;
}

const DATE_KEYS = new Set([
  "createdAt",
  "updatedAt",
  "deletedAt",
  "failingSince",
  "expiresAt",
  "timestamp",
  "nextAttemptAt",
  "leaseUntil",
  "completedAt",
  "startedAt",
]);

function revive(_key: string, value: unknown): unknown {
  return typeof value === "string" && DATE_KEYS.has(_key) ? new Date(value) : value;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function page<T>(items: T[], limit: number, cursor?: string | null) {
  const start = cursor ? Number(cursor) : 0;
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? String(start + limit) : null;
  return { items: slice.map(copy), nextCursor: next };
}

/** Options of {@link fileStore}. */
export interface FileStoreOptions {
  /** When set, state is loaded from and saved to this JSON file. */
  path?: string;
}

/** The test store (memory, or memory + JSON file). */
export function fileStore(options: FileStoreOptions = {}): Store {
  let state: State = { subscriptions: [], messages: [], deliveries: [], attempts: [], sequences: {} };
  if (options.path) {
    try {
      state = JSON.parse(readFileSync(options.path, "utf8"), revive) as State;
    } catch {
      // new file
    }
  }
  let depth = 0;
  function save(): void {
    if (!options.path || depth > 0) return;
    const tmp = `${options.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, options.path);
  }
  function due(d: Delivery, now: Date): boolean {
    if (d.status === "pending") return d.nextAttemptAt !== null && d.nextAttemptAt <= now;
    if (d.status === "delivering") return d.leaseUntil !== null && d.leaseUntil <= now;
    return false;
  }
  function lease(d: Delivery, opts: ClaimOptions): Delivery {
    d.status = "delivering";
    d.leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
    d.updatedAt = opts.now;
    return copy(d);
  }

  const store: Store = {
    name: "file",
    capabilities: { transactions: true, hostTransactions: false, durable: true, multiProcess: false },
    async transaction(fn) {
      const snapshot = copy(state);
      depth++;
      try {
        const result = await fn(store);
        depth--;
        save();
        return result;
      } catch (error) {
        depth--;
        state = snapshot;
        throw error;
      }
    },
    withHostTransaction() {
      throw new HooklineError("unsupported", "[hookline] [file] host transactions are not supported");
    },
    async nextSequence(name) {
      state.sequences[name] = (state.sequences[name] ?? 0) + 1;
      save();
      return state.sequences[name];
    },
    async createSubscription(sub) {
      if (state.subscriptions.some((s) => s.tenant === sub.tenant && s.id === sub.id)) {
        throw new HooklineError("conflict", "[hookline] [file] subscription exists");
      }
      state.subscriptions.push(copy(sub));
      save();
      return copy(sub);
    },
    async getSubscription(tenant, id, opts) {
      const s = state.subscriptions.find((x) => x.tenant === tenant && x.id === id);
      if (!s || (s.deletedAt && !opts?.includeDeleted)) return null;
      return copy(s);
    },
    async getSubscriptions(tenant, ids) {
      const out: Subscription[] = [];
      for (const id of ids) {
        const s = await store.getSubscription(tenant, id);
        if (s) out.push(s);
      }
      return out;
    },
    async listSubscriptions(tenant, query) {
      const items = state.subscriptions.filter(
        (s) =>
          s.tenant === tenant &&
          (query.includeDeleted || !s.deletedAt) &&
          (!query.status || s.status === query.status) &&
          (!query.eventType || s.eventTypes.includes(query.eventType)),
      );
      return page(items, query.limit, query.cursor);
    },
    async countSubscriptions(tenant, query) {
      return (await store.listSubscriptions(tenant, { ...query, limit: 1_000_000 })).items.length;
    },
    async updateSubscription(tenant, id, patch, opts) {
      const s = state.subscriptions.find((x) => x.tenant === tenant && x.id === id && !x.deletedAt);
      if (!s) return null;
      if (opts?.expectedVersion !== undefined && opts.expectedVersion !== s.version) {
        throw new HooklineError("conflict", "[hookline] [file] version conflict");
      }
      Object.assign(s, copy(patch), { version: s.version + 1 });
      save();
      return copy(s);
    },
    async deleteSubscription(tenant, id) {
      const before = state.subscriptions.length;
      state.subscriptions = state.subscriptions.filter((s) => !(s.tenant === tenant && s.id === id));
      save();
      return state.subscriptions.length < before;
    },
    async matchSubscriptions(tenant, eventType) {
      const keys = new Set(eventTypeKeys(eventType));
      return state.subscriptions
        .filter(
          (s) =>
            s.tenant === tenant &&
            s.status === "active" &&
            !s.deletedAt &&
            s.eventTypes.some((p) => keys.has(p) && matchesEventType(p, eventType)),
        )
        .map(copy);
    },
    async insertMessage(message): Promise<InsertMessageResult> {
      const existing = state.messages.find((m) => m.tenant === message.tenant && m.id === message.id);
      if (existing) return { inserted: false, message: copy(existing) };
      state.messages.push(copy(message));
      save();
      return { inserted: true, message: copy(message) };
    },
    async getMessage(tenant, id) {
      const m = state.messages.find((x) => x.tenant === tenant && x.id === id);
      return m ? copy(m) : null;
    },
    async insertDeliveries(deliveries) {
      state.deliveries.push(...deliveries.map(copy));
      save();
    },
    async getDelivery(tenant, id) {
      const d = state.deliveries.find((x) => x.tenant === tenant && x.id === id);
      return d ? copy(d) : null;
    },
    async listDeliveries(tenant, query) {
      const items = state.deliveries
        .filter(
          (d) =>
            d.tenant === tenant &&
            (!query.subscriptionId || d.subscriptionId === query.subscriptionId) &&
            (!query.messageId || d.messageId === query.messageId) &&
            (!query.status || d.status === query.status) &&
            (!query.eventType || d.eventType === query.eventType) &&
            (!query.since || d.createdAt >= query.since),
        )
        .reverse();
      return page(items, query.limit, query.cursor);
    },
    async claimDueDeliveries(opts) {
      const out = state.deliveries
        .filter((d) => due(d, opts.now))
        .sort((a, b) => (a.nextAttemptAt?.getTime() ?? 0) - (b.nextAttemptAt?.getTime() ?? 0))
        .slice(0, opts.limit)
        .map((d) => lease(d, opts));
      if (out.length > 0) save();
      return out;
    },
    async claimDelivery(id, opts) {
      const d = state.deliveries.find((x) => x.id === id);
      if (!d || !due(d, opts.now)) return null;
      const leased = lease(d, opts);
      save();
      return leased;
    },
    async updateDelivery(tenant, id, patch, opts) {
      const d = state.deliveries.find((x) => x.tenant === tenant && x.id === id);
      if (!d || (opts?.expectStatus && d.status !== opts.expectStatus)) return null;
      Object.assign(d, copy(patch));
      save();
      return copy(d);
    },
    async requeueFailedDeliveries(tenant, opts) {
      let n = 0;
      for (const d of state.deliveries) {
        if (
          d.tenant === tenant &&
          d.status === "failed" &&
          d.createdAt >= opts.since &&
          (!opts.subscriptionId || d.subscriptionId === opts.subscriptionId)
        ) {
          Object.assign(d, {
            status: "pending",
            nextAttemptAt: opts.now,
            completedAt: null,
            updatedAt: opts.now,
          });
          n++;
        }
      }
      save();
      return n;
    },
    async nextDueAt() {
      let min: number | null = null;
      for (const d of state.deliveries) {
        const at = d.status === "pending" ? d.nextAttemptAt : d.status === "delivering" ? d.leaseUntil : null;
        if (at && (min === null || at.getTime() < min)) min = at.getTime();
      }
      return min === null ? null : new Date(min);
    },
    async listUnfinishedDeliveryIds(opts) {
      return state.deliveries
        .filter(
          (d) =>
            (d.status === "pending" || d.status === "delivering") && (!opts.afterId || d.id > opts.afterId),
        )
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, opts.limit)
        .map((d) => ({ id: d.id, tenant: d.tenant, messageId: d.messageId, nextAttemptAt: d.nextAttemptAt }));
    },
    async insertAttempt(attempt) {
      state.attempts.push(copy(attempt));
      save();
    },
    async listAttempts(tenant, deliveryId) {
      return state.attempts.filter((a) => a.tenant === tenant && a.deliveryId === deliveryId).map(copy);
    },
    async prune() {
      return 0;
    },
    async close() {},
  };
  return store;
}
