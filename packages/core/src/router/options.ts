import type { DeliveryService, EventCatalog, Logger, SubscriptionService } from "../contracts.ts";
import type { AuthHook } from "./auth.ts";
import type { Codec } from "./codec-types.ts";
import type { RoutesOptions } from "./routes.ts";

/** Default bound of `since` on the recover routes: 30 days back. */
export const DEFAULT_RECOVER_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/** Where and how the OpenAPI document is served. */
export interface OpenApiOptions {
  /** Route path under `basePath`. Default `/openapi.json`. */
  path?: string;
  /** Default `Webhooks API`. */
  title?: string;
  /** Default `1.0.0`. */
  version?: string;
  description?: string;
}

/** The subscription API's shape: auth, wire format, paths, limits. `createHookline({ api })` takes this. */
export interface ApiOptions {
  /** Resolves each request to a tenant; `null` answers 401 in the codec's error shape. */
  auth: AuthHook;
  /** Wire format. Default {@link defaultCodec}. */
  codec?: Codec;
  /** Prefix of every route, e.g. `/v1`. Default none. */
  basePath?: string;
  /** Per-route path overrides and switches. */
  routes?: RoutesOptions;
  /** Largest accepted request body, counted while streaming. Default 256 KiB. */
  bodyLimitBytes?: number;
  /**
   * How far back `since` of a recover request may reach: an older `since` (or one in the future) is a 400
   * naming the field, so a typo cannot re-send months of traffic. Default {@link DEFAULT_RECOVER_MAX_AGE_MS}
   * (30 days).
   */
  recoverMaxAgeMs?: number;
  /** Serve the OpenAPI 3.1 document (default on at `/openapi.json`), or `false`. */
  openapi?: OpenApiOptions | false;
  /** Unexpected errors (answered with a bare 500) are logged here. Default: `console`. */
  logger?: Pick<Logger, "error">;
}

/** Everything `createRouter()` needs: the API shape and the services it calls. */
export interface RouterOptions extends ApiOptions {
  subscriptions: SubscriptionService;
  deliveries: DeliveryService;
  catalog: EventCatalog;
}
