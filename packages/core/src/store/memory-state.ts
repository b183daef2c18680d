/**
 * The memory store's state and the only primitives that change it. Every primitive keeps the indexes in
 * step and, inside a transaction, records its inverse in the undo log (rollback replays it backwards).
 */
import { eventTypeKeys } from "../catalog/match.ts";
import type { Subscription } from "../model/types.ts";
import type { StoredAttempt, StoredDelivery, StoredMessage } from "./clone.ts";
import { DueIndex } from "./memory-due.ts";

/** A stored subscription with its insertion position. */
export interface SubRow {
  readonly sub: Subscription;
  /** Insertion position: list order and cursors. */
  readonly seq: number;
}

/**
 * A stored delivery with its insertion position. The row object stays while the delivery is stored; each
 * update replaces `d` (a `Delivery` is never changed in place) and bumps `version`, so the id maps are not
 * touched by updates.
 */
export interface DeliveryRow {
  d: StoredDelivery;
  readonly seq: number;
  /** Bumped by every change of `d` (and by every insertion of the row): older due entries are stale. */
  version: number;
  /** Whether the row is in the store (false once removed). */
  stored: boolean;
  /** Whether the row is in its tenant's list (a removed row stays there until the list is compacted). */
  listed: boolean;
}

/** A tenant's delivery rows, and how many of them were removed since the list was last compacted. */
interface TenantRows {
  rows: DeliveryRow[];
  removed: number;
}

/** A new row for `d` at insertion position `seq`, to hand to {@link MemoryState.addDelivery}. */
export function deliveryRow(d: StoredDelivery, seq: number): DeliveryRow {
  return { d, seq, version: 0, stored: false, listed: false };
}

/** An entry of the due index: `row` is due at `at`, as long as the row is still at `version`. */
interface DueEntry {
  at: number;
  order: number;
  row: DeliveryRow;
  version: number;
}

/** Most event types whose index keys are remembered; past it the memo restarts. */
const EVENT_KEYS_LIMIT = 1024;

/** Size past which the due index is rebuilt once stale entries outnumber the live ones. */
const COMPACT_MIN = 256;

/** When a delivery is due (pending: next attempt; delivering: lease expiry), `null` when final. */
export function dueTime(d: StoredDelivery): number | null {
  if (d.status === "pending") return d.nextAttemptAt ?? 0;
  if (d.status === "delivering") return d.leaseUntil ?? 0;
  return null;
}

