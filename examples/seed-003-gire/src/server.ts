/**
 * The seed 003 app, runnable: the Gire v3 webhooks API of `api.ts` on embedded SQLite, served by `node:http`,
 * delivering as the document says — a POST of `{id, eventType, timestamp, data}` to the `callbackUrl`,
 * signed `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` with the webhook's `secret` when one
 * was given, and unsigned when not.
 */
import {
  createHookline,
  type DeliveryOptions,
  flatEnvelope,
  type Hookline,
  hubSignature,
} from "@hookline/core";
import { handleNodeRequest } from "@hookline/node";
import { sqliteStore } from "@hookline/store-sql";
import { type ServeHttpOptions, serveApp } from "../../support/http.ts";
import { gireOptions } from "./api.ts";

/** Options of {@link startGireServer}. */
export interface GireServerOptions extends ServeHttpOptions {
  /** SQLite database file (created with its directory), or `:memory:`. */
  databasePath: string;
  /** Company API tokens (the `x-api-token` header) and the company each belongs to. */
  tokens: Record<string, string>;
  /** Delivery settings beside the document's (retry schedule, SSRF allow-list, timeouts, …). */
  delivery?: DeliveryOptions;
}

/** A running seed 003 app. */
export interface GireServer {
  /** Base URL of the API, e.g. `http://127.0.0.1:3003` (routes under `/api/v3`). */
  url: string;
  /** The hookline instance: `webhooks.emit({ type: "pud:status_update", tenant, data })`. */
  webhooks: Hookline;
  /** Stops delivering, closes the HTTP server and the database. */
  close(): Promise<void>;
}

/** Starts the Gire app: API served, deliveries running. */
export async function startGireServer(opts: GireServerOptions): Promise<GireServer> {
  const store = sqliteStore({ path: opts.databasePath });
  const base = gireOptions({
    store,
    resolveToken: (token) => (Object.hasOwn(opts.tokens, token) ? opts.tokens[token]! : null),
    delivery: opts.delivery,
  });
  const webhooks = createHookline({
    ...base,
    // The deliveries as documented, spelled out: the flat envelope and GitHub-style `X-Hub-Signature-256`.
    // A webhook created without a secret has none, and hookline sends its deliveries unsigned.
    signing: { scheme: "hub", schemes: { hub: hubSignature() } },
    delivery: { ...base.delivery, envelope: flatEnvelope },
  });
  await webhooks.start();

  // The whole app is hookline's fetch handler; an unexpected error is a bare 500 (hookline logged it).
  const http = await serveApp((req, res) => handleNodeRequest(webhooks, req, res), opts, {
    stop: () => webhooks.close({ timeoutMs: 2_000 }),
    release: () => store.close(),
  });
  return { url: http.url, webhooks, close: http.close };
}
