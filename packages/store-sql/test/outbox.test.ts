/**
 * The transactional outbox: `hookline.emit(…, { tx })` inside the host's own Kysely transaction. A business
 * write that rolls back leaves no message and no delivery; one that commits leaves both.
 */
import { createHookline, type Hookline } from "@hookline/core";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DialectFixture, dialects } from "./dialects.ts";

describe.each(dialects.map((d) => [d.name, d] as [string, DialectFixture]))(
  "outbox on %s",
  (_name, fixture) => {
    let ctx: Awaited<ReturnType<DialectFixture["open"]>>;
    let hookline: Hookline;
    let orders: string;
    const tenant = "shop";

    beforeAll(async () => {
      ctx = await fixture.open("o");
      orders = `${ctx.prefix}orders`;
      await ctx.db.schema
        .createTable(orders)
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .execute();
      hookline = createHookline({ store: ctx.store });
      await hookline.subscriptions.create(tenant, {
        url: "https://example.com/hooks",
        eventTypes: ["order.*"],
      });
    });
    afterAll(async () => {
      await hookline?.close();
      await sql`drop table if exists ${sql.table(orders)}`.execute(ctx.db);
      await ctx?.cleanup();
    });

    const placeOrder = (id: string, fail: boolean) =>
      ctx.db.transaction().execute(async (trx) => {
        await sql`insert into ${sql.table(orders)} (id) values (${id})`.execute(trx);
        await hookline.emit({ type: "order.created", tenant, id: `evt-${id}`, data: { id } }, { tx: trx });
        if (fail) throw new Error("payment declined");
      });

    const countOrders = async (id: string) =>
      Number(
        (
          await sql<{
            n: number | string;
          }>`select count(*) as n from ${sql.table(orders)} where id = ${id}`.execute(ctx.db)
        ).rows[0]?.n,
      );

    it("rolled back: no business row, no message, no delivery", async () => {
      await expect(placeOrder("o-1", true)).rejects.toThrow("payment declined");
      expect(await countOrders("o-1")).toBe(0);
      expect(await ctx.store.getMessage(tenant, "evt-o-1")).toBeNull();
      expect((await ctx.store.listDeliveries(tenant, { messageId: "evt-o-1", limit: 10 })).items).toEqual([]);
    });

    it("committed: the business row, the message and its delivery", async () => {
      await placeOrder("o-2", false);
      expect(await countOrders("o-2")).toBe(1);
      expect((await ctx.store.getMessage(tenant, "evt-o-2"))?.type).toBe("order.created");
      const deliveries = (await ctx.store.listDeliveries(tenant, { messageId: "evt-o-2", limit: 10 })).items;
      expect(deliveries.map((d) => d.status)).toEqual(["pending"]);
    });
  },
);
