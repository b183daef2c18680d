// Behaviour of the memory store beyond the shared conformance suite (see memory.test.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import { describe, expect, it } from "vitest";
import { HooklineError } from "../errors.ts";
import type { Delivery } from "../model/types.ts";
import { fixtureSubscription } from "../testing/store-suite.ts";
import { memoryStore } from "./memory.ts";

const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

function delivery(id: string, nextAttemptAt: number): Delivery {
  return {
    id,
    tenant: "t",
    messageId: "m",
    subscriptionId: "s",
    eventType: "e",
    status: "pending",
    attempts: 0,
    nextAttemptAt: at(nextAttemptAt),
    leaseUntil: null,
    lastStatus: null,
    lastError: null,
    createdAt: at(0),
    updatedAt: at(0),
    completedAt: null,
  };
}

describe("memoryStore internals", () => {
  it("makes writes from outside wait for an open transaction (no dirty writes lost on rollback)", async () => {
    const store = memoryStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tx = store
      .transaction(async (t) => {
        await t.createSubscription(fixtureSubscription("t", { id: "in-tx" }));
        await gate;
        throw new Error("rollback");
      })
      .catch(() => "rolled back");
    const outside = store.createSubscription(fixtureSubscription("t", { id: "outside" }));
    const read = store.getSubscription("t", "in-tx");
    release();
    expect(await tx).toBe("rolled back");
    await outside;
    expect(await read).toBeNull();
    expect(await store.getSubscription("t", "outside")).not.toBeNull();
    expect(await store.getSubscription("t", "in-tx")).toBeNull();
  });

  it("lets calls on the root store inside a transaction join it instead of deadlocking", async () => {
    const store = memoryStore();
    const err = await store
      .transaction(async () => {
        await store.createSubscription(fixtureSubscription("t", { id: "joined" }));
        expect(await store.nextSequence("x")).toBe(1);
        throw new Error("boom");
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe("boom");
    expect(await store.getSubscription("t", "joined")).toBeNull();
    expect(await store.nextSequence("x")).toBe(1);
  });

  it("runs work queued behind a transaction in its own caller's async context, in arrival order", async () => {
    const store = memoryStore();
    const als = new AsyncLocalStorage<string>();
    const seen: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = als.run("A", () =>
      store.transaction(async () => {
        seen.push(`A:${als.getStore()}`);
        await gate;
      }),
    );
    const second = als.run("B", () =>
      store.transaction(async () => {
        seen.push(`B:${als.getStore()}`);
        await Promise.resolve();
        seen.push(`B again:${als.getStore()}`);
      }),
    );
    const third = als.run("C", () => store.nextSequence("x").then(() => seen.push(`C:${als.getStore()}`)));
    open();
    await Promise.all([first, second, third]);
    expect(seen).toEqual(["A:A", "B:B", "B again:B", "C:C"]);
  });

  it("restores a hard-deleted row at its list position on rollback", async () => {
    const store = memoryStore();
    for (const id of ["a", "b", "c"]) await store.createSubscription(fixtureSubscription("t", { id }));
    await store
      .transaction(async (tx) => {
        await tx.deleteSubscription("t", "b");
        await tx.updateSubscription("t", "a", { eventTypes: ["x.y"] });
        throw new Error("undo");
      })
      .catch(() => undefined);
    const page = await store.listSubscriptions("t", { limit: 10 });
    expect(page.items.map((s) => s.id)).toEqual(["a", "b", "c"]);
    expect((await store.matchSubscriptions("t", "invoice.paid")).map((s) => s.id)).toEqual(["a", "b", "c"]);
    expect(await store.matchSubscriptions("t", "x.y")).toEqual([]);
  });

  it("keeps claims correct through many re-schedules (due-index compaction)", async () => {
    const store = memoryStore();
    await store.insertDeliveries(Array.from({ length: 50 }, (_, i) => delivery(`d${i}`, i)));
    // Re-schedule every delivery many times: stale index entries pile up and get compacted.
    for (let round = 1; round <= 60; round++) {
      for (let i = 0; i < 50; i++) {
        await store.updateDelivery("t", `d${i}`, { nextAttemptAt: at(round * 1000 + (49 - i)) });
      }
    }
    expect(await store.nextDueAt()).toEqual(at(60_000));
    const claimed = await store.claimDueDeliveries({ now: at(60_049), leaseMs: 1, limit: 100 });
    expect(claimed.map((d) => d.id)).toEqual(Array.from({ length: 50 }, (_, i) => `d${49 - i}`));
  });

  it("refuses calls after close", async () => {
    const store = memoryStore();
    await store.close();
    const err = await store.getSubscription("t", "x").catch((e: unknown) => e);
    expect(HooklineError.is(err, "closed")).toBe(true);
  });
});
