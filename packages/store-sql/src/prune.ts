/**
 * Retention: one bounded pass of deletions. Each function is a few short statements over at most `batch`
 * rows, so pruning never holds long locks; the store runs them on its connection or transaction.
 */
import type { Kysely } from "kysely";
import { chunks, FINAL, UNFINISHED } from "./batches.ts";
import type { HooklineTables } from "./schema.ts";

type Db = Kysely<HooklineTables>;

/** Deletes up to `batch` attempts started before `before` (ms). Returns how many. */
export async function pruneAttempts(db: Db, before: number, batch: number): Promise<number> {
  const seqs = await db
    .selectFrom("attempts")
    .select("seq")
    .where("started_at", "<", before)
    .orderBy("seq")
    .limit(batch)
    .execute();
  if (seqs.length === 0) return 0;
  const res = await db
    .deleteFrom("attempts")
    .where(
      "seq",
      "in",
      seqs.map((r) => r.seq),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * Deletes up to `batch` messages created before `before` (ms) whose deliveries are all final, with those
 * deliveries and their attempts. Run it in a transaction. Returns how many rows were removed.
 */
export async function pruneMessages(db: Db, before: number, batch: number): Promise<number> {
  const msgs = await db
    .selectFrom("messages as m")
    .select(["m.tenant", "m.id"])
    .where("m.created_at", "<", before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("deliveries")
            .select("deliveries.seq")
            .whereRef("deliveries.tenant", "=", "m.tenant")
            .whereRef("deliveries.message_id", "=", "m.id")
            .where("deliveries.status", "in", UNFINISHED),
        ),
      ),
    )
    .orderBy("m.seq")
    .limit(batch)
    .execute();
  const byTenant = new Map<string, string[]>();
  for (const m of msgs) byTenant.set(m.tenant, [...(byTenant.get(m.tenant) ?? []), m.id]);
  let removed = 0;
  for (const [tenant, ids] of byTenant) {
    const deliveries = await db
      .selectFrom("deliveries")
      .select("id")
      .where("tenant", "=", tenant)
      .where("message_id", "in", ids)
      .where("status", "in", FINAL)
      .execute();
    for (const part of chunks(deliveries.map((d) => d.id))) {
      const a = await db
        .deleteFrom("attempts")
        .where("tenant", "=", tenant)
        .where("delivery_id", "in", part)
        .executeTakeFirst();
      const d = await db
        .deleteFrom("deliveries")
        .where("id", "in", part)
        .where("status", "in", FINAL)
        .executeTakeFirst();
      removed += Number(a.numDeletedRows) + Number(d.numDeletedRows);
    }
    // A delivery re-queued meanwhile keeps its message.
    const m = await db
      .deleteFrom("messages")
      .where("tenant", "=", tenant)
      .where("id", "in", ids)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("deliveries")
              .select("deliveries.seq")
              .where("deliveries.tenant", "=", tenant)
              .whereRef("deliveries.message_id", "=", "messages.id"),
          ),
        ),
      )
      .executeTakeFirst();
    removed += Number(m.numDeletedRows);
  }
  return removed;
}
