/**
 * `sqlStore()`: the `Store` contract on Kysely, one implementation for SQLite, PostgreSQL and MySQL/MariaDB.
 * The few dialect differences (upserts, row locks, duplicate handling) are branches on `dialect` right
 * where they matter.
 */
import type {
  Attempt,
  ClaimOptions,
  Delivery,
  DeliveryHourStats,
  DeliveryPatch,
  InsertMessageResult,
  ListDeliveriesQuery,
  ListSubscriptionsQuery,
  Message,
  Page,
  PruneOptions,
  Store,
  StoreCapabilities,
  Subscription,
  SubscriptionPatch,
  UpdateDeliveryOptions,
  UpdateOptions,
} from "@hookline/core";
import { eventTypeKeys, HooklineError } from "@hookline/core";
import { type Kysely, type Selectable, type SelectQueryBuilder, sql, type Transaction } from "kysely";
import { CHUNK, chunks, UNFINISHED } from "./batches.ts";
import { type SqlConnectionOptions, sqlContext } from "./context.ts";
import type { SqlDialect } from "./dialect.ts";
import { isRetryable, prefix, toStoreError } from "./errors.ts";
import { postgresWorkerStatements } from "./postgres-worker.ts";
import { pruneAttempts, pruneMessages } from "./prune.ts";
import {
  attemptColumns,
  decodeCursor,
  deliveryColumns,
  deliveryInsert,
  encodeCursor,
  messageColumns,
  ms,
  num,
  subscriptionColumns,
  subscriptionInsert,
  toAttempt,
  toDelivery,
  toMessage,
  toSubscription,
} from "./rows.ts";
import type { DeliveryRow, HooklineTables } from "./schema.ts";

/** Options of {@link sqlStore}. */
export interface SqlStoreOptions<DB = unknown> extends SqlConnectionOptions<DB> {
  /** Destroy `db` on `close()`. Default `false`: the host owns its Kysely instance. */
  destroyOnClose?: boolean;
  /** Whether the data survives a restart (`false` for an in-memory SQLite). Default `true`. */
  durable?: boolean;
}

/** A `Store` on SQL, with what a host needs for its own queries and transactions. */
export interface SqlStore extends Store {
  /** The dialect the store speaks (also its `name`, used in error messages). */
  readonly dialect: SqlDialect;
  /** The Kysely instance the store runs on (open host transactions on it for the outbox). */
  readonly db: Kysely<unknown>;
  /** The prefix of every table and index the store owns. */
  readonly tablePrefix: string;
  /** Runs the migrations now (idempotent); `sqlStore` does it lazily on start unless `migrate: "manual"`. */
  migrate(): Promise<void>;
}

type Db = Kysely<HooklineTables>;

const TX_RETRIES = 3;

function clampLimit(limit: number): number {
  return Math.min(1000, Math.max(1, Math.trunc(limit) || 1));
}

function isKyselyTransaction(v: unknown): v is Transaction<unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    (v as { isTransaction?: unknown }).isTransaction === true &&
    typeof (v as { withoutPlugins?: unknown }).withoutPlugins === "function"
  );
}

/**
 * The SQL store over the host's Kysely instance. `dialect` is detected from the adapter when omitted;
 * migrations run before the first query unless `migrate: "manual"`.
 *
 * @example
 * const store = sqlStore({ db: new Kysely({ dialect: new PostgresDialect({ pool }) }) });
 */
