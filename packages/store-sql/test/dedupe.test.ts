/** `sqlDedupeStore().release()` on every dialect available: a released key can be claimed again. */
import { sqlDedupeStore } from "@hookline/store-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DialectFixture, dialects } from "./dialects.ts";

describe.each(dialects.map((d) => [d.name, d] as [string, DialectFixture]))(
  "sqlDedupeStore release on %s",
  (_name, fixture) => {
    let ctx: Awaited<ReturnType<DialectFixture["open"]>>;
    beforeAll(async () => {
      ctx = await fixture.open("dd");
    });
    afterAll(async () => {
      await ctx?.cleanup();
    });

    it("deletes the claimed key, so a retry is claimed again; other keys stay claimed", async () => {
      const dedupe = sqlDedupeStore({ db: ctx.db, tablePrefix: ctx.prefix });
      expect(await dedupe.claim("msg_a", 60_000)).toBe(true);
      expect(await dedupe.claim("msg_b", 60_000)).toBe(true);
      await dedupe.release?.("msg_a");
      expect(await dedupe.claim("msg_a", 60_000)).toBe(true);
      expect(await dedupe.claim("msg_a", 60_000)).toBe(false);
      expect(await dedupe.claim("msg_b", 60_000)).toBe(false);
    });

    it("releases a long key (stored hashed), and ignores a key never claimed", async () => {
      const dedupe = sqlDedupeStore({ db: ctx.db, tablePrefix: ctx.prefix });
      const long = "k".repeat(400);
      expect(await dedupe.claim(long, 60_000)).toBe(true);
      await dedupe.release?.(long);
      await expect(dedupe.release?.("never-claimed")).resolves.toBeUndefined();
      expect(await dedupe.claim(long, 60_000)).toBe(true);
      expect(await dedupe.claim(long, 60_000)).toBe(false);
    });

    it("is seen by another store instance on the same tables (shared across processes)", async () => {
      const a = sqlDedupeStore({ db: ctx.db, tablePrefix: ctx.prefix });
      const b = sqlDedupeStore({ db: ctx.db, tablePrefix: ctx.prefix });
      expect(await a.claim("msg_shared", 60_000)).toBe(true);
      expect(await b.claim("msg_shared", 60_000)).toBe(false);
      await a.release?.("msg_shared");
      expect(await b.claim("msg_shared", 60_000)).toBe(true);
    });
  },
);
