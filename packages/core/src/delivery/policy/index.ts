export {
  type EndpointGuardOptions,
  type MemoryEndpointGuardOptions,
  memoryEndpointGuard,
} from "./endpoint-guard.ts";
export {
  createRetryPolicy,
  DEFAULT_RETRY_SCHEDULE,
  decideRetry,
  failureReason,
  type RetryPolicyOptions,
  TRANSIENT_CLIENT_ERRORS,
} from "./retry.ts";
export { parseRetryAfter } from "./retry-after.ts";
