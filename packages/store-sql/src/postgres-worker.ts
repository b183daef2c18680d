/**
 * The worker's two hot statements on PostgreSQL, each one round trip for any number of deliveries: claim
 * deliveries together with their subscriptions and messages, and record attempts fenced by their leases. Both
 * are single statements, so they are atomic without BEGIN/COMMIT (a fenced-out row writes nothing). Their SQL
 * text is written once per store (and per patch shape), so the hot path skips Kysely's query building and a
 * pool with named prepared statements parses each once. Other dialects leave the optional `Store` methods out
 * and the worker composes the general ones.
 */
import type { ClaimedDelivery, ClaimOptions, Delivery, RecordAttemptInput } from "@hookline/core";
import { CompiledQuery, type Kysely, type Selectable } from "kysely";
import { attemptColumns, deliveryColumns, ms, toDelivery, toMessage, toSubscription } from "./rows.ts";
import {
  type DeliveryRow,
  type HooklineTables,
  type MessageRow,
  type SubscriptionRow,
  tableName,
} from "./schema.ts";

type Db = Kysely<HooklineTables>;

/** A claimed row: the delivery's columns plus its subscription and message rows as JSON. */
type ClaimRow = Selectable<DeliveryRow> & {
  subscription_row: Selectable<SubscriptionRow> | null;
  message_row: Selectable<MessageRow> | null;
};

/** The worker statements of one store (one table prefix). */
export interface PostgresWorkerStatements {
  /** The claim statement's text (its tests read its plan). */
  readonly claimSql: string;
  claimDeliveriesContext(db: Db, ids: readonly string[], opts: ClaimOptions): Promise<ClaimedDelivery[]>;
  recordAttempts(db: Db, rows: readonly RecordInput[]): Promise<(Delivery | null)[]>;
}

/** Distinct patch shapes whose record statement is kept (the worker uses three). */
const MAX_SHAPES = 32;

type RecordInput = RecordAttemptInput;

/** Which delivery columns a row sets and which it is fenced on; rows of one shape share a statement. */
interface RecordShape {
  key: string;
  set: string[];
  fence: ("status" | "lease_until")[];
}

const KEY_COLUMNS = ["tenant", "id"] as const;
const ATTEMPT_COLUMNS = Object.keys(
  attemptColumns({
    id: "",
    tenant: "",
    deliveryId: "",
    messageId: "",
    subscriptionId: "",
    number: 0,
    url: "",
    method: "POST",
    requestHeaders: {},
    status: null,
    responseBody: null,
    responseHeaders: {},
    durationMs: 0,
    errorKind: null,
    error: null,
    startedAt: new Date(0),
  }),
);
/** Integer columns travel as `bigint[]`, fractional ones as `float8[]` (assignment casts narrow them). */
const BIGINT = new Set([
  "attempts",
  "next_attempt_at",
  "lease_until",
  "last_status",
  "created_at",
  "updated_at",
  "completed_at",
  "number",
  "started_at",
]);

/** The array type of a parameter column (`a_` attempt, `s_` set, `f_` fence, or a key column). */
function arrayTypeOf(column: string): string {
  // attempts.status is an HTTP status code; deliveries.status is text.
  if (column === "a_status") return "int8";
  const name = column.replace(/^[fsa]_/, "");
  if (name === "duration_ms") return "float8";
  return BIGINT.has(name) ? "int8" : "text";
}

function shapeOf(row: RecordInput): RecordShape {
  const set = Object.keys(deliveryColumns(row.patch));
  if (set.length === 0) set.push("id");
  const fence: RecordShape["fence"] = [];
  if (row.fence.expectStatus !== undefined) fence.push("status");
  if (row.fence.expectLeaseUntil !== undefined) fence.push("lease_until");
  return { key: `${set.join(",")}|${fence.join(",")}`, set, fence };
}

