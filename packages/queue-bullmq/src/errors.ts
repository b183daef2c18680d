/** Errors of this driver: `HooklineError`s with a `code`, messages prefixed `[hookline] [bullmq]`. */
import { HooklineError, type HooklineErrorCode } from "@hookline/core";

/** Builds a driver error; `cause` keeps the Redis/BullMQ error for the logs. */
export function bullmqError(code: HooklineErrorCode, message: string, cause?: unknown): HooklineError {
  return new HooklineError(code, `[hookline] [bullmq] ${message}`, cause === undefined ? {} : { cause });
}

/** The text of an unknown thrown value, for messages. */
export function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
