/**
 * Plans of the PostgreSQL statements whose cost must not grow with the table: the worker's claim must look
 * deliveries up by id whatever the planner's statistics say (on a table PostgreSQL had not analyzed yet, a
 * due condition the planner could match to the due/lease indexes made each claim scan the whole due
 * backlog), and the sweep's walk over unfinished deliveries must not read the finished history.
 */
import { type CompiledQuery, Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresWorkerStatements } from "../src/postgres-worker.ts";
import { postgresStore } from "../src/server-stores.ts";
import { sqlStore } from "../src/sql-store.ts";
import { dropTables, PG_URL, pgKysely, pgPool, serviceAvailable, uniquePrefix } from "./services.ts";

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

/** Rows a plan read from `relation` (returned plus filtered out, over all loops), from `explain (analyze)`. */
function rowsRead(plan: unknown, relation: string): number {
  if (Array.isArray(plan)) return plan.reduce((n: number, p) => n + rowsRead(p, relation), 0);
  if (typeof plan !== "object" || plan === null) return 0;
  const node = plan as Record<string, unknown>;
  const own =
    node["Relation Name"] === relation
      ? (Number(node["Actual Rows"] ?? 0) + Number(node["Rows Removed by Filter"] ?? 0)) *
        Number(node["Actual Loops"] ?? 1)
      : 0;
  return Object.values(node).reduce((n: number, v) => n + rowsRead(v, relation), own);
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
    // A backlog written in one statement and never analyzed (autovacuum waits a minute at least).
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

  it("walks unfinished deliveries without reading the finished ones", async () => {
    // A history of finished deliveries whose ids sort before every unfinished one, then a sweep page.
    await client.query(
      `insert into "${prefix}deliveries"
         (id, tenant, message_id, subscription_id, event_type, status, attempts, created_at, updated_at)
       select '0' || lpad(g::text, 8, '0'), 't', 'm', 's', 'e', 'succeeded', 1, 0, 0
       from generate_series(1, ${BACKLOG}) g`,
    );
    await client.query(`analyze "${prefix}deliveries"`);
    const queries: CompiledQuery[] = [];
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: pgPool() }),
      log: (event) => {
        if (event.level === "query") queries.push(event.query);
      },
    });
    try {
      const store = sqlStore({ db, tablePrefix: prefix, migrate: "manual" });
      const limit = 100;
      const page = await store.listUnfinishedDeliveryIds({ limit });
      expect(page).toHaveLength(limit);
      expect(page.every((d) => d.id.startsWith("d"))).toBe(true);
      const walk = queries.find((q) => q.sql.includes(`"${prefix}deliveries"`));
      expect(walk).toBeDefined();
      const explained = await client.query<{ "QUERY PLAN": unknown }>(
        `explain (analyze, format json) ${walk!.sql}`,
        walk!.parameters as unknown[],
      );
      // Each unfinished status's range reads at most `limit` rows; none of the finished ones.
      expect(rowsRead(explained.rows[0]?.["QUERY PLAN"], `${prefix}deliveries`)).toBeLessThanOrEqual(
        2 * limit,
      );
    } finally {
      await db.destroy();
    }
  });
});
