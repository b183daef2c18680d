/**
 * The worker's claim on PostgreSQL must look deliveries up by id whatever the planner's statistics say. On a
 * table PostgreSQL has not analyzed yet (fresh, or grown since its last analyze) a due condition the
 * planner can match to the due/lease indexes made each claim scan the whole due backlog and filter it by id.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresWorkerStatements } from "../src/postgres-worker.ts";
import { postgresStore } from "../src/server-stores.ts";
import { dropTables, PG_URL, pgKysely, serviceAvailable, uniquePrefix } from "./services.ts";

/** Deliveries in the backlog: enough pages that a scan of them is the planner's alternative to the id index. */
const BACKLOG = 3000;

/** Every index a plan reads, from `explain (format json)`. */
function indexesOf(plan: unknown): string[] {
  if (Array.isArray(plan)) return plan.flatMap(indexesOf);
  if (typeof plan !== "object" || plan === null) return [];
  const node = plan as Record<string, unknown>;
  const own = typeof node["Index Name"] === "string" ? [node["Index Name"]] : [];
  return [...own, ...Object.values(node).flatMap(indexesOf)];
}

const up = await serviceAvailable("postgres");
describe.skipIf(!up)("postgres claim plan", () => {
  const prefix = uniquePrefix("plan");
  const client = new pg.Client({ connectionString: PG_URL });
  let ids: string[] = [];

  beforeAll(async () => {
    const store = postgresStore({ url: PG_URL, tablePrefix: prefix, migrate: "manual" });
    await store.migrate();
    await store.close();
    await client.connect();
    // A backlog written in one statement and not analyzed (should autovacuum analyze it before the tests
    // run, their reltuples check fails loudly instead of passing on a plan this test did not mean).
    await client.query(
      `insert into "${prefix}deliveries"
         (id, tenant, message_id, subscription_id, event_type, status, attempts, next_attempt_at, created_at, updated_at)
       select 'd' || g, 't', 'm' || g, 's', 'e', 'pending', 0, 0, 0, 0 from generate_series(1, ${BACKLOG}) g`,
    );
    ids = Array.from({ length: 10 }, (_, i) => `d${BACKLOG - i}`);
  });
  afterAll(async () => {
    await client.end();
    const db = pgKysely();
    await dropTables(db, prefix);
    await db.destroy();
  });

  for (const mode of ["force_custom_plan", "force_generic_plan"]) {
    it(`claims by the id index on an unanalyzed table (${mode})`, async () => {
      const { rows } = await client.query<{ reltuples: number }>(
        "select reltuples from pg_class where relname = $1",
        [`${prefix}deliveries`],
      );
      expect(rows[0]?.reltuples).toBeLessThan(0); // never analyzed: the case the planner got wrong
      const name = `claim_${mode}`;
      await client.query(`set plan_cache_mode = ${mode}`);
      await client.query(
        `prepare ${name}(bigint, bigint, text[]) as ${postgresWorkerStatements(prefix).claimSql}`,
      );
      const explained = await client.query<{ "QUERY PLAN": unknown }>(
        `explain (format json) execute ${name}(2, 1, '{${ids.join(",")}}')`,
      );
      const indexes = indexesOf(explained.rows[0]?.["QUERY PLAN"]);
      expect(indexes).toContain(`${prefix}deliveries_id`);
      expect(indexes.filter((i) => i.startsWith(`${prefix}deliveries_`))).toEqual([`${prefix}deliveries_id`]);
    });
  }
});
