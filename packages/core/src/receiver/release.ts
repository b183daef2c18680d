/** Releasing a verified event's dedupe claim when its handler fails, for fetch-style receivers. */
import { noRelease, type ReleaseClaim } from "./verifier.ts";

/** The status of a handler's answer: a `Response`'s own, else 200. */
const responseStatus = (answer: unknown): number => (answer instanceof Response ? answer.status : 200);

/**
 * Runs the handler of a verified event and, when it throws or its answer is a failure (status ≥ 400),
 * calls `release()` before passing the answer or error on — so a retry after a failed handler is
 * processed again. For fetch-style receivers (h3, Bun, Deno, route handlers); Node adapters use
 * `@hookline/node`'s `releaseOnFailedResponse()`, which watches the response instead.
 *
 * `statusOf` reads the status from the handler's answer (default: a `Response`'s status, else 200).
 */
export async function runVerifiedHandler<T>(
  release: ReleaseClaim,
  handler: () => T | Promise<T>,
  statusOf: (answer: T) => number = responseStatus,
): Promise<T> {
  if (release === noRelease) return handler(); // nothing to release: no need to look at the answer
  let answer: T;
  try {
    answer = await handler();
  } catch (err) {
    await release();
    throw err;
  }
  if (statusOf(answer) >= 400) await release();
  return answer;
}
