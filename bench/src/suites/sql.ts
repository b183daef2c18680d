/**
 * The SQL store, per dialect (SQLite file via node:sqlite, PostgreSQL, MariaDB):
 * - `sql.<dialect>.emit`: one emit = insertMessage + matchSubscriptions (10 matching of 20) +
 *   insertDeliveries(10) in one transaction, beside the same 11 rows written with plain Kysely inserts in one
 *   transaction (no matching, no idempotency check) measured in alternating rounds;
 * - `sql.<dialect>.match.100k`: match latency in a tenant holding 100,000 subscriptions (10 match);
 * - `backlog.sqlite.rss`: RSS of a separate process whose SQLite store holds 1,000,000 pending deliveries
 *   while it claims and completes batches (target < 200 MB: the backlog stays on disk).
 * A missing server gives a row with value null and a note.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Delivery, Message, Subscription } from "@hookline/core";
import { pendingDelivery, plainSubscription } from "@hookline/core/testing";
import { type SqlStore, sqliteStore, sqlStore, sqlStoreTables } from "@hookline/store-sql";
import { Kysely, MysqlDialect, PostgresDialect, sql } from "kysely";
import { createPool } from "mysql2";
import pg from "pg";
import {
  type BenchContext,
  type BenchResult,
  defineSuite,
  handOver,
  inChildProcess,
  opsPerSecondEach,
  percentiles,
} from "../harness.ts";

const PG_URL = "postgres://postgres@127.0.0.1:5432/test";
const MYSQL_URL = "mysql://root@127.0.0.1:3306/test";
const T0 = new Date("2026-01-01T00:00:00.000Z");
const BACKLOG_CHILD = "HOOKLINE_BENCH_SQL_BACKLOG";

function subscription(tenant: string, id: string, eventTypes: string[]): Subscription {
  return plainSubscription(
    tenant,
    {
      id,
      url: `https://example.com/hooks/${id}`,
      eventTypes,
      secrets: [{ id: "s", value: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", createdAt: T0, expiresAt: null }],
    },
    T0,
  );
}

function delivery(tenant: string, id: string, messageId: string, subscriptionId: string): Delivery {
  return pendingDelivery(tenant, { id, messageId, subscriptionId, eventType: "order.created" }, T0);
}

/**
 * Bulk-inserts `n` subscriptions (`sub-i`, pattern `type{i % distinct}.created`) straight into the tables
 * with multi-row inserts (the seeding is not what is measured).
 */
