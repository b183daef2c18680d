/**
 * The tables hookline keeps, as Kysely sees them (unprefixed names; {@link tablePrefixPlugin} adds the prefix).
 * Timestamps are integer milliseconds since the epoch; JSON values are text; booleans are 0/1 integers, so
 * the three dialects store the same values and `node:sqlite` gets only the types it binds.
 */
import type {
  Generated,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  TableNode,
  UnknownRow,
} from "kysely";
import { OperationNodeTransformer } from "kysely";

/** Integers arrive as number (SQLite, mysql2) or string (pg `bigint`, mysql2 big numbers). */
export type DbInt = number | string | bigint;

export interface SubscriptionRow {
  seq: Generated<DbInt>;
  tenant: string;
  id: string;
  url: string;
  method: string;
  content_type: string;
  body_template: string | null;
  headers: string;
  event_types: string;
  secrets: string;
  scheme: string | null;
  qos: DbInt;
  id_set_accepted: DbInt;
  rate_limit: number | string | null;
  concurrency: DbInt | null;
  retry_schedule: string | null;
  status: string;
  disabled_reason: string | null;
  description: string | null;
  metadata: string;
  tags: string | null;
  failing_since: DbInt | null;
  created_at: DbInt;
  updated_at: DbInt;
  deleted_at: DbInt | null;
  version: DbInt;
}

export interface SubscriptionEventTypeRow {
  tenant: string;
  pattern: string;
  subscription_id: string;
}

export interface MessageRow {
  seq: Generated<DbInt>;
  tenant: string;
  id: string;
  type: string;
  data: string;
  timestamp: DbInt;
  resource_id: string | null;
  created_at: DbInt;
}

export interface DeliveryRow {
  seq: Generated<DbInt>;
  id: string;
  tenant: string;
  message_id: string;
  subscription_id: string;
  event_type: string;
  status: string;
  attempts: DbInt;
  next_attempt_at: DbInt | null;
  lease_until: DbInt | null;
  last_status: DbInt | null;
  last_error: string | null;
  created_at: DbInt;
  updated_at: DbInt;
  completed_at: DbInt | null;
}

export interface AttemptRow {
  seq: Generated<DbInt>;
  id: string;
  tenant: string;
  delivery_id: string;
  message_id: string;
  subscription_id: string;
  number: DbInt;
  url: string;
  method: string;
  request_headers: string;
  status: DbInt | null;
  response_body: string | null;
  response_headers: string;
  duration_ms: number | string;
  error_kind: string | null;
  error: string | null;
  started_at: DbInt;
}

export interface SequenceRow {
  name: string;
  value: DbInt;
}

export interface DedupeRow {
  key: string;
  expires_at: DbInt;
}

/** hookline's tables, unprefixed. */
export interface HooklineTables {
  subscriptions: SubscriptionRow;
  subscription_event_types: SubscriptionEventTypeRow;
  messages: MessageRow;
  deliveries: DeliveryRow;
  attempts: AttemptRow;
  sequences: SequenceRow;
  dedupe: DedupeRow;
}

const TABLES: ReadonlySet<string> = new Set<keyof HooklineTables>([
  "subscriptions",
  "subscription_event_types",
  "messages",
  "deliveries",
  "attempts",
  "sequences",
  "dedupe",
]);

/** The prefixed name of one of hookline's tables (for raw SQL and index names). */
export function tableName(prefix: string, table: keyof HooklineTables): string {
  return `${prefix}${table}`;
}

/** Validates a table prefix: letters, digits and `_` only (it ends up in DDL). */
export function checkTablePrefix(prefix: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(prefix) && prefix !== "") {
    throw new TypeError(
      `[hookline] tablePrefix must match /^[A-Za-z_][A-Za-z0-9_]*$/, got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}

class PrefixTransformer extends OperationNodeTransformer {
  readonly #prefix: string;
  constructor(prefix: string) {
    super();
    this.#prefix = prefix;
  }
  protected override transformTable(node: TableNode): TableNode {
    const name = node.table.identifier.name;
    if (!TABLES.has(name)) return super.transformTable(node);
    return {
      ...node,
      table: { ...node.table, identifier: { ...node.table.identifier, name: this.#prefix + name } },
    };
  }
}

/**
 * Rewrites references to hookline's tables (and only those: aliases and the host's tables are left alone)
 * to their prefixed names, so queries are written against {@link HooklineTables}.
 */
export function tablePrefixPlugin(prefix: string): KyselyPlugin {
  const transformer = new PrefixTransformer(prefix);
  return {
    transformQuery: (args: PluginTransformQueryArgs): RootOperationNode =>
      transformer.transformNode(args.node, args.queryId),
    transformResult: async (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => args.result,
  };
}
