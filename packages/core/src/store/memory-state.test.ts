// The memory store's state primitives: what the conformance suite cannot see (index sizes, list order
// through compaction and rollback).
import { describe, expect, it } from "vitest";
import { type StoredDelivery, storeDelivery } from "./clone.ts";
import { deliveryRow, MemoryState } from "./memory-state.ts";

const T0 = Date.UTC(2030, 0, 1);

function stored(id: string, tenant = "t", patch: Partial<StoredDelivery> = {}): StoredDelivery {
  return {
    ...storeDelivery({
      id,
      tenant,
      messageId: "m",
      subscriptionId: "s",
      eventType: "e",
      status: "pending",
      attempts: 0,
      nextAttemptAt: new Date(T0),
      leaseUntil: null,
      lastStatus: null,
      lastError: null,
      createdAt: new Date(T0),
      updatedAt: new Date(T0),
      completedAt: null,
    }),
    ...patch,
  };
}

function add(state: MemoryState, id: string, tenant = "t"): void {
  state.addDelivery(deliveryRow(stored(id, tenant), state.nextSeq()));
}

const ids = (state: MemoryState, tenant = "t") => state.tenantRows(tenant).map((r) => r.d.id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `d${from + i}`);

describe("MemoryState", () => {
  it("drops the due entries that finished deliveries left behind, though finished rows are kept", () => {
    const state = new MemoryState();
    for (let i = 0; i < 2000; i++) {
      add(state, `d${i}`);
      const row = state.deliveries.get(`d${i}`)!;
      state.updateDelivery(row, { ...row.d, status: "delivering", leaseUntil: T0 + 60_000 });
      state.updateDelivery(row, { ...row.d, status: "succeeded", leaseUntil: null, completedAt: T0 });
    }
    expect(state.deliveries.size).toBe(2000);
    // Each delivery left two entries (pending, leased) that are stale now; they are compacted away.
    expect(state.dueSize).toBeLessThan(600);
    expect(state.peekDue()).toBeUndefined();
  });

  it("keeps a tenant's rows in insertion order through removals, compaction and rollback", () => {
    const state = new MemoryState();
    for (let i = 0; i < 100; i++) add(state, `d${i}`);
    add(state, "other", "u");
    for (let i = 0; i < 60; i++) state.putDelivery(`d${i}`, undefined, "t");
    expect(ids(state)).toEqual(range(60, 100));

    // Removed inside a transaction (compacted meanwhile), then rolled back: back in place.
    state.undo = [];
    for (let i = 99; i >= 60; i -= 2) state.putDelivery(`d${i}`, undefined, "t");
    for (let i = 60; i < 100; i += 2) state.putDelivery(`d${i}`, undefined, "t");
    expect(ids(state)).toEqual([]);
    state.rollback();
    expect(ids(state)).toEqual(range(60, 100));
    expect(ids(state, "u")).toEqual(["other"]);
    // The restored rows are live again: each one is due once.
    const due: string[] = [];
    for (let top = state.peekDue(); top !== undefined; top = state.peekDue()) {
      due.push(top.row.d.id);
      state.popDue();
    }
    expect(due.sort()).toEqual([...range(60, 100), "other"].sort());
  });

  it("keeps an inserted row out of the tenant's list once its insertion is rolled back", () => {
    const state = new MemoryState();
    add(state, "kept");
    state.undo = [];
    add(state, "dropped");
    state.rollback();
    expect(ids(state)).toEqual(["kept"]);
    expect(state.deliveries.has("dropped")).toBe(false);
    add(state, "dropped");
    expect(ids(state)).toEqual(["kept", "dropped"]);
  });
});
