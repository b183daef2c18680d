/**
 * Seed 001 — brand webhooks: `/brands/:id/webhooks` and `/brands/:id/webhooks/:wid`, one `topic` each, the
 * `{code, data, info: {count, total}}` envelope, epoch-seconds timestamps, soft delete with `deleted_at`,
 * a 64-hex `key` signing HMAC-SHA256, `type: "brand_webhook"`, 200 on create and 204 on delete.
 */
import {
  type CredentialResolver,
  createHookline,
  type DeliveryOptions,
  defineCodec,
  type Hookline,
  type HooklineOptions,
  hmacHeader,
  pathParamAuth,
  resourceRoutes,
  type Store,
} from "@hookline/core";

/** The topics a brand can subscribe to. */
export const brandTopics = {
  Deals: { description: "A deal was created or changed" },
  Showings: { description: "A showing was booked or changed" },
  Contacts: { description: "A contact was created or changed" },
};

/** The wire format of brand webhooks. */
export const brandCodec = defineCodec({
  name: "brand-webhooks",
  naming: "snake_case",
  time: "epoch-seconds",
  fields: {
    id: true,
    createdAt: true,
    updatedAt: true,
    deletedAt: true,
    tenant: "brand",
    eventTypes: { name: "topic", shape: "single" },
    url: true,
    secret: { name: "key", readOnly: true },
    tags: true,
  },
  constants: { type: "brand_webhook" },
  envelope: { key: "data", extra: { code: "OK" }, listInfo: { at: "info", count: "count", total: "total" } },
  status: { create: 200, delete: 204 },
  error: {
    render: (p) => ({
      code: p.code.toUpperCase(),
      message: p.detail,
      ...(p.errors.length ? { errors: p.errors } : {}),
    }),
    schema: {
      type: "object",
      properties: { code: { type: "string" }, message: { type: "string" }, errors: { type: "array" } },
      required: ["code", "message"],
    },
  },
});

/** The signature header: HMAC-SHA256 of the raw body with the webhook's `key`, hex. */
export const brandSigning = hmacHeader({ header: "x-signature", name: "brand-hmac" });

/** Options of {@link brandOptions}. */
export interface BrandApiOptions {
  /** Checks that the caller may act for the brand in the path (its id, or `null` for 401). */
  resolveBrand: CredentialResolver;
  store?: Store;
  /** Delivery settings (timeouts, retry schedule, SSRF allow-list for local development, …). */
  delivery?: DeliveryOptions;
}

/** hookline options serving the brand webhooks API (soft delete, HMAC key per webhook). */
export function brandOptions(opts: BrandApiOptions): HooklineOptions {
  return {
    store: opts.store,
    delivery: opts.delivery,
    catalog: { types: brandTopics },
    signing: { scheme: brandSigning.name, schemes: { [brandSigning.name]: brandSigning } },
    subscriptions: { softDelete: true },
    api: {
      auth: pathParamAuth("id", { resolve: opts.resolveBrand }),
      codec: brandCodec,
      routes: resourceRoutes({
        subscriptions: "/brands/:id/webhooks",
        subscriptionParam: "wid",
        deliveries: "/brands/:id/webhook-deliveries",
        deliveryParam: "did",
        eventTypes: "/brands/:id/webhook-topics",
      }),
      openapi: { path: "/brands/:id/webhooks-openapi.json", title: "Brand webhooks", version: "1.0.0" },
    },
  };
}

/** A hookline instance serving the seed 001 API. */
export function createSeedApi(opts: BrandApiOptions): Hookline {
  return createHookline(brandOptions(opts));
}
