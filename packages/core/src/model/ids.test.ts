import { describe, expect, it } from "vitest";
import { memoryStore } from "../store/memory.ts";
import { objectIds, prefixedIds, sequentialIds, uuidIds, uuidV7 } from "./ids.ts";

const ctx = (store = memoryStore()) => ({ store, tenant: "t" });

describe("id generators", () => {
  it("uuidIds: v4 for subscriptions, time-ordered v7 for messages", async () => {
    const ids = uuidIds({ now: () => Date.UTC(2030, 0, 1) });
    const c = ctx();
    expect(await ids("subscription", c)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const m = (await ids("message", c)) as string;
    expect(m).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(m.replace(/-/g, "").slice(0, 12), 16)).toBe(Date.UTC(2030, 0, 1));
    expect(uuidV7(1000) < uuidV7(2000)).toBe(true);
    expect(await uuidIds({ timeOrdered: false })("message", c)).toMatch(/^[0-9a-f-]{14}4/);
  });

  it("uuidV7: unique and well-formed across many refills of the random pool", () => {
    const made = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = uuidV7(Date.UTC(2030, 0, 1) + (i % 3));
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16)).toBe(Date.UTC(2030, 0, 1) + (i % 3));
      made.add(id);
    }
    expect(made.size).toBe(5000);
    expect(uuidV7(0).startsWith("00000000-0000-7")).toBe(true);
    expect(uuidV7(2 ** 48 - 1).startsWith("ffffffff-ffff-7")).toBe(true);
  });

  it("sequentialIds: 1, 2, 3 per kind", async () => {
    const ids = sequentialIds();
    const c = ctx();
    expect([await ids("subscription", c), await ids("subscription", c), await ids("message", c)]).toEqual([
      "1",
      "2",
      "1",
    ]);
  });

  it("objectIds: 24 hex, unique, timestamp first", async () => {
    const ids = objectIds({ now: () => 0x60f8c3b3 * 1000 });
    const made = new Set<string>();
    for (let i = 0; i < 1000; i++) made.add((await ids("subscription", ctx())) as string);
    expect(made.size).toBe(1000);
    for (const id of made) expect(id).toMatch(/^60f8c3b3[0-9a-f]{16}$/);
  });

  it("prefixedIds: one prefix or one per kind", async () => {
    expect(await prefixedIds("wh_", sequentialIds())("subscription", ctx())).toBe("wh_1");
    const per = prefixedIds({ message: "msg_" }, sequentialIds());
    const c = ctx();
    expect(await per("message", c)).toBe("msg_1");
    expect(await per("delivery", c)).toBe("1");
  });
});