export function postgresWorkerStatements(tablePrefix: string): PostgresWorkerStatements {
  const t = (table: keyof HooklineTables) => `"${tableName(tablePrefix, table)}"`;

  /**
   * `UPDATE … RETURNING` in a CTE, with the subscription and the message (as `to_jsonb` of their rows).
   * No `SKIP LOCKED`: a row another transaction holds is waited for and then re-checked (READ COMMITTED
   * re-evaluates the condition on the new version), so a claim never misses a due delivery because of a lock.
   *
   * The plan must be a lookup by id whatever the statistics say. Written as `(status = 'pending' and
   * next_attempt_at <= $2) or …`, the due condition matches the `deliveries_due`/`deliveries_lease` indexes,
   * and on a table PostgreSQL has not analyzed yet (fresh, or grown since) the planner scanned every due row
   * of the backlog and filtered by id: each claim cost O(backlog). As one `case` expression it is only a
   * filter. The subscription and the message are scalar subqueries for the same reason: one index lookup
   * each per claimed row, never a scan of the messages table.
   * $1 = lease until, $2 = now, $3 = the delivery ids (an array).
   */
  const claimSql = `with c as (
  update ${t("deliveries")} set status = 'delivering', lease_until = $1, updated_at = $2
  where id = any($3)
    and (case status when 'pending' then next_attempt_at when 'delivering' then lease_until end) <= $2
  returning *
)
select c.*,
  (select to_jsonb(s) from ${t("subscriptions")} s where s.tenant = c.tenant and s.id = c.subscription_id)
    as subscription_row,
  (select to_jsonb(m) from ${t("messages")} m where m.tenant = c.tenant and m.id = c.message_id) as message_row
from c`;

  const recordSql = new Map<string, string>();
  /**
   * The attempts and their deliveries' patches as parallel arrays (`unnest`), so one statement text serves any
   * number of rows. `d` applies each row's patch only where its fence holds; `a` inserts the attempts of the
   * rows `d` updated, in the same statement.
   */
  function recordText(shape: RecordShape): string {
    const known = recordSql.get(shape.key);
    if (known !== undefined) return known;
    const columns = [
      ...KEY_COLUMNS,
      ...shape.fence.map((c) => `f_${c}`),
      ...shape.set.map((c) => `s_${c}`),
      ...ATTEMPT_COLUMNS.map((c) => `a_${c}`),
    ];
    const arrays = columns.map((c, i) => `$${i + 1}::${arrayTypeOf(c)}[]`);
    const fence = shape.fence.map((c) => ` and t."${c}" = v."f_${c}"`).join("");
    const text = `with v as (
  select * from unnest(${arrays.join(", ")}) as v(${columns.map((c) => `"${c}"`).join(", ")})
), d as (
  update ${t("deliveries")} t set ${shape.set.map((c) => `"${c}" = v."s_${c}"`).join(", ")}
  from v where t.tenant = v.tenant and t.id = v.id${fence}
  returning t.*
), a as (
  insert into ${t("attempts")} (${ATTEMPT_COLUMNS.map((c) => `"${c}"`).join(", ")})
  select ${ATTEMPT_COLUMNS.map((c) => `v."a_${c}"`).join(", ")}
  from v join d on d.tenant = v.tenant and d.id = v.id
)
select * from d`;
    if (recordSql.size < MAX_SHAPES) recordSql.set(shape.key, text);
    return text;
  }

  async function recordShape(
    db: Db,
    shape: RecordShape,
    rows: readonly RecordInput[],
  ): Promise<Map<string, Delivery>> {
    const sets = rows.map((r) => deliveryColumns(r.patch) as Record<string, unknown>);
    const attempts = rows.map((r) => attemptColumns(r.attempt) as Record<string, unknown>);
    const parameters: unknown[][] = [
      rows.map((r) => r.attempt.tenant),
      rows.map((r) => r.attempt.deliveryId),
      ...shape.fence.map((c) =>
        rows.map((r) => (c === "status" ? r.fence.expectStatus : ms(r.fence.expectLeaseUntil as Date))),
      ),
      ...shape.set.map((c) => sets.map((set) => set[c])),
      ...ATTEMPT_COLUMNS.map((c) => attempts.map((a) => a[c])),
    ];
    const { rows: updated } = await db.executeQuery<Selectable<DeliveryRow>>(
      CompiledQuery.raw(recordText(shape), parameters),
    );
    return new Map(updated.map((row) => [`${row.tenant}\u0000${row.id}`, toDelivery(row)]));
  }

  return {
    claimSql,
    async claimDeliveriesContext(db, ids, opts) {
      if (ids.length === 0) return [];
      const now = ms(opts.now);
      const { rows } = await db.executeQuery<ClaimRow>(
        CompiledQuery.raw(claimSql, [now + opts.leaseMs, now, [...ids]]),
      );
      return rows.map(({ subscription_row: s, message_row: m, ...delivery }) => ({
        delivery: toDelivery(delivery),
        subscription: s === null || s.deleted_at !== null ? null : toSubscription(s),
        message: m === null ? null : toMessage(m),
      }));
    },

    async recordAttempts(db, rows) {
      // One statement per patch shape; a delivery appears at most once per statement.
      const byShape = new Map<string, { shape: RecordShape; rows: RecordInput[]; ids: Set<string> }[]>();
      for (const row of rows) {
        const shape = shapeOf(row);
        const batches = byShape.get(shape.key) ?? [];
        byShape.set(shape.key, batches);
        const id = `${row.attempt.tenant}\u0000${row.attempt.deliveryId}`;
        let batch = batches.find((b) => !b.ids.has(id));
        if (batch === undefined) {
          batch = { shape, rows: [], ids: new Set() };
          batches.push(batch);
        }
        batch.rows.push(row);
        batch.ids.add(id);
      }
      const results = new Map<RecordInput, Delivery | null>();
      for (const batches of byShape.values()) {
        for (const batch of batches) {
          const updated = await recordShape(db, batch.shape, batch.rows);
          for (const row of batch.rows) {
            results.set(row, updated.get(`${row.attempt.tenant}\u0000${row.attempt.deliveryId}`) ?? null);
          }
        }
      }
      return rows.map((row) => results.get(row) ?? null);
    },
  };
}