/** A new empty map (a shared factory for {@link getOrCreate}: no closure per call). */
const newMap = <K, V>(): Map<K, V> => new Map<K, V>();

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
  readonly messages = new Map<string, Map<string, StoredMessage>>();
  /** id → row; delivery ids are unique across tenants (`claimDelivery` takes only an id). */
  readonly deliveries = new Map<string, DeliveryRow>();
  /**
   * tenant → its delivery rows in insertion order (ascending `seq`). Removed rows stay (with `stored` false)
   * until the list is compacted: appending to a list is much cheaper than inserting into a large map.
   * Read it with {@link tenantRows}.
   */
  private readonly tenantDeliveries = new Map<string, TenantRows>();
  /** tenant → delivery id → attempts, oldest first (nested maps: no key string is built per lookup). */
  readonly attempts = new Map<string, Map<string, StoredAttempt[]>>();
  readonly sequences = new Map<string, number>();
  /** Due entries, earliest first: pending deliveries in one lane, leases in the other. */
  private readonly due = new DueIndex<DueEntry>();
  /** Event type → the index keys it looks up. */
  private readonly eventKeys = new Map<string, readonly string[]>();
  /** Deliveries that are not final (each has one live entry in `due`). */
  private dueRows = 0;
  /** Inverse operations of the open transaction, `null` outside one. */
  undo: (() => void)[] | null = null;

  /** Entries in the due index, stale ones included (for tests and diagnostics). */
  get dueSize(): number {
    return this.due.size;
  }

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

  /** `eventTypeKeys(eventType)`, remembered: a deployment emits few distinct event types. */
  private keysOf(eventType: string): readonly string[] {
    let keys = this.eventKeys.get(eventType);
    if (keys === undefined) {
      keys = eventTypeKeys(eventType);
      if (this.eventKeys.size >= EVENT_KEYS_LIMIT) this.eventKeys.clear();
      this.eventKeys.set(eventType, keys);
    }
    return keys;
  }

  /** Non-deleted subscription rows of `tenant` with a pattern matching `eventType`, in insertion order. */
  matchRows(tenant: string, eventType: string): SubRow[] {
    const patterns = this.index.get(tenant);
    if (patterns === undefined) return [];
    const rows = this.subs.get(tenant)!;
    const out: SubRow[] = [];
    let seen: Set<string> | undefined;
    let hits = 0;
    for (const key of this.keysOf(eventType)) {
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

  putMessage(tenant: string, id: string, message: StoredMessage | undefined): void {
    const messages = getOrCreate<string, Map<string, StoredMessage>>(this.messages, tenant, newMap);
    const prev = messages.get(id);
    if (message === undefined) messages.delete(id);
    else messages.set(id, message);
    if (this.undo !== null) this.record(() => this.putMessage(tenant, id, prev));
  }

  /** Inserts a message whose (tenant, id) the caller found free (one lookup fewer than `putMessage`). */
  addMessage(message: StoredMessage): void {
    const { tenant, id } = message;
    const messages = getOrCreate<string, Map<string, StoredMessage>>(this.messages, tenant, newMap);
    messages.set(id, message);
    if (this.undo !== null) this.record(() => this.putMessage(tenant, id, undefined));
  }

  // ── deliveries ───────────────────────────────────────────────────────────────────────────────

  /** The stored delivery rows of `tenant`, in insertion order. */
  tenantRows(tenant: string): DeliveryRow[] {
    const list = this.tenantDeliveries.get(tenant);
    if (list === undefined) return [];
    return list.removed === 0 ? list.rows.slice() : list.rows.filter((r) => r.stored);
  }

  private tenantList(tenant: string): TenantRows {
    let list = this.tenantDeliveries.get(tenant);
    if (list === undefined) {
      list = { rows: [], removed: 0 };
      this.tenantDeliveries.set(tenant, list);
    }
    return list;
  }

  /** Puts a row (back) into its tenant's list: appended when new, at its `seq` position when restored. */
  private list(row: DeliveryRow): void {
    if (row.listed) return;
    row.listed = true;
    const { rows } = this.tenantList(row.d.tenant);
    const last = rows[rows.length - 1];
    if (last === undefined || last.seq < row.seq) {
      rows.push(row);
      return;
    }
    // Restored after its removal was compacted away: back to its insertion position.
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid]!.seq < row.seq) lo = mid + 1;
      else hi = mid;
    }
    rows.splice(lo, 0, row);
  }

  /** Counts a removal; drops removed rows from the list once they are half of it. */
  private unlist(row: DeliveryRow): void {
    const list = this.tenantList(row.d.tenant);
    list.removed++;
    if (list.removed > 32 && list.removed * 2 > list.rows.length) {
      const kept: DeliveryRow[] = [];
      for (const r of list.rows) {
        if (r.stored) kept.push(r);
        else r.listed = false;
      }
      list.rows = kept;
      list.removed = 0;
    }
  }

  /** Inserts the row of a delivery whose id the caller found free (one lookup fewer than `putDelivery`). */
  addDelivery(row: DeliveryRow): void {
    const { id, tenant } = row.d;
    this.deliveries.set(id, row);
    row.stored = true;
    this.list(row);
    row.version++;
    this.indexDue(row);
    if (this.undo !== null) this.record(() => this.putDelivery(id, undefined, tenant));
  }

  /** Inserts (`row`, not stored yet) or removes (`undefined`) a delivery's row. */
  putDelivery(id: string, row: DeliveryRow | undefined, tenant: string): void {
    const prev = this.deliveries.get(id);
    if (prev !== undefined) {
      prev.stored = false;
      if (dueTime(prev.d) !== null) this.dueRows--;
      this.unlist(prev);
    }
    if (row === undefined) this.deliveries.delete(id);
    else {
      this.deliveries.set(id, row);
      row.stored = true;
      this.list(row);
      row.version++;
      this.indexDue(row);
    }
    if (this.undo !== null) this.record(() => this.putDelivery(id, prev, tenant));
  }

  /** Replaces a stored delivery's state (`row` is in the store; `d` is not shared with any caller). */
  updateDelivery(row: DeliveryRow, d: StoredDelivery): void {
    const prev = row.d;
    if (dueTime(prev) !== null) this.dueRows--;
    row.d = d;
    row.version++;
    this.indexDue(row);
    if (this.undo !== null) this.record(() => this.updateDelivery(row, prev));
  }

  /** Adds the row's due entry, when it is due at all. */
  private indexDue(row: DeliveryRow): void {
    const at = dueTime(row.d);
    if (at === null) return;
    this.dueRows++;
    this.due.push(
      { at, order: ++this.dueOrder, row, version: row.version },
      row.d.status === "pending" ? 0 : 1,
    );
    this.compactDue();
  }

  private isLive(entry: DueEntry): boolean {
    return entry.row.stored && entry.version === entry.row.version;
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

  /**
   * Stale entries accumulate as deliveries change (each lease leaves one behind, due when the lease would
   * expire); rebuild when they dominate the live ones (one per non-final delivery). Compared with the live
   * count, not with all deliveries: finished deliveries pile up in a store that keeps them, and the entries
   * they left would otherwise stay (keeping their old rows alive) until their lease time came.
   */
  private compactDue(): void {
    if (this.due.size > COMPACT_MIN && this.due.size > 2 * this.dueRows) {
      this.due.retain((e) => this.isLive(e));
    }
  }

  // ── attempts ─────────────────────────────────────────────────────────────────────────────────

  getAttempts(tenant: string, deliveryId: string): StoredAttempt[] | undefined {
    return this.attempts.get(tenant)?.get(deliveryId);
  }

  putAttempts(tenant: string, deliveryId: string, list: StoredAttempt[] | undefined): void {
    const perTenant = getOrCreate<string, Map<string, StoredAttempt[]>>(this.attempts, tenant, newMap);
    const prev = perTenant.get(deliveryId);
    if (list === undefined) perTenant.delete(deliveryId);
    else perTenant.set(deliveryId, list);
    if (this.undo !== null) this.record(() => this.putAttempts(tenant, deliveryId, prev));
  }

  /**
   * Appends one attempt (already copied) to a delivery's list. Outside a transaction the list grows in place;
   * inside one it is replaced by a longer copy, so the undo log can put the previous list back.
   */
  appendAttempt(attempt: StoredAttempt): void {
    const { tenant, deliveryId } = attempt;
    const perTenant = getOrCreate<string, Map<string, StoredAttempt[]>>(this.attempts, tenant, newMap);
    const list = perTenant.get(deliveryId);
    if (list !== undefined && this.undo === null) {
      list.push(attempt);
      return;
    }
    perTenant.set(deliveryId, list === undefined ? [attempt] : [...list, attempt]);
    if (this.undo !== null) this.record(() => this.putAttempts(tenant, deliveryId, list));
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
