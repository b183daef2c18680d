/**
 * The memory store's state and the only primitives that change it. Every primitive keeps the indexes in
 * step and, inside a transaction, records its inverse in the undo log (rollback replays it backwards).
 */
import { eventTypeKeys } from "../catalog/match.ts";
import type { Attempt, Delivery, Message, Subscription } from "../model/types.ts";
import { MinHeap } from "./heap.ts";

/** A stored subscription with its insertion position. */
export interface SubRow {
  readonly sub: Subscription;
  /** Insertion position: list order and cursors. */
  readonly seq: number;
}

/** A stored delivery with its insertion position. */
export interface DeliveryRow {
  readonly d: Delivery;
  readonly seq: number;
}

interface DueEntry {
  at: number;
  order: number;
  row: DeliveryRow;
}

/** When a delivery is due (pending: next attempt; delivering: lease expiry), `null` when final. */
export function dueTime(d: Delivery): number | null {
  if (d.status === "pending") return d.nextAttemptAt?.getTime() ?? 0;
  if (d.status === "delivering") return d.leaseUntil?.getTime() ?? 0;
  return null;
}

const attemptKey = (tenant: string, deliveryId: string) => `${tenant}\u0000${deliveryId}`;

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** All rows of one memory store, their indexes, and the undo log of the open transaction. */
export class MemoryState {
  private seq = 0;
  private dueOrder = 0;
  /** tenant → id → row (Map order = insertion order). */
  readonly subs = new Map<string, Map<string, SubRow>>();
  /** tenant → pattern → ids of non-deleted subscriptions: `matchSubscriptions` looks up `eventTypeKeys(type)`. */
  readonly index = new Map<string, Map<string, Set<string>>>();
  readonly messages = new Map<string, Map<string, Message>>();
  /** id → row; delivery ids are unique across tenants (`claimDelivery` takes only an id). */
  readonly deliveries = new Map<string, DeliveryRow>();
  readonly tenantDeliveries = new Map<string, Map<string, DeliveryRow>>();
  /** tenant + delivery id → attempts, oldest first. */
  readonly attempts = new Map<string, Attempt[]>();
  readonly sequences = new Map<string, number>();
  private readonly due = new MinHeap<DueEntry>((a, b) => a.at < b.at || (a.at === b.at && a.order < b.order));
  /** Inverse operations of the open transaction, `null` outside one. */
  undo: (() => void)[] | null = null;

  nextSeq(): number {
    return ++this.seq;
  }

  private record(inverse: () => void): void {
    this.undo?.push(inverse);
  }

  /** Rolls back the open transaction. */
  rollback(): void {
    const log = this.undo ?? [];
    this.undo = null;
    for (let i = log.length - 1; i >= 0; i--) log[i]!();
  }

  // ── subscriptions ────────────────────────────────────────────────────────────────────────────

  getSubRow(tenant: string, id: string): SubRow | undefined {
    return this.subs.get(tenant)?.get(id);
  }

  /** Inserts, replaces (`row`) or removes (`undefined`) a subscription, re-indexing its patterns. */
  putSub(tenant: string, id: string, row: SubRow | undefined): void {
    const rows = getOrCreate(this.subs, tenant, () => new Map<string, SubRow>());
    const prev = rows.get(id);
    if (prev !== undefined) this.unindex(prev.sub);
    if (row === undefined) rows.delete(id);
    else {
      rows.set(id, row);
      this.indexSub(row.sub);
    }
    if (this.undo !== null) {
      this.record(() => {
        if (prev === undefined) this.putSub(tenant, id, undefined);
        else this.restoreSubRow(tenant, prev);
      });
    }
  }

  // A row removed and restored must come back at its insertion position: rebuild the tenant's map order.
  private restoreSubRow(tenant: string, row: SubRow): void {
    const rows = getOrCreate(this.subs, tenant, () => new Map<string, SubRow>());
    const current = rows.get(row.sub.id);
    if (current !== undefined) this.unindex(current.sub);
    if (current === undefined && [...rows.values()].some((r) => r.seq > row.seq)) {
      const ordered = [...rows.values(), row].sort((a, b) => a.seq - b.seq);
      rows.clear();
      for (const r of ordered) rows.set(r.sub.id, r);
    } else rows.set(row.sub.id, row);
    this.indexSub(row.sub);
  }

  private indexSub(sub: Subscription): void {
    if (sub.deletedAt !== null) return;
    const patterns = getOrCreate(this.index, sub.tenant, () => new Map<string, Set<string>>());
    for (const p of sub.eventTypes) getOrCreate(patterns, p, () => new Set<string>()).add(sub.id);
  }

