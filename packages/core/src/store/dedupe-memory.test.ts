import { describe, expect, it } from "vitest";
import { memoryDedupeStore } from "./dedupe-memory.ts";

describe("memoryDedupeStore", () => {
  it("claims a key once within its TTL, again after", async () => {
    let now = 1000;
    const dedupe = memoryDedupeStore({ now: () => now });
    expect(await dedupe.claim("msg_1", 5000)).toBe(true);
    expect(await dedupe.claim("msg_1", 5000)).toBe(false);
    expect(await dedupe.claim("msg_2", 5000)).toBe(true);
    now += 4999;
    expect(await dedupe.claim("msg_1", 5000)).toBe(false);
    now += 1;
    expect(await dedupe.claim("msg_1", 5000)).toBe(true);
    expect(await dedupe.claim("msg_1", 5000)).toBe(false);
  });

  it("release forgets a claimed key, so it can be claimed again; an unknown key is a no-op", async () => {
    const dedupe = memoryDedupeStore({ now: () => 0 });
    expect(await dedupe.claim("msg_1", 60_000)).toBe(true);
    expect(await dedupe.claim("msg_2", 60_000)).toBe(true);
    await dedupe.release?.("msg_1");
    await dedupe.release?.("never-claimed");
    expect(await dedupe.claim("msg_1", 60_000)).toBe(true);
    expect(await dedupe.claim("msg_1", 60_000)).toBe(false);
    expect(await dedupe.claim("msg_2", 60_000)).toBe(false); // other keys stay claimed
  });

  it("stays bounded, forgetting the oldest claims first", async () => {
    const dedupe = memoryDedupeStore({ maxEntries: 3, now: () => 0 });
    for (const k of ["a", "b", "c", "d"]) expect(await dedupe.claim(k, 60_000)).toBe(true);
    expect(await dedupe.claim("d", 60_000)).toBe(false);
    expect(await dedupe.claim("c", 60_000)).toBe(false);
    expect(await dedupe.claim("a", 60_000)).toBe(true); // evicted
  });

  it("is safe under concurrent claims of one key", async () => {
    const dedupe = memoryDedupeStore();
    const results = await Promise.all(Array.from({ length: 10 }, () => dedupe.claim("k", 1000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
