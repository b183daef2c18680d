/** Turns driver errors into hookline's typed errors, prefixed with the dialect: `[hookline] [postgres] …`. */
import { HooklineError } from "@hookline/core";
import type { SqlDialect } from "./dialect.ts";

function field(err: unknown, key: string): unknown {
  return typeof err === "object" && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

/** A unique or primary-key violation, in any of the three drivers. */
export function isUniqueViolation(err: unknown): boolean {
  const code = field(err, "code");
  if (code === "23505" || code === "ER_DUP_ENTRY" || field(err, "errno") === 1062) return true;
  const errcode = field(err, "errcode");
  // SQLITE_CONSTRAINT_UNIQUE (2067), SQLITE_CONSTRAINT_PRIMARYKEY (1555).
  return errcode === 2067 || errcode === 1555;
}

/** A value too long for its column (PostgreSQL 22001, MySQL 1406). */
function isTooLong(err: unknown): boolean {
  return field(err, "code") === "22001" || field(err, "errno") === 1406;
}

/** A deadlock or serialization failure: the transaction may simply be run again. */
export function isRetryable(err: unknown): boolean {
  const code = field(err, "code");
  return (
    code === "40P01" ||
    code === "40001" ||
    field(err, "errno") === 1213 ||
    field(err, "errno") === 1205 ||
    field(err, "errcode") === 5 /* SQLITE_BUSY */
  );
}

/** The message prefix of a dialect. */
export function prefix(dialect: SqlDialect): string {
  return `[hookline] [${dialect}]`;
}

/** Maps any error thrown by the database to a `HooklineError` (hookline errors pass through unchanged). */
export function toStoreError(dialect: SqlDialect, op: string, err: unknown): HooklineError {
  if (HooklineError.is(err)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  if (isUniqueViolation(err)) {
    return new HooklineError("conflict", `${prefix(dialect)} ${op}: the row already exists`, { cause: err });
  }
  if (isTooLong(err)) {
    return new HooklineError("bad_request", `${prefix(dialect)} ${op}: a value is too long (${reason})`, {
      cause: err,
    });
  }
  return new HooklineError("store_unavailable", `${prefix(dialect)} ${op} failed: ${reason}`, { cause: err });
}
