import type { ServerResponse } from "node:http";
import { noRelease, type ReleaseClaim } from "@hookline/core";

/**
 * Watches the response to a verified webhook and calls `release()` (the verify result's) when it turns out
 * to be a failure: finished with a status ≥ 400 (the handler threw, or answered an error), or closed
 * before it finished (the client went away). A retry after a failed handler is then processed again
 * instead of being acknowledged as a duplicate. Every Node verify middleware calls this on success.
 * A `release` with nothing to release (`noRelease`: no dedupe, or no id) adds no listeners.
 */
export function releaseOnFailedResponse(res: ServerResponse, release: ReleaseClaim): void {
  if (release === noRelease) return;
  const onFinish = () => {
    res.off("close", onClose);
    if (res.statusCode >= 400) void release();
  };
  const onClose = () => {
    res.off("finish", onFinish);
    if (!res.writableFinished) void release();
  };
  res.once("finish", onFinish);
  res.once("close", onClose);
}
