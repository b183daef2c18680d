/**
 * The seed 001 app, runnable: the brand webhooks API of `api.ts` on embedded SQLite, served by `node:http`,
 * delivering as the document says — every request carries an HMAC-SHA256 signature of the raw body made
 * with the webhook's 64-hex `key` (`api.ts`'s `brandSigning`: `X-Signature: <hex>`, a header name the
 * document leaves open), and a deleted webhook (soft delete) receives nothing more.
 */
import { createHookline, type DeliveryOptions, type EnvelopeBuilder, type Hookline } from "@hookline/core";
import { handleNodeRequest } from "@hookline/node";
import { sqliteStore } from "@hookline/store-sql";
import { type ServeHttpOptions, serveApp } from "../../support/http.ts";
import { brandOptions } from "./api.ts";

/**
 * The delivery body. The document shows none: this one speaks the API's own dialect — snake_case, epoch
 * seconds, the `topic` and `brand` of the webhook — around the event's payload. An interpretation.
 */
export const brandEnvelope: EnvelopeBuilder = (message) => ({
  id: message.id,
  topic: message.type,
  brand: message.tenant,
  created_at: message.timestamp.getTime() / 1000,
  data: message.data,
});

/** Options of {@link startBrandServer}. */
export interface BrandServerOptions extends ServeHttpOptions {
  /** SQLite database file (created with its directory), or `:memory:`. */
  databasePath: string;
  /** The brands that exist: `/brands/:id/…` of any other id answers 401. */
  brands: readonly string[];
  /** Delivery settings beside the document's (retry schedule, SSRF allow-list, timeouts, …). */
  delivery?: DeliveryOptions;
}

/** A running seed 001 app. */
export interface BrandServer {
  /** Base URL; the webhooks are at `/brands/:id/webhooks`. */
  url: string;
  /** The hookline instance: `webhooks.emit({ type: "Showings", tenant: brandId, data })`. */
  webhooks: Hookline;
  /** Stops delivering, closes the HTTP server and the database. */
  close(): Promise<void>;
}

/** Starts the brand webhooks app. */
export async function startBrandServer(opts: BrandServerOptions): Promise<BrandServer> {
  const store = sqliteStore({ path: opts.databasePath });
  const brands = new Set(opts.brands);
  // `brandOptions` carries the signing (`brandSigning`, HMAC-SHA256 hex with the webhook's key) and the
  // soft delete; the deployment adds the body envelope.
  const webhooks = createHookline(
    brandOptions({
      store,
      resolveBrand: (id) => (brands.has(id) ? id : null),
      delivery: { envelope: brandEnvelope, ...opts.delivery },
    }),
  );
  await webhooks.start();

  // The whole app is hookline's fetch handler; an unexpected error is a bare 500 (hookline logged it).
  const http = await serveApp((req, res) => handleNodeRequest(webhooks, req, res), opts, {
    stop: () => webhooks.close({ timeoutMs: 2_000 }),
    release: () => store.close(),
  });
  return { url: http.url, webhooks, close: http.close };
}
