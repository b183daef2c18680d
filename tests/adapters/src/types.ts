import type { VerifierOptions } from "@hookline/core";
import type { FetchApp } from "@hookline/node";

/** What every server entry mounts, the same way in each framework. */
export interface ServerSetup {
  /** Provider side, mounted at `/webhooks`. */
  hookline: FetchApp;
  /** Receiver at `POST /receiver` (verify middleware) — answers `{ id, type, data, bytes }`. */
  receiver: VerifierOptions;
  /** Second receiver at `POST /receiver-dedupe` (same, with a dedupe store). */
  receiverDedupe: VerifierOptions;
  /**
   * Third receiver at `POST /receiver-retry` (with its own dedupe store) whose handler fails the first call
   * per message id as {@link failsFirst} says — throws (→ 500) or answers 503 — and succeeds after.
   */
  receiverRetry: VerifierOptions;
  /** Largest provider body (the adapters' `bodyLimitBytes`). */
  bodyLimitBytes: number;
  /**
   * A JSON body parser installed app-wide before hookline: `consumes` = the framework's usual parser
   * (raw bytes are gone), `keeps-raw` = the parser also keeps `req.rawBody`. Default `none`.
   */
  parser?: "none" | "consumes" | "keeps-raw";
}

/** Routes every server also has: `GET /health` → `ok`, `POST /bare` → `{ bytes }` (reads the body). */
export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** One framework: a name, what it supports, and how to start it on an ephemeral port. */
export interface AdapterServer {
  name: string;
  /** Whether an app-wide body parser can be installed before hookline (not for fetch-native ones). */
  bodyParsers: boolean;
  start(setup: ServerSetup): Promise<RunningServer>;
}