  private unindex(sub: Subscription): void {
    const patterns = this.index.get(sub.tenant);
    if (patterns === undefined) return;
    for (const p of sub.eventTypes) {
      const ids = patterns.get(p);
      if (ids === undefined) continue;
      ids.delete(sub.id);
      if (ids.size === 0) patterns.delete(p);
    }
  }

  /** Non-deleted subscription rows of `tenant` with a pattern matching `eventType`, in insertion order. */
  matchRows(tenant: string, eventType: string): SubRow[] {
    const patterns = this.index.get(tenant);
    if (patterns === undefined) return [];
    const rows = this.subs.get(tenant)!;
    const out: SubRow[] = [];
    let seen: Set<string> | undefined;
    let hits = 0;
    for (const key of eventTypeKeys(eventType)) {
      const ids = patterns.get(key);
      if (ids === undefined) continue;
      // A subscription may match through several of its patterns: de-duplicate from the second hit on.
      if (++hits === 2) seen = new Set(out.map((r) => r.sub.id));
      for (const id of ids) {
        if (seen !== undefined) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        out.push(rows.get(id)!);
      }
    }
    return out.length > 1 ? out.sort((a, b) => a.seq - b.seq) : out;
  }

  // ── messages ─────────────────────────────────────────────────────────────────────────────────

  putMessage(tenant: string, id: string, message: Message | undefined): void {
    const messages = getOrCreate(this.messages, tenant, () => new Map<string, Message>());
    const prev = messages.get(id);
    if (message === undefined) messages.delete(id);
    else messages.set(id, message);
    if (this.undo !== null) this.record(() => this.putMessage(tenant, id, prev));
  }

  // ── deliveries ───────────────────────────────────────────────────────────────────────────────

  putDelivery(id: string, row: DeliveryRow | undefined, tenant: string): void {
    const prev = this.deliveries.get(id);
    const perTenant = getOrCreate(this.tenantDeliveries, tenant, () => new Map<string, DeliveryRow>());
    if (row === undefined) {
      this.deliveries.delete(id);
      perTenant.delete(id);
    } else {
      this.deliveries.set(id, row);
      perTenant.set(id, row);
      const at = dueTime(row.d);
      if (at !== null) this.due.push({ at, order: ++this.dueOrder, row });
      this.compactDue();
    }
    if (this.undo !== null) {
      this.record(() => {
        if (prev !== undefined && row === undefined) {
          // Restored after a removal: re-insert in insertion order.
          const ordered = [...perTenant.values(), prev].sort((a, b) => a.seq - b.seq);
          perTenant.clear();
          for (const r of ordered) perTenant.set(r.d.id, r);
        }
        this.putDelivery(id, prev, tenant);
      });
    }
  }

  private isLive(entry: DueEntry): boolean {
    return this.deliveries.get(entry.row.d.id) === entry.row && dueTime(entry.row.d) === entry.at;
  }

  /** The earliest live due entry, dropping stale ones on the way. */
  peekDue(): { at: number; row: DeliveryRow } | undefined {
    for (let top = this.due.peek(); top !== undefined; top = this.due.peek()) {
      if (this.isLive(top)) return top;
      this.due.pop();
    }
    return undefined;
  }

  popDue(): void {
    this.due.pop();
  }

  // Stale entries accumulate as deliveries change; rebuild when they dominate.
  private compactDue(): void {
    if (this.due.size > 1024 && this.due.size > 4 * this.deliveries.size) {
      this.due.retain((e) => this.isLive(e));
    }
  }

  // ── attempts ─────────────────────────────────────────────────────────────────────────────────

  getAttempts(tenant: string, deliveryId: string): Attempt[] | undefined {
    return this.attempts.get(attemptKey(tenant, deliveryId));
  }

  putAttempts(tenant: string, deliveryId: string, list: Attempt[] | undefined): void {
    const key = attemptKey(tenant, deliveryId);
    const prev = this.attempts.get(key);
    if (list === undefined) this.attempts.delete(key);
    else this.attempts.set(key, list);
    if (this.undo !== null) this.record(() => this.putAttempts(tenant, deliveryId, prev));
  }

  // ── sequences ────────────────────────────────────────────────────────────────────────────────

  putSequence(name: string, value: number): void {
    const prev = this.sequences.get(name);
    this.sequences.set(name, value);
    if (this.undo !== null) {
      this.record(() => {
        if (prev === undefined) this.sequences.delete(name);
        else this.putSequence(name, prev);
      });
    }
  }
}
