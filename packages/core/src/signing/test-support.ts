/** Test helpers for the signing tests (not exported from the barrel). */
import { HooklineError } from "../errors.ts";

/** The `code` of the hookline error `fn` throws; rethrows anything else; fails when nothing is thrown. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (HooklineError.is(err)) return err.code;
    throw err;
  }
  throw new Error("expected a hookline error, but nothing was thrown");
}

/** A fixed clock at `seconds` since the epoch, for `VerifyOptions.now`. */
export const at = (seconds: number) => (): number => seconds * 1000;
