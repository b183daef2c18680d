/**
 * The schema, as versioned migrations shipped with the package. They run through Kysely's `Migrator` with a
 * migrations table of their own (`<prefix>migrations`), so they are idempotent, serialised across processes
 * by the migrator's lock, and sit beside the host's own migrations without touching them.
 */
import { type CreateTableBuilder, type Kysely, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import { columnTypes, detectDialect, type SqlDialect } from "./dialect.ts";
import { toStoreError } from "./errors.ts";
import { checkTablePrefix, type HooklineTables, tablePrefixPlugin } from "./schema.ts";

/** Options of {@link migrateSqlStore}. */
export interface MigrateSqlStoreOptions {
  /** Detected from the Kysely adapter when omitted. */
  dialect?: SqlDialect;
  /** Prefix of every table and index. Default `hookline_`. */
  tablePrefix?: string;
}

function initial(dialect: SqlDialect, prefix: string): Migration {
  const t = columnTypes(dialect);
  const idx = (name: string) => `${prefix}${name}`;

  return {
    async up(raw: Kysely<unknown>): Promise<void> {
      const db = raw.withPlugin(tablePrefixPlugin(prefix)) as Kysely<HooklineTables>;
      const table = (name: keyof HooklineTables, withSeq: boolean) => {
        let b: CreateTableBuilder<string, string> = db.schema.createTable(name).ifNotExists();
        if (withSeq) {
          b =
            dialect === "postgres"
              ? b.addColumn("seq", "bigserial", (c) => c.primaryKey())
              : b.addColumn("seq", dialect === "mysql" ? "bigint" : "integer", (c) =>
                  c.primaryKey().autoIncrement(),
                );
        }
        return b;
      };
      // MySQL: binary collation, so keys compare case-sensitively and sort bytewise (as in JS).
      const finish = (b: CreateTableBuilder<string, string>) =>
        dialect === "mysql" ? b.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : b;

      await finish(
        table("subscriptions", true)
          .addColumn("tenant", t.key, (c) => c.notNull())
          .addColumn("id", t.key, (c) => c.notNull())
          .addColumn("url", t.text, (c) => c.notNull())
          .addColumn("method", t.key, (c) => c.notNull())
          .addColumn("content_type", t.text, (c) => c.notNull())
          .addColumn("body_template", t.json)
          .addColumn("headers", t.json, (c) => c.notNull())
          .addColumn("event_types", t.json, (c) => c.notNull())
          .addColumn("secrets", t.json, (c) => c.notNull())
          .addColumn("scheme", t.key)
          .addColumn("qos", "integer", (c) => c.notNull())
          .addColumn("id_set_accepted", "integer", (c) => c.notNull())
          .addColumn("rate_limit", t.double)
          .addColumn("concurrency", "integer")
          .addColumn("retry_schedule", t.json)
          .addColumn("status", t.key, (c) => c.notNull())
          .addColumn("disabled_reason", t.text)
          .addColumn("description", t.text)
          .addColumn("metadata", t.json, (c) => c.notNull())
          .addColumn("tags", t.json)
          .addColumn("failing_since", t.bigint)
          .addColumn("created_at", t.bigint, (c) => c.notNull())
          .addColumn("updated_at", t.bigint, (c) => c.notNull())
          .addColumn("deleted_at", t.bigint)
          .addColumn("version", t.bigint, (c) => c.notNull()),
      ).execute();
      await db.schema
        .createIndex(idx("subscriptions_tenant_id"))
        .ifNotExists()
        .unique()
        .on("subscriptions")
        .columns(["tenant", "id"])
        .execute();
      await db.schema
        .createIndex(idx("subscriptions_tenant_seq"))
        .ifNotExists()
        .on("subscriptions")
        .columns(["tenant", "seq"])
        .execute();

      // Matching: one row per (subscription, pattern); an event looks up `pattern IN eventTypeKeys(type)`.
      await finish(
        table("subscription_event_types", false)
          .addColumn("tenant", t.key, (c) => c.notNull())
          .addColumn("pattern", t.key, (c) => c.notNull())
          .addColumn("subscription_id", t.key, (c) => c.notNull())
          .addPrimaryKeyConstraint(idx("subscription_event_types_pk"), [
            "tenant",
            "pattern",
            "subscription_id",
          ]),
      ).execute();
      await db.schema
        .createIndex(idx("subscription_event_types_sub"))
        .ifNotExists()
        .on("subscription_event_types")
        .columns(["tenant", "subscription_id"])
        .execute();

      await finish(
        table("messages", true)
          .addColumn("tenant", t.key, (c) => c.notNull())
          .addColumn("id", t.key, (c) => c.notNull())
          .addColumn("type", t.key, (c) => c.notNull())
          .addColumn("data", t.json, (c) => c.notNull())
          .addColumn("timestamp", t.bigint, (c) => c.notNull())
          .addColumn("resource_id", t.key)
          .addColumn("created_at", t.bigint, (c) => c.notNull()),
      ).execute();
      await db.schema
        .createIndex(idx("messages_tenant_id"))
        .ifNotExists()
        .unique()
        .on("messages")
        .columns(["tenant", "id"])
        .execute();
      await db.schema
        .createIndex(idx("messages_created"))
        .ifNotExists()
        .on("messages")
        .columns(["created_at"])
        .execute();

      await finish(
        table("deliveries", true)
          .addColumn("id", t.key, (c) => c.notNull())
          .addColumn("tenant", t.key, (c) => c.notNull())
          .addColumn("message_id", t.key, (c) => c.notNull())
          .addColumn("subscription_id", t.key, (c) => c.notNull())
          .addColumn("event_type", t.key, (c) => c.notNull())
          .addColumn("status", t.key, (c) => c.notNull())
          .addColumn("attempts", "integer", (c) => c.notNull())
          .addColumn("next_attempt_at", t.bigint)
          .addColumn("lease_until", t.bigint)
          .addColumn("last_status", "integer")
          .addColumn("last_error", t.text)
          .addColumn("created_at", t.bigint, (c) => c.notNull())
          .addColumn("updated_at", t.bigint, (c) => c.notNull())
          .addColumn("completed_at", t.bigint),
      ).execute();
      const deliveryIndexes: [string, (keyof HooklineTables["deliveries"])[], boolean][] = [
        ["deliveries_id", ["id"], true],
        // Due deliveries: pending by next attempt, delivering by lease expiry.
        ["deliveries_due", ["status", "next_attempt_at", "seq"], false],
        ["deliveries_lease", ["status", "lease_until", "seq"], false],
        ["deliveries_tenant_seq", ["tenant", "seq"], false],
        ["deliveries_message", ["tenant", "message_id"], false],
        ["deliveries_subscription", ["tenant", "subscription_id", "seq"], false],
      ];
      for (const [name, columns, unique] of deliveryIndexes) {
        const b = db.schema.createIndex(idx(name)).ifNotExists().on("deliveries").columns(columns);
        await (unique ? b.unique() : b).execute();
      }

      await finish(
        table("attempts", true)
          .addColumn("id", t.key, (c) => c.notNull())
          .addColumn("tenant", t.key, (c) => c.notNull())
          .addColumn("delivery_id", t.key, (c) => c.notNull())
          .addColumn("message_id", t.key, (c) => c.notNull())
          .addColumn("subscription_id", t.key, (c) => c.notNull())
          .addColumn("number", "integer", (c) => c.notNull())
          .addColumn("url", t.text, (c) => c.notNull())
          .addColumn("method", t.key, (c) => c.notNull())
          .addColumn("request_headers", t.json, (c) => c.notNull())
          .addColumn("status", "integer")
          .addColumn("response_body", t.json)
          .addColumn("response_headers", t.json, (c) => c.notNull())
          .addColumn("duration_ms", t.double, (c) => c.notNull())
          .addColumn("error_kind", t.key)
          .addColumn("error", t.text)
          .addColumn("started_at", t.bigint, (c) => c.notNull()),
      ).execute();
      await db.schema
        .createIndex(idx("attempts_delivery"))
        .ifNotExists()
        .on("attempts")
        .columns(["tenant", "delivery_id", "seq"])
        .execute();
      await db.schema
        .createIndex(idx("attempts_started"))
        .ifNotExists()
        .on("attempts")
        .columns(["started_at"])
        .execute();

      await finish(
        table("sequences", false)
          .addColumn("name", t.key, (c) => c.primaryKey())
          .addColumn("value", t.bigint, (c) => c.notNull()),
      ).execute();

      await finish(
        table("dedupe", false)
          .addColumn("key", t.key, (c) => c.primaryKey())
          .addColumn("expires_at", t.bigint, (c) => c.notNull()),
      ).execute();
      await db.schema
        .createIndex(idx("dedupe_expires"))
        .ifNotExists()
        .on("dedupe")
        .columns(["expires_at"])
        .execute();
    },
  };
}

/** Every migration, by name (names sort in the order they apply). */
function migrations(dialect: SqlDialect, prefix: string): Record<string, Migration> {
  return { "0001_initial": initial(dialect, prefix) };
}

/** The names of every table the store owns (for tests and teardown scripts), migrations tables included. */
export function sqlStoreTables(tablePrefix = "hookline_"): string[] {
  return [
    "attempts",
    "deliveries",
    "messages",
    "subscription_event_types",
    "subscriptions",
    "sequences",
    "dedupe",
    "migrations",
    "migrations_lock",
  ].map((t) => tablePrefix + t);
}

/**
 * Creates or upgrades hookline's tables in the database of `db` (idempotent; safe to run from several
 * processes at once). Called by `sqlStore()` on start unless `migrate: "manual"`.
 */
export async function migrateSqlStore(db: Kysely<unknown>, opts: MigrateSqlStoreOptions = {}): Promise<void> {
  const prefix = checkTablePrefix(opts.tablePrefix ?? "hookline_");
  const plain = db.withoutPlugins();
  const dialect = opts.dialect ?? detectDialect(plain);
  if (!dialect) {
    throw new TypeError("[hookline] migrateSqlStore: cannot detect the dialect; pass { dialect }");
  }
  const migrator = new Migrator({
    db: plain,
    provider: { getMigrations: async () => migrations(dialect, prefix) },
    migrationTableName: `${prefix}migrations`,
    migrationLockTableName: `${prefix}migrations_lock`,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw toStoreError(dialect, "migrate", error);
}
