/**
 * The memory store's due index: entries ordered by due time (then insertion order), earliest first.
 *
 * Most entries arrive in order: fresh deliveries are due when they are created, and leases all last the
 * same time, so each kind is due in the order it is written. Such entries are appended to a run (a FIFO, one
 * per kind); only the ones that come out of order (retries, a changed lease length, a clock step back) go
 * to a min-heap. Taking the earliest compares the three heads: no heap work for the common case.
 */
import { MinHeap } from "./heap.ts";

/** What the index orders: due time, then a tie-breaking sequence number (unique, increasing). */
export interface Due {
  at: number;
  order: number;
}

const before = (a: Due, b: Due): boolean => a.at < b.at || (a.at === b.at && a.order < b.order);

/** Entries in non-decreasing order, taken from the front. */
class Run<E extends Due> {
  private items: (E | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  peek(): E | undefined {
    return this.items[this.head];
  }

  /** Appends `e` unless it would come before the last entry (then the caller puts it elsewhere). */
  append(e: E): boolean {
    const last = this.items[this.items.length - 1];
    if (this.size > 0 && last !== undefined && before(e, last)) return false;
    this.items.push(e);
    return true;
  }

  shift(): void {
    if (this.size === 0) return;
    this.items[this.head] = undefined; // let the entry go
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  retain(keep: (e: E) => boolean): void {
    const kept: E[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const e = this.items[i] as E;
      if (keep(e)) kept.push(e);
    }
    this.items = kept;
    this.head = 0;
  }
}

/** Due entries, earliest first; `lane` names the run an entry is tried in (one per kind of entry). */
export class DueIndex<E extends Due> {
  private readonly runs: [Run<E>, Run<E>] = [new Run<E>(), new Run<E>()];
  private readonly heap = new MinHeap<E>(before);

  get size(): number {
    return this.runs[0].size + this.runs[1].size + this.heap.size;
  }

  push(e: E, lane: 0 | 1): void {
    if (!this.runs[lane].append(e)) this.heap.push(e);
  }

  /** The earliest entry, or `undefined` when empty. */
  peek(): E | undefined {
    const a = this.runs[0].peek();
    const b = this.runs[1].peek();
    const c = this.heap.peek();
    let min = a;
    if (b !== undefined && (min === undefined || before(b, min))) min = b;
    if (c !== undefined && (min === undefined || before(c, min))) min = c;
    return min;
  }

  /** Removes the earliest entry. */
  pop(): void {
    const min = this.peek();
    if (min === undefined) return;
    if (min === this.runs[0].peek()) this.runs[0].shift();
    else if (min === this.runs[1].peek()) this.runs[1].shift();
    else this.heap.pop();
  }

  /** Keeps only the entries for which `keep` is true. */
  retain(keep: (e: E) => boolean): void {
    this.runs[0].retain(keep);
    this.runs[1].retain(keep);
    this.heap.retain(keep);
  }
}
