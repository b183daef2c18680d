export {
  type ObjectIdsOptions,
  objectIds,
  prefixedIds,
  sequentialIds,
  type UuidIdsOptions,
  uuidIds,
  uuidV7,
} from "../model/ids.ts";
export {
  isReservedHeader,
  isSensitiveHeader,
  REDACTED,
  redactHeaders,
  SUBSCRIPTION_LIMITS,
  targetUrlProblem,
  type ValidateSubscriptionOptions,
  validateSubscriptionInput,
  validateSubscriptionShape,
  validateTargetUrl,
} from "../model/validate.ts";
export {
  createSubscriptionService,
  MAX_GRACE_MS,
  MAX_LIVE_SECRETS,
  type SecretScheme,
  type SubscriptionServiceOptions,
} from "./service.ts";
