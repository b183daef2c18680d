/**
 * Seed 002 — Brightpearl's integration-service webhooks: sequential integer ids fetched by id set
 * (`/webhook/2,4`), `subscribeTo` at resource or lifecycle level, `httpMethod` GET or POST, `uriTemplate`
 * and `bodyTemplate` with `${…}` placeholders, `contentType`, `idSetAccepted`, `qualityOfService`, and the
 * `{response: [...]}` envelope. Paths live under `/public-api/{ACCOUNT}/integration-service`.
 */
import {
  allAuth,
  apiKeyAuth,
  type CredentialResolver,
  createHookline,
  type DeliveryOptions,
  defineCodec,
  type Hookline,
  type HooklineOptions,
  pathParamAuth,
  resourceRoutes,
  type Store,
  sequentialIds,
} from "@hookline/core";

const lifecycle = (resource: string) =>
  Object.fromEntries(
    ["created", "modified", "deleted"].map((event) => [
      `${resource}.${event}`,
      { description: `${resource} ${event}` },
    ]),
  );

/** Resource types and their lifecycle events (`product` subscribes to every `product.*`). */
export const brightpearlEvents = {
  ...lifecycle("product"),
  ...lifecycle("goods-out-note"),
  ...lifecycle("order"),
};

/** The wire format of `/integration-service/webhook`. */
export const brightpearlCodec = defineCodec({
  name: "brightpearl",
  ids: { type: "integer" },
  fields: {
    id: true,
    eventTypes: { name: "subscribeTo", shape: "single" },
    method: "httpMethod",
    url: "uriTemplate",
    bodyTemplate: { omitNull: true },
    contentType: { omitWhen: (s) => s.method === "GET" },
    idSetAccepted: true,
    qos: "qualityOfService",
  },
  envelope: { key: "response" },
  status: { create: 200, delete: 200 },
});

/** Options of {@link brightpearlOptions}. */
export interface BrightpearlApiOptions {
  /** Maps a `brightpearl-account-token` header to the account code it belongs to. */
  resolveToken: CredentialResolver;
  store?: Store;
  /** Delivery settings (timeouts, retry schedule, SSRF allow-list for local development, …). */
  delivery?: DeliveryOptions;
}

const BASE = "/:account/integration-service";

/** hookline options serving the seed 002 API: the token must belong to the account in the path. */
export function brightpearlOptions(opts: BrightpearlApiOptions): HooklineOptions {
  return {
    store: opts.store,
    delivery: opts.delivery,
    catalog: { types: brightpearlEvents },
    ids: sequentialIds(),
    signing: { scheme: "none" },
    api: {
      auth: allAuth(
        pathParamAuth("account"),
        apiKeyAuth({ header: "brightpearl-account-token", resolve: opts.resolveToken }),
      ),
      codec: brightpearlCodec,
      basePath: "/public-api",
      routes: {
        ...resourceRoutes({
          subscriptions: `${BASE}/webhook`,
          deliveries: `${BASE}/webhook-delivery`,
          eventTypes: `${BASE}/webhook-event`,
        }),
        get: false,
        getMany: `${BASE}/webhook/:ids?`,
      },
      openapi: { path: `${BASE}/webhook-openapi.json`, title: "Brightpearl webhooks", version: "1.0.0" },
    },
  };
}

/** A hookline instance serving the seed 002 API. */
export function createSeedApi(opts: BrightpearlApiOptions): Hookline {
  return createHookline(brightpearlOptions(opts));
}