export function sqlStore<DB>(options: SqlStoreOptions<DB>): SqlStore {
  const { host, root, dialect, tablePrefix, plugin, migrate, ready } = sqlContext(options);
  const p = prefix(dialect);

  const capabilities: StoreCapabilities = {
    transactions: true,
    hostTransactions: true,
    durable: options.durable ?? true,
    multiProcess: dialect !== "sqlite",
  };

  // Start migrating now: a host transaction opened before the first query must not wait on the migration
  // (on SQLite's single connection it would deadlock); a failure is retried by the next query.
  if (options.migrate !== "manual") ready().catch(() => {});

  let closed = false;
  const pgWorker = dialect === "postgres" ? postgresWorkerStatements(tablePrefix) : null;
  const make = (exec: Db, inTx: boolean): SqlStore => {
    /** Runs a database operation, mapping driver errors to hookline's. */
    const run = async <T>(op: string, fn: (db: Db) => Promise<T>): Promise<T> => {
      try {
        if (closed) throw new HooklineError("closed", `${p} the store is closed`);
        await ready();
        return await fn(exec);
      } catch (err) {
        throw toStoreError(dialect, op, err);
      }
    };
    /** Runs `fn` in a transaction (joining the current one); a deadlock re-runs a transaction we own. */
    const atomic = async <T>(op: string, fn: (db: Db) => Promise<T>): Promise<T> => {
      if (inTx) return run(op, fn);
      for (let attempt = 1; ; attempt++) {
        try {
          if (closed) throw new HooklineError("closed", `${p} the store is closed`);
          await ready();
          return await exec.transaction().execute(fn);
        } catch (err) {
          if (attempt < TX_RETRIES && isRetryable(err)) continue;
          throw toStoreError(dialect, op, err);
        }
      }
    };
    /** Row locks for read-modify-write (SQLite serialises writers with its write transaction instead). */
    const lock = <QB extends SelectQueryBuilder<HooklineTables, keyof HooklineTables, object>>(
      qb: QB,
      skipLocked: boolean,
    ): QB => {
      if (dialect === "sqlite") return qb;
      const locked = qb.forUpdate();
      return (skipLocked ? locked.skipLocked() : locked) as QB;
    };

    const insertPatterns = async (db: Db, tenant: string, id: string, patterns: readonly string[]) => {
      const unique = [...new Set(patterns)];
      for (const part of chunks(unique)) {
        await db
          .insertInto("subscription_event_types")
          .values(part.map((pattern) => ({ tenant, pattern, subscription_id: id })))
          .execute();
      }
    };

    const subscriptionFilters = (
      db: Db,
      tenant: string,
      q: Omit<ListSubscriptionsQuery, "limit" | "cursor">,
    ) => {
      let qb = db.selectFrom("subscriptions").where("subscriptions.tenant", "=", tenant);
      if (q.status) qb = qb.where("subscriptions.status", "=", q.status);
      if (!q.includeDeleted) qb = qb.where("subscriptions.deleted_at", "is", null);
      if (q.eventType !== undefined) {
        const eventType = q.eventType;
        qb = qb.where("subscriptions.id", "in", (eb) =>
          eb
            .selectFrom("subscription_event_types")
            .select("subscription_event_types.subscription_id")
            .where("subscription_event_types.tenant", "=", tenant)
            .where("subscription_event_types.pattern", "=", eventType),
        );
      }
      return qb;
    };

    const cursorSeq = (cursor: string | null | undefined): number | null => {
      if (cursor === undefined || cursor === null || cursor === "") return null;
      const seq = decodeCursor(cursor);
      if (seq === null) throw new HooklineError("bad_request", `${p} malformed cursor`);
      return seq;
    };

    /** Leases `rows` (already selected, and locked, as due) until `now + leaseMs`. */
    const lease = async (db: Db, rows: Selectable<DeliveryRow>[], o: ClaimOptions): Promise<Delivery[]> => {
      const set = { status: "delivering", lease_until: ms(o.now) + o.leaseMs, updated_at: ms(o.now) };
      for (const part of chunks(rows.map((r) => r.id))) {
        await db.updateTable("deliveries").set(set).where("id", "in", part).execute();
      }
      return rows.map((r) => toDelivery({ ...r, ...set }));
    };

    const store: SqlStore = {
      name: dialect,
      dialect,
      tablePrefix,
      db: host,
      capabilities,
      migrate,

      async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
        if (inTx) return fn(store);
        // The caller's own error wins over a failing rollback (e.g. the connection died mid-transaction).
        let fnError: { error: unknown } | null = null;
        try {
          if (closed) throw new HooklineError("closed", `${p} the store is closed`);
          await ready();
          return await exec.transaction().execute(async (trx) => {
            try {
              return await fn(make(trx, true));
            } catch (error) {
              fnError = { error };
              throw error;
            }
          });
        } catch (err) {
          if (fnError) throw (fnError as { error: unknown }).error;
          throw toStoreError(dialect, "transaction", err);
        }
      },

      withHostTransaction(hostTx: unknown): Store {
        if (!isKyselyTransaction(hostTx)) {
          throw new HooklineError(
            "bad_request",
            `${p} withHostTransaction expects a Kysely Transaction (from db.transaction().execute(tx => …))`,
          );
        }
        return make(hostTx.withoutPlugins().withPlugin(plugin) as unknown as Db, true);
      },

      nextSequence(name: string): Promise<number> {
        return atomic("nextSequence", async (db) => {
          const insert = db.insertInto("sequences").values({ name, value: 1 });
          const bump = sql<number>`${sql.ref("sequences.value")} + 1`;
          await (dialect === "mysql"
            ? insert.onDuplicateKeyUpdate({ value: sql<number>`${sql.ref("value")} + 1` })
            : insert.onConflict((oc) => oc.column("name").doUpdateSet({ value: bump }))
          ).execute();
          const row = await db
            .selectFrom("sequences")
            .select("value")
            .where("name", "=", name)
            .executeTakeFirstOrThrow();
          return num(row.value);
        });
      },

      // ── subscriptions ─────────────────────────────────────────────────────────────────────────

      createSubscription(sub: Subscription): Promise<Subscription> {
        return atomic("createSubscription", async (db) => {
          const insert = db.insertInto("subscriptions").values(subscriptionInsert(sub));
          if (dialect === "mysql") {
            await insert.execute();
          } else {
            const res = await insert
              .onConflict((oc) => oc.columns(["tenant", "id"]).doNothing())
              .executeTakeFirst();
            if (res.numInsertedOrUpdatedRows === 0n) {
              throw new HooklineError("conflict", `${p} subscription ${sub.id} already exists`);
            }
          }
          await insertPatterns(db, sub.tenant, sub.id, sub.eventTypes);
          return structuredClone(sub);
        });
      },

      getSubscription(tenant, id, opts) {
        return run("getSubscription", async (db) => {
          const row = await db
            .selectFrom("subscriptions")
            .selectAll()
            .where("tenant", "=", tenant)
            .where("id", "=", id)
            .executeTakeFirst();
          if (!row || (row.deleted_at !== null && !opts?.includeDeleted)) return null;
          return toSubscription(row);
        });
      },

      getSubscriptions(tenant, ids) {
        return run("getSubscriptions", async (db) => {
          const found = new Map<string, Subscription>();
          for (const part of chunks([...new Set(ids)])) {
            const rows = await db
              .selectFrom("subscriptions")
              .selectAll()
              .where("tenant", "=", tenant)
              .where("id", "in", part)
              .where("deleted_at", "is", null)
              .execute();
            for (const row of rows) found.set(row.id, toSubscription(row));
          }
          // In the order asked; a repeated id appears once.
          const out: Subscription[] = [];
          for (const id of ids) {
            const s = found.get(id);
            if (s) out.push(s);
            found.delete(id);
          }
          return out;
        });
      },

      listSubscriptions(tenant, q): Promise<Page<Subscription>> {
        return run("listSubscriptions", async (db) => {
          const limit = clampLimit(q.limit);
          const after = cursorSeq(q.cursor);
          let qb = subscriptionFilters(db, tenant, q).selectAll("subscriptions");
          if (after !== null) qb = qb.where("subscriptions.seq", ">", after);
          const rows = await qb
            .orderBy("subscriptions.seq", "asc")
            .limit(limit + 1)
            .execute();
          const items = rows.slice(0, limit);
          const last = items.at(-1);
          return {
            items: items.map(toSubscription),
            nextCursor: rows.length > limit && last ? encodeCursor(num(last.seq)) : null,
          };
        });
      },

      countSubscriptions(tenant, q) {
        return run("countSubscriptions", async (db) => {
          const row = await subscriptionFilters(db, tenant, q)
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow();
          return Number(row.n);
        });
      },

      updateSubscription(
        tenant: string,
        id: string,
        patch: SubscriptionPatch,
        opts?: UpdateOptions,
      ): Promise<Subscription | null> {
        return atomic("updateSubscription", async (db) => {
          const row = await lock(
            db.selectFrom("subscriptions").selectAll().where("tenant", "=", tenant).where("id", "=", id),
            false,
          ).executeTakeFirst();
          if (!row || row.deleted_at !== null) return null;
          const version = num(row.version);
          if (opts?.expectedVersion !== undefined && opts.expectedVersion !== version) {
            throw new HooklineError(
              "conflict",
              `${p} subscription ${id} was modified concurrently (version ${version}, expected ${opts.expectedVersion})`,
            );
          }
          const {
            id: _i,
            tenant: _t,
            createdAt: _c,
            version: _v,
            ...fields
          } = patch as Partial<Subscription>;
          const set = { ...subscriptionColumns(fields), version: version + 1 };
          await db
            .updateTable("subscriptions")
            .set(set)
            .where("tenant", "=", tenant)
            .where("id", "=", id)
            .execute();
          if (fields.eventTypes) {
            await db
              .deleteFrom("subscription_event_types")
              .where("tenant", "=", tenant)
              .where("subscription_id", "=", id)
              .execute();
            await insertPatterns(db, tenant, id, fields.eventTypes);
          }
          return toSubscription({ ...row, ...set });
        });
      },

      deleteSubscription(tenant, id) {
        return atomic("deleteSubscription", async (db) => {
          await db
            .deleteFrom("subscription_event_types")
            .where("tenant", "=", tenant)
            .where("subscription_id", "=", id)
            .execute();
          const res = await db
            .deleteFrom("subscriptions")
            .where("tenant", "=", tenant)
            .where("id", "=", id)
            .executeTakeFirst();
          return res.numDeletedRows > 0n;
        });
      },

      matchSubscriptions(tenant, eventType) {
        return run("matchSubscriptions", async (db) => {
          // Driven from the pattern table's primary key (tenant, pattern IN keys), joined to each subscription
          // by its unique (tenant, id): the cost follows the matches, not the tenant's subscription count.
          const rows = await db
            .selectFrom("subscription_event_types as e")
            .innerJoin("subscriptions as s", (join) =>
              join.onRef("s.tenant", "=", "e.tenant").onRef("s.id", "=", "e.subscription_id"),
            )
            .selectAll("s")
            .where("e.tenant", "=", tenant)
            .where("e.pattern", "in", eventTypeKeys(eventType))
            .where("s.status", "=", "active")
            .where("s.deleted_at", "is", null)
            .execute();
          // A subscription matched by several of its patterns appears once; insertion order.
          const bySeq = new Map(rows.map((r) => [num(r.seq), r]));
          return [...bySeq.keys()].sort((x, y) => x - y).map((seq) => toSubscription(bySeq.get(seq)!));
        });
      },

      // ── messages ──────────────────────────────────────────────────────────────────────────────

      insertMessage(message: Message): Promise<InsertMessageResult> {
        return run("insertMessage", async (db) => {
          const insert = db.insertInto("messages").values(messageColumns(message));
          let inserted: boolean;
          if (dialect === "mysql") {
            // A duplicate key fails only the statement in MySQL, never the surrounding transaction.
            inserted = await insert.execute().then(
              () => true,
              (err: unknown) => {
                if (toStoreError(dialect, "insertMessage", err).code === "conflict") return false;
                throw err;
              },
            );
          } else {
            const res = await insert
              .onConflict((oc) => oc.columns(["tenant", "id"]).doNothing())
              .executeTakeFirst();
            inserted = res.numInsertedOrUpdatedRows !== 0n;
          }
          if (inserted) return { inserted, message: structuredClone(message) };
          const existing = await db
            .selectFrom("messages")
            .selectAll()
            .where("tenant", "=", message.tenant)
            .where("id", "=", message.id)
            .executeTakeFirstOrThrow();
          return { inserted, message: toMessage(existing) };
        });
      },

      getMessage(tenant, id) {
        return run("getMessage", async (db) => {
          const row = await db
            .selectFrom("messages")
            .selectAll()
            .where("tenant", "=", tenant)
            .where("id", "=", id)
            .executeTakeFirst();
          return row ? toMessage(row) : null;
        });
      },

      // ── deliveries ────────────────────────────────────────────────────────────────────────────

      async insertDeliveries(deliveries: readonly Delivery[]): Promise<void> {
        if (deliveries.length === 0) return;
        const write = async (db: Db) => {
          for (const part of chunks(deliveries)) {
            await db.insertInto("deliveries").values(part.map(deliveryInsert)).execute();
          }
        };
        // One chunk is one statement (atomic already); more need a transaction.
        await (deliveries.length <= CHUNK
          ? run("insertDeliveries", write)
          : atomic("insertDeliveries", write));
      },

      getDelivery(tenant, id) {
        return run("getDelivery", async (db) => {
          const row = await db
            .selectFrom("deliveries")
            .selectAll()
            .where("tenant", "=", tenant)
            .where("id", "=", id)
            .executeTakeFirst();
          return row ? toDelivery(row) : null;
        });
      },

      listDeliveries(tenant: string, q: ListDeliveriesQuery): Promise<Page<Delivery>> {
        return run("listDeliveries", async (db) => {
          const limit = clampLimit(q.limit);
          const before = cursorSeq(q.cursor);
          let qb = db.selectFrom("deliveries").selectAll().where("tenant", "=", tenant);
          if (q.subscriptionId !== undefined) qb = qb.where("subscription_id", "=", q.subscriptionId);
          if (q.messageId !== undefined) qb = qb.where("message_id", "=", q.messageId);
          if (q.status !== undefined) qb = qb.where("status", "=", q.status);
          if (q.eventType !== undefined) qb = qb.where("event_type", "=", q.eventType);
          if (q.since !== undefined) qb = qb.where("created_at", ">=", ms(q.since));
          if (before !== null) qb = qb.where("seq", "<", before);
          const rows = await qb
            .orderBy("seq", "desc")
            .limit(limit + 1)
            .execute();
          const items = rows.slice(0, limit);
          const last = items.at(-1);
          return {
            items: items.map(toDelivery),
            nextCursor: rows.length > limit && last ? encodeCursor(num(last.seq)) : null,
          };
        });
      },

      claimDueDeliveries(opts: ClaimOptions & { limit: number }): Promise<Delivery[]> {
        const limit = Math.max(0, Math.trunc(opts.limit));
        if (limit === 0) return Promise.resolve([]);
        return atomic("claimDueDeliveries", async (db) => {
          const now = ms(opts.now);
          // Two index range scans (pending by next attempt, expired leases) instead of one OR that no
          // index serves; each locks its rows and skips rows another worker holds.
          const pending = await lock(
            db
              .selectFrom("deliveries")
              .selectAll()
              .where("status", "=", "pending")
              .where("next_attempt_at", "<=", now)
              .orderBy("next_attempt_at", "asc")
              .orderBy("seq", "asc")
              .limit(limit),
            true,
          ).execute();
          const expired = await lock(
            db
              .selectFrom("deliveries")
              .selectAll()
              .where("status", "=", "delivering")
              .where("lease_until", "<=", now)
              .orderBy("lease_until", "asc")
              .orderBy("seq", "asc")
              .limit(limit),
            true,
          ).execute();
          const due = (r: Selectable<DeliveryRow>) =>
            num((r.status === "pending" ? r.next_attempt_at : r.lease_until) ?? 0);
          const chosen = [...pending, ...expired]
            .sort((a, b) => due(a) - due(b) || num(a.seq) - num(b.seq))
            .slice(0, limit);
          return lease(db, chosen, opts);
        });
      },

      claimDelivery(id: string, opts: ClaimOptions): Promise<Delivery | null> {
        return atomic("claimDelivery", async (db) => {
          const now = ms(opts.now);
          const row = await lock(
            db
              .selectFrom("deliveries")
              .selectAll()
              .where("id", "=", id)
              .where((eb) =>
                eb.or([
                  eb.and([eb("status", "=", "pending"), eb("next_attempt_at", "<=", now)]),
                  eb.and([eb("status", "=", "delivering"), eb("lease_until", "<=", now)]),
                ]),
              ),
            true,
          ).executeTakeFirst();
          if (!row) return null;
          const [claimed] = await lease(db, [row], opts);
          return claimed ?? null;
        });
      },

      updateDelivery(
        tenant: string,
        id: string,
        patch: DeliveryPatch,
        opts?: UpdateDeliveryOptions,
      ): Promise<Delivery | null> {
        return atomic("updateDelivery", async (db) => {
          const row = await lock(
            db.selectFrom("deliveries").selectAll().where("tenant", "=", tenant).where("id", "=", id),
            false,
          ).executeTakeFirst();
          if (!row) return null;
          if (opts?.expectStatus !== undefined && row.status !== opts.expectStatus) return null;
          if (
            opts?.expectLeaseUntil !== undefined &&
            (row.lease_until === null || num(row.lease_until) !== ms(opts.expectLeaseUntil))
          ) {
            return null;
          }
          const set = deliveryColumns(patch);
          if (Object.keys(set).length > 0) {
            await db
              .updateTable("deliveries")
              .set(set)
              .where("tenant", "=", tenant)
              .where("id", "=", id)
              .execute();
          }
          return toDelivery({ ...row, ...set });
        });
      },

      requeueFailedDeliveries(tenant, opts) {
        return run("requeueFailedDeliveries", async (db) => {
          const now = ms(opts.now);
          let qb = db
            .updateTable("deliveries")
            .set({
              status: "pending",
              next_attempt_at: now,
              lease_until: null,
              completed_at: null,
              updated_at: now,
            })
            .where("tenant", "=", tenant)
            .where("status", "=", "failed")
            .where("created_at", ">=", ms(opts.since));
          if (opts.subscriptionId !== undefined) qb = qb.where("subscription_id", "=", opts.subscriptionId);
          const res = await qb.executeTakeFirst();
          return Number(res.numUpdatedRows);
        });
      },

      nextDueAt() {
        return run("nextDueAt", async (db) => {
          const pending = await db
            .selectFrom("deliveries")
            .select((eb) => eb.fn.min("next_attempt_at").as("at"))
            .where("status", "=", "pending")
            .executeTakeFirst();
          const leased = await db
            .selectFrom("deliveries")
            .select((eb) => eb.fn.min("lease_until").as("at"))
            .where("status", "=", "delivering")
            .executeTakeFirst();
          const times = [pending?.at, leased?.at].filter((v) => v !== null && v !== undefined).map(num);
          return times.length > 0 ? new Date(Math.min(...times)) : null;
        });
      },

      listUnfinishedDeliveryIds(opts) {
        return run("listUnfinishedDeliveryIds", async (db) => {
          let qb = db
            .selectFrom("deliveries")
            .select(["id", "tenant", "message_id", "next_attempt_at"])
            .where("status", "in", UNFINISHED);
          if (opts.afterId !== undefined) qb = qb.where("id", ">", opts.afterId);
          const rows = await qb
            .orderBy("id", "asc")
            .limit(Math.max(1, Math.trunc(opts.limit)))
            .execute();
          return rows.map((r) => ({
            id: r.id,
            tenant: r.tenant,
            messageId: r.message_id,
            nextAttemptAt: r.next_attempt_at === null ? null : new Date(num(r.next_attempt_at)),
          }));
        });
      },

      // ── attempts ──────────────────────────────────────────────────────────────────────────────

      insertAttempt(attempt: Attempt) {
        return run("insertAttempt", async (db) => {
          await db.insertInto("attempts").values(attemptColumns(attempt)).execute();
        });
      },

      listAttempts(tenant, deliveryId) {
        return run("listAttempts", async (db) => {
          const rows = await db
            .selectFrom("attempts")
            .selectAll()
            .where("tenant", "=", tenant)
            .where("delivery_id", "=", deliveryId)
            .orderBy("number", "asc")
            .orderBy("seq", "asc")
            .execute();
          return rows.map(toAttempt);
        });
      },

      // ── statistics ────────────────────────────────────────────────────────────────────────────

      /** One aggregate query: final deliveries per UTC hour of `completed_at` (the portal's chart). */
      deliveryStatsByHour(tenant, opts): Promise<DeliveryHourStats[]> {
        return run("deliveryStatsByHour", async (db) => {
          // A literal (not a parameter) so the SELECT and GROUP BY expressions are the same on PostgreSQL.
          const hour = sql<number | string>`completed_at - (completed_at % 3600000)`;
          const rows = await db
            .selectFrom("deliveries")
            .select([hour.as("hour"), "status", (eb) => eb.fn.countAll<number | string>().as("n")])
            .where("tenant", "=", tenant)
            .where("created_at", ">=", ms(opts.since))
            .where("status", "in", ["succeeded", "failed"])
            .where("completed_at", "is not", null)
            .groupBy([hour, "status"])
            .execute();
          const byHour = new Map<number, DeliveryHourStats>();
          for (const row of rows) {
            const at = Number(row.hour);
            const entry = byHour.get(at) ?? { hour: new Date(at), succeeded: 0, failed: 0 };
            if (row.status === "succeeded") entry.succeeded += Number(row.n);
            else entry.failed += Number(row.n);
            byHour.set(at, entry);
          }
          return [...byHour.values()].sort((a, b) => a.hour.getTime() - b.hour.getTime());
        });
      },

      // ── housekeeping ──────────────────────────────────────────────────────────────────────────

      /** One bounded pass: up to `batchSize` old attempts, then up to `batchSize` old finished messages. */
      async prune(opts: PruneOptions): Promise<number> {
        const before = ms(opts.before);
        const batch = Math.max(1, Math.trunc(opts.batchSize));
        const attempts = await run("prune", (db) => pruneAttempts(db, before, batch));
        return attempts + (await atomic("prune", (db) => pruneMessages(db, before, batch)));
      },

      async close(): Promise<void> {
        if (inTx || closed) return;
        closed = true;
        if (options.destroyOnClose) await host.destroy();
      },
    };
    if (pgWorker !== null) {
      const statements = pgWorker;
      store.claimDeliveriesContext = (ids, opts) =>
        run("claimDeliveriesContext", (db) => statements.claimDeliveriesContext(db, ids, opts));
      store.recordAttempts = (rows) => run("recordAttempts", (db) => statements.recordAttempts(db, rows));
    }
    return store;
  };

  return make(root, false);
}
