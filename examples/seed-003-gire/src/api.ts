/**
 * Seed 003 — Gire Public API v3 webhooks: `/api/v3/webhooks` with GET, POST (201), PATCH, DELETE (200, no
 * content), `x-api-token` auth and 401, `callbackUrl`, `enabledEvents` like `pud:status_update`, an optional
 * write-only `secret` (never returned; without one deliveries are unsigned), 24-hex ids, ISO timestamps.
 * Deliveries are `{id, eventType, timestamp, data}` signed `X-Hub-Signature-256: sha256=…`.
 */
import {
  apiKeyAuth,
  type CredentialResolver,
  createHookline,
  type DeliveryOptions,
  defineCodec,
  type Hookline,
  type HooklineOptions,
  objectIds,
  resourceRoutes,
  type Store,
} from "@hookline/core";

/** The events of the document. */
export const gireEvents = {
  "pud:status_update": {
    description: "Status changes on a PUD",
    example: {
      pudId: "f0bdb31f-b243-4f5f-90d7-440f1897d681",
      referenceNumber: "ref-number",
      prevStatus: "pre_trip_inspection",
      newStatus: "in_progress",
    },
  },
  "pud:price_update": {
    description: "Price changes on a PUD",
    example: {
      pudId: "f0bdb31f-b243-4f5f-90d7-440f1897d681",
      referenceNumber: "ref-number",
      prevPrice: 429,
      newPrice: 529,
    },
  },
};

/** The wire format of `/api/v3/webhooks`. */
export const gireCodec = defineCodec({
  name: "gire",
  ids: { pattern: /^[0-9a-f]{24}$/ },
  fields: {
    id: true,
    url: "callbackUrl",
    eventTypes: { name: "enabledEvents", default: ["*"] },
    secret: { writeOnly: true, default: null },
    createdAt: true,
    updatedAt: true,
  },
  status: { create: 201, delete: 200 },
  deleteResponse: "empty",
});

/** Options of {@link gireOptions}. */
export interface GireApiOptions {
  /** Maps an `x-api-token` (the company API token) to the company. */
  resolveToken: CredentialResolver;
  store?: Store;
  /** Delivery settings (timeouts, retry schedule, SSRF allow-list for local development, …). */
  delivery?: DeliveryOptions;
}

/** hookline options serving the seed 003 API. */
export function gireOptions(opts: GireApiOptions): HooklineOptions {
  return {
    store: opts.store,
    catalog: { types: gireEvents },
    ids: objectIds(),
    signing: { scheme: "hub" },
    delivery: {
      ...opts.delivery,
      envelope: (m) => ({ id: m.id, eventType: m.type, timestamp: m.timestamp.toISOString(), data: m.data }),
    },
    api: {
      auth: apiKeyAuth({ header: "x-api-token", resolve: opts.resolveToken }),
      codec: gireCodec,
      basePath: "/api/v3",
      routes: resourceRoutes({
        subscriptions: "/webhooks",
        deliveries: "/webhook-deliveries",
        eventTypes: "/webhook-events",
      }),
      openapi: { path: "/webhooks-openapi.json", title: "Gire Public API — webhooks", version: "3" },
    },
  };
}

/** A hookline instance serving the seed 003 API. */
export function createSeedApi(opts: GireApiOptions): Hookline {
  return createHookline(gireOptions(opts));
}