async function seedSubscriptions(
  store: SqlStore,
  tenant: string,
  n: number,
  distinct: number,
): Promise<void> {
  const subs = sql.table(`${store.tablePrefix}subscriptions`);
  const patterns = sql.table(`${store.tablePrefix}subscription_event_types`);
  const t = T0.getTime();
  const batch = 500;
  for (let i = 0; i < n; i += batch) {
    const ids = Array.from({ length: Math.min(batch, n - i) }, (_, k) => i + k);
    await store.db.transaction().execute(async (trx) => {
      const rows = ids.map(
        (
          j,
        ) => sql`(${tenant}, ${`sub-${j}`}, ${`https://example.com/hooks/${j}`}, 'POST', 'application/json', null,
          '{}', ${JSON.stringify([`type${j % distinct}.created`])}, '[]', null, 1, 0, null, null, null, 'active',
          null, null, '{}', null, null, ${t}, ${t}, null, 1)`,
      );
      await sql`insert into ${subs} (tenant, id, url, method, content_type, body_template, headers, event_types,
        secrets, scheme, qos, id_set_accepted, rate_limit, concurrency, retry_schedule, status, disabled_reason,
        description, metadata, tags, failing_since, created_at, updated_at, deleted_at, version)
        values ${sql.join(rows)}`.execute(trx);
      const links = ids.map((j) => sql`(${tenant}, ${`type${j % distinct}.created`}, ${`sub-${j}`})`);
      await sql`insert into ${patterns} (tenant, pattern, subscription_id) values ${sql.join(links)}`.execute(
        trx,
      );
    });
  }
}

interface Target {
  dialect: "sqlite" | "postgres" | "mysql";
  open(): Promise<{ store: SqlStore; close(): Promise<void> } | string>;
}

async function openServer(
  dialect: "postgres" | "mysql",
): Promise<{ store: SqlStore; close(): Promise<void> } | string> {
  const db =
    dialect === "postgres"
      ? new Kysely<unknown>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, max: 4 }) }),
        })
      : new Kysely<unknown>({
          dialect: new MysqlDialect({ pool: createPool({ uri: MYSQL_URL, connectionLimit: 4 }) }),
        });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    return `no ${dialect} server at ${dialect === "postgres" ? PG_URL : MYSQL_URL} (${(err as Error).message})`;
  }
  const prefix = `hlbench_${process.pid}_`;
  const store = sqlStore({ db, tablePrefix: prefix });
  await store.migrate();
  return {
    store,
    async close() {
      for (const t of sqlStoreTables(prefix)) await sql`drop table if exists ${sql.table(t)}`.execute(db);
      await db.destroy();
    },
  };
}

const targets: Target[] = [
  {
    dialect: "sqlite",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "hookline-bench-"));
      const store = sqliteStore({ path: join(dir, "bench.db") });
      await store.migrate();
      return {
        store,
        async close() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  { dialect: "postgres", open: () => openServer("postgres") },
  { dialect: "mysql", open: () => openServer("mysql") },
];

async function emitRows(ctx: BenchContext, dialect: string, store: SqlStore): Promise<BenchResult> {
  const tenant = "emit";
  for (let i = 0; i < 10; i++) await store.createSubscription(subscription(tenant, `m-${i}`, ["order.*"]));
  for (let i = 0; i < 10; i++)
    await store.createSubscription(subscription(tenant, `n-${i}`, ["invoice.paid"]));
  let n = 0;
  const emit = () =>
    store.transaction(async (tx) => {
      const id = `msg-${++n}`;
      const message: Message = {
        id,
        tenant,
        type: "order.created",
        data: { order: n, total: 42 },
        timestamp: T0,
        resourceId: null,
        createdAt: T0,
      };
      const { inserted } = await tx.insertMessage(message);
      if (!inserted) return;
      const subs = await tx.matchSubscriptions(tenant, message.type);
      await tx.insertDeliveries(subs.map((s) => delivery(tenant, `${id}-${s.id}`, id, s.id)));
    });
  const msgs = `${store.tablePrefix}messages`;
  const dels = `${store.tablePrefix}deliveries`;
  let r = 0;
  const plain = () =>
    store.db.transaction().execute(async (trx) => {
      const id = `raw-${++r}`;
      await sql`insert into ${sql.table(msgs)} (tenant, id, type, data, timestamp, resource_id, created_at)
        values ('raw', ${id}, 'order.created', ${JSON.stringify({ order: r, total: 42 })}, ${T0.getTime()}, null, ${T0.getTime()})`.execute(
        trx,
      );
      const values = Array.from(
        { length: 10 },
        (_, i) =>
          sql`(${`${id}-${i}`}, 'raw', ${id}, ${`m-${i}`}, 'order.created', 'pending', 0, ${T0.getTime()}, null, null, null, ${T0.getTime()}, ${T0.getTime()}, null)`,
      );
      await sql`insert into ${sql.table(dels)} (id, tenant, message_id, subscription_id, event_type, status, attempts,
        next_attempt_at, lease_until, last_status, last_error, created_at, updated_at, completed_at)
        values ${sql.join(values)}`.execute(trx);
    });
  ctx.log(`sql: ${dialect} emit`);
  const rates = await opsPerSecondEach({ hookline: emit, plain }, { quick: ctx.quick });
  return {
    name: `sql.${dialect}.emit`,
    unit: "ops/s",
    value: Math.round(rates.hookline),
    baseline: { name: `sql.${dialect}.plain-inserts-11-rows`, value: Math.round(rates.plain) },
    ratio: rates.hookline / rates.plain,
    target: null,
    note: "1 message × 10 matching subscriptions in one transaction, vs the same rows as plain inserts",
  };
}

async function matchRows(ctx: BenchContext, dialect: string, store: SqlStore): Promise<BenchResult[]> {
  const size = ctx.quick ? 10_000 : 100_000;
  const distinct = size / 10;
  const tenant = "match";
  ctx.log(`sql: ${dialect} seeding ${size} subscriptions`);
  await seedSubscriptions(store, tenant, size, distinct);
  const samples: number[] = [];
  const rounds = ctx.quick ? 100 : 400;
  for (let i = 0; i < 20; i++) await store.matchSubscriptions(tenant, `type${i}.created`);
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const got = await store.matchSubscriptions(tenant, `type${(i * 7919) % distinct}.created`);
    samples.push(performance.now() - t);
    if (got.length !== 10) throw new Error(`expected 10 matches, got ${got.length}`);
  }
  const { p50, p99 } = percentiles(samples);
  const note = `${size.toLocaleString("en")} subscriptions in one tenant, 10 match${ctx.quick ? " (quick mode: 10,000 instead of 100,000)" : ""}`;
  const label = ctx.quick ? "10k" : "100k";
  return [
    { name: `sql.${dialect}.match.${label}.p50`, unit: "ms", value: p50, target: null, note },
    { name: `sql.${dialect}.match.${label}.p99`, unit: "ms", value: p99, target: null, note },
  ];
}

// ── backlog: a separate process, so the figure is the store's, not the seeding's ─────────────────────

/** Fills a SQLite file with `n` pending deliveries using multi-row inserts in large transactions. */
async function seedBacklog(path: string, n: number): Promise<void> {
  const store = sqliteStore({ path });
  await store.migrate();
  const table = `${store.tablePrefix}deliveries`;
  const rowsPerInsert = 500;
  const perTx = 100_000;
  for (let start = 0; start < n; start += perTx) {
    await store.db.transaction().execute(async (trx) => {
      for (let i = start; i < Math.min(n, start + perTx); i += rowsPerInsert) {
        const values = [];
        for (let j = i; j < Math.min(n, i + rowsPerInsert); j++) {
          const id = `d${String(j).padStart(8, "0")}`;
          values.push(
            sql`(${id}, 'backlog', 'm1', ${`s${j % 100}`}, 'order.created', 'pending', 0, ${T0.getTime() + j}, null, null, null, ${T0.getTime()}, ${T0.getTime()}, null)`,
          );
        }
        await sql`insert into ${sql.table(table)} (id, tenant, message_id, subscription_id, event_type, status,
          attempts, next_attempt_at, lease_until, last_status, last_error, created_at, updated_at, completed_at)
          values ${sql.join(values)}`.execute(trx);
      }
    });
  }
  await store.close();
}

/** The child: claims and completes batches from the backlog, reporting peak RSS as JSON on stdout. */
async function backlogChild(path: string, batches: number): Promise<void> {
  const store = sqliteStore({ path });
  await store.nextDueAt();
  const start = process.memoryUsage().rss;
  let peak = start;
  const now = new Date(T0.getTime() + 10 * 365 * 86_400_000);
  let claimed = 0;
  for (let b = 0; b < batches; b++) {
    const batch = await store.claimDueDeliveries({ now, leaseMs: 30_000, limit: 100 });
    claimed += batch.length;
    await store.transaction(async (tx) => {
      for (const d of batch) {
        await tx.updateDelivery(d.tenant, d.id, {
          status: "succeeded",
          completedAt: now,
          nextAttemptAt: null,
        });
      }
    });
    await store.nextDueAt();
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  await store.close();
  handOver({ start, peak, claimed });
}

async function backlogRow(ctx: BenchContext): Promise<BenchResult> {
  const n = ctx.quick ? 100_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), "hookline-backlog-"));
  const path = join(dir, "backlog.db");
  const name = "backlog.sqlite.rss";
  try {
    ctx.log(`sql: seeding ${n} pending deliveries in SQLite`);
    await seedBacklog(path, n);
    ctx.log("sql: claiming from the backlog in a separate process");
    const { start, peak, claimed } = await inChildProcess<{ start: number; peak: number; claimed: number }>(
      fileURLToPath(import.meta.url),
      { [BACKLOG_CHILD]: JSON.stringify({ path, batches: 200 }) },
    );
    const mb = peak / 1024 / 1024;
    const startMb = Math.round(start / 1024 / 1024);
    return {
      name,
      unit: "MB RSS",
      value: Math.round(mb * 10) / 10,
      // A bound, expressed as a higher-is-better ratio: 200 MB / peak RSS, ✓ at ≥ 1.
      baseline: { name: "bound.200MB", value: 200 },
      ratio: 200 / mb,
      target: 1,
      note: `peak RSS while claiming and completing ${claimed} deliveries in batches of 100 from ${n.toLocaleString("en")} pending (${startMb} MB once the store is open, most of it the loaded modules)${ctx.quick ? "; quick mode: 100,000 instead of 1,000,000" : ""}`,
    };
  } catch (err) {
    return { name, unit: "MB RSS", value: null, target: 1, note: `could not run: ${(err as Error).message}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env[BACKLOG_CHILD]) {
  const { path, batches } = JSON.parse(process.env[BACKLOG_CHILD]) as { path: string; batches: number };
  await backlogChild(path, batches);
}

export default defineSuite({
  name: "sql",
  async run(ctx) {
    const results: BenchResult[] = [];
    for (const target of targets) {
      const opened = await target.open().catch((err: unknown) => `failed to open: ${(err as Error).message}`);
      if (typeof opened === "string") {
        results.push({ name: `sql.${target.dialect}.emit`, unit: "ops/s", value: null, note: opened });
        results.push({ name: `sql.${target.dialect}.match.p50`, unit: "ms", value: null, note: opened });
        continue;
      }
      try {
        results.push(await emitRows(ctx, target.dialect, opened.store));
        results.push(...(await matchRows(ctx, target.dialect, opened.store)));
      } finally {
        await opened.close();
      }
    }
    results.push(await backlogRow(ctx));
    return results;
  },
});
