import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DueIndex } from "./memory-due.ts";

interface Entry {
  at: number;
  order: number;
}

const byDue = (a: Entry, b: Entry) => a.at - b.at || a.order - b.order;

/** Pops everything the index holds, earliest first. */
function drain(index: DueIndex<Entry>): Entry[] {
  const out: Entry[] = [];
  for (let e = index.peek(); e !== undefined; e = index.peek()) {
    out.push(e);
    index.pop();
  }
  return out;
}

// Operations: push an entry due at `at` into a lane, or pop the earliest one.
const op = fc.oneof(
  fc.record({
    kind: fc.constant("push" as const),
    at: fc.integer({ min: 0, max: 50 }),
    lane: fc.constantFrom(0, 1),
  }),
  fc.record({ kind: fc.constant("pop" as const) }),
);

describe("DueIndex", () => {
  it("hands out entries earliest first (then in insertion order), whatever order they came in", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const index = new DueIndex<Entry>();
        const reference: Entry[] = [];
        let order = 0;
        for (const o of ops) {
          if (o.kind === "push") {
            const e = { at: o.at, order: ++order };
            index.push(e, o.lane as 0 | 1);
            reference.push(e);
          } else {
            reference.sort(byDue);
            expect(index.peek()).toBe(reference[0]);
            index.pop();
            reference.shift();
          }
          expect(index.size).toBe(reference.length);
        }
        expect(drain(index)).toEqual(reference.sort(byDue));
      }),
    );
  });

  it("orders two interleaved in-order streams and a late entry; retain() drops what it rejects", () => {
    const index = new DueIndex<Entry>();
    // Two interleaved in-order streams (fresh deliveries due now, leases due later) and one late retry.
    for (let i = 0; i < 2000; i++) {
      index.push({ at: i, order: 3 * i }, 0);
      index.push({ at: i + 60_000, order: 3 * i + 1 }, 1);
    }
    index.push({ at: 5, order: 1_000_000 }, 0);
    expect(index.size).toBe(4001);
    index.retain((e) => e.order % 2 === 0);
    const out = drain(index);
    expect(out).toEqual([...out].sort(byDue));
    expect(out.every((e) => e.order % 2 === 0)).toBe(true);
    expect(out).toHaveLength(2001);
    expect(index.size).toBe(0);
    expect(index.peek()).toBeUndefined();
  });
});
