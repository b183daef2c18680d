export { createHttpClient, DEFAULT_USER_AGENT, type HttpClientOptions } from "./http-client.ts";
export {
  createSsrfGuard,
  type HostResolver,
  type SsrfGuard,
  type SsrfGuardOptions,
  type SsrfVerdict,
  validateDeliveryUrl,
} from "./ssrf.ts";
