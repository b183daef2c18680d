/**
 * Seed 000 — the Gett business API's subscribers: `POST /v1/subscribers?businessId=<uuid>` with a bearer
 * token, `hook_address`, `event_types` as a string (or list) in and `[{event_type}]` out, `business_ids`,
 * a UUID `secret_id` verification token, RFC 3339 timestamps with nanoseconds. All of it is configuration.
 */
import {
  allAuth,
  bearerAuth,
  type CredentialResolver,
  createHookline,
  type DeliveryOptions,
  defineCodec,
  type Hookline,
  type HooklineOptions,
  queryParamAuth,
  resourceRoutes,
  type Store,
} from "@hookline/core";

/** The event types a business can subscribe to. */
export const gettEvents = {
  status_changed: {
    description: "An order changed status",
    example: { order_id: "1234", status: "Completed" },
  },
  business_report: { description: "A business report is ready", example: { report_id: "r-1" } },
};

/** The wire format of `/v1/subscribers`. */
export const gettCodec = defineCodec({
  name: "gett",
  naming: "snake_case",
  time: "rfc3339-nanos",
  fields: {
    id: true,
    url: "hook_address",
    eventTypes: { name: "event_types", shape: "objects", itemKey: "event_type" },
    tenant: { name: "business_ids", shape: "objects", itemKey: "business_id" },
    secret: { name: "secret_id", readOnly: true },
    createdAt: true,
    updatedAt: true,
  },
  status: { create: 200, delete: 200 },
});

/** Options of {@link gettOptions}. */
export interface GettApiOptions {
  /** Maps a bearer token to the business (company UUID) it may act for. */
  resolveToken: CredentialResolver;
  store?: Store;
  /** Delivery settings (timeouts, retry schedule, SSRF allow-list for local development, …). */
  delivery?: DeliveryOptions;
}

/**
 * hookline options serving the Gett subscribers API: the caller's token must belong to the business named
 * by `?businessId=`; secrets are UUID verification tokens sent in a header (`token` scheme).
 */
export function gettOptions(opts: GettApiOptions): HooklineOptions {
  return {
    store: opts.store,
    delivery: opts.delivery,
    catalog: { types: gettEvents },
    signing: { scheme: "token" },
    api: {
      auth: allAuth(bearerAuth({ resolve: opts.resolveToken }), queryParamAuth("businessId")),
      codec: gettCodec,
      basePath: "/v1",
      routes: resourceRoutes({ subscriptions: "/subscribers" }),
      openapi: { title: "Gett business API — webhooks", version: "1.0.0" },
    },
  };
}

/** A hookline instance serving the seed 000 API (`fetch` is the subscription API). */
export function createSeedApi(opts: GettApiOptions): Hookline {
  return createHookline(gettOptions(opts));
}
