/**
 * The seed 002 app, runnable: Brightpearl's integration-service webhooks of `api.ts` on embedded SQLite,
 * served by `node:http`, delivering as the document says — each webhook's own `httpMethod` to its expanded
 * `uriTemplate`, with its expanded `bodyTemplate` as the body of a POST (GET carries none), `${account-code}`,
 * `${resource-type}`, `${resource-id}`, `${lifecycle-event}` and `${full-event}` filled in; `qualityOfService`
 * 0 is one attempt, 1 is retried; with `idSetAccepted` several events of one type within the batch window
 * go out as one request whose `${resource-id}` is the id set (`1,2,3`). The document names no signature:
 * deliveries are unsigned.
 */
import {
  createHookline,
  type DeliveryOptions,
  type EnvelopeBuilder,
  type Hookline,
  splitEventType,
} from "@hookline/core";
import { handleNodeRequest } from "@hookline/node";
import { sqliteStore } from "@hookline/store-sql";
import { type ServeHttpOptions, serveApp } from "../../support/http.ts";
import { brightpearlOptions } from "./api.ts";

/**
 * `${full-event}` (the document shows the placeholder, not its shape): the event in the vocabulary of the
 * other placeholders, plus its time and payload. An interpretation.
 */
export const brightpearlEnvelope: EnvelopeBuilder = (message) => {
  const { resourceType, lifecycleEvent } = splitEventType(message.type);
  return {
    accountCode: message.tenant,
    resourceType,
    id: message.resourceId,
    lifecycleEvent,
    raisedOn: message.timestamp.toISOString(),
    data: message.data,
  };
};

/** Options of {@link startBrightpearlServer}. */
export interface BrightpearlServerOptions extends ServeHttpOptions {
  /** SQLite database file (created with its directory), or `:memory:`. */
  databasePath: string;
  /** Account tokens (the `brightpearl-account-token` header) and the account code each belongs to. */
  tokens: Record<string, string>;
  /**
   * Delivery settings beside the document's (retry schedule for `qualityOfService: 1`, the id-set batch
   * window `batchWindowMs` — default 1 s —, SSRF allow-list, …).
   */
  delivery?: DeliveryOptions;
  /**
   * Deliver from this process at once. Default `true`; `false` serves the API and records events, and
   * delivering starts with `webhooks.start()` (what a producer-only process does, a worker delivering).
   */
  deliver?: boolean;
}

/** A running seed 002 app. */
export interface BrightpearlServer {
  /** Base URL; the webhooks are at `/public-api/{ACCOUNT}/integration-service/webhook`. */
  url: string;
  /** The hookline instance: `webhooks.emit({ type: "product.deleted", tenant, resourceId, data })`. */
  webhooks: Hookline;
  /** Stops delivering, closes the HTTP server and the database. */
  close(): Promise<void>;
}

/** Starts the Brightpearl app. */
export async function startBrightpearlServer(opts: BrightpearlServerOptions): Promise<BrightpearlServer> {
  const store = sqliteStore({ path: opts.databasePath });
  const webhooks = createHookline(
    brightpearlOptions({
      store,
      resolveToken: (token) => (Object.hasOwn(opts.tokens, token) ? opts.tokens[token]! : null),
      // Templates live on each webhook (`uriTemplate`, `bodyTemplate`, `contentType`, `httpMethod`); the
      // deployment supplies what `${full-event}` expands to. `api.ts` signs nothing (`scheme: "none"`).
      delivery: { envelope: brightpearlEnvelope, ...opts.delivery },
    }),
  );
  if (opts.deliver !== false) await webhooks.start();

  // The whole app is hookline's fetch handler; an unexpected error is a bare 500 (hookline logged it).
  const http = await serveApp((req, res) => handleNodeRequest(webhooks, req, res), opts, {
    stop: () => webhooks.close({ timeoutMs: 2_000 }),
    release: () => store.close(),
  });
  return { url: http.url, webhooks, close: http.close };
}
