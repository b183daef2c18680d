/**
 * The subscription API: a fetch router (`Request → Response`) with pluggable auth, configurable routes and
 * declarative wire codecs.
 */
export {
  type ApiKeyAuthOptions,
  type AuthHook,
  allAuth,
  anyAuth,
  apiKeyAuth,
  type BearerAuthOptions,
  bearerAuth,
  type CredentialResolver,
  type MaybePromise,
  type ParamAuthOptions,
  pathParamAuth,
  queryParamAuth,
} from "./auth.ts";
export { DEFAULT_BODY_LIMIT } from "./body.ts";
export { defaultCodec } from "./codec-default.ts";
export {
  type CodecDefinition,
  defineCodec,
  type EnvelopeOptions,
  type FieldOptions,
  type FieldShape,
} from "./codec-define.ts";
export { type CanonicalField, DEFAULT_FIELDS } from "./codec-fields.ts";
export type { TimeFormat } from "./codec-time.ts";
export type { Codec, CodecQueryNames, CodecSchemas, ListInfo, WireBody } from "./codec-types.ts";
export { MAX_ID_SET } from "./idset.ts";
export { openApiDocument } from "./openapi.ts";
export {
  type ApiOptions,
  DEFAULT_RECOVER_MAX_AGE_MS,
  type OpenApiOptions,
  type RouterOptions,
} from "./options.ts";
export { type ProblemDetails, type ProblemOptions, problem, problemBody, problemDetails } from "./problem.ts";
export { createRouter } from "./router.ts";
export {
  DEFAULT_ROUTES,
  type ResourceRoutesOptions,
  type RouteDefinition,
  type RouteName,
  type RouteOverride,
  type RoutesOptions,
  resourceRoutes,
} from "./routes.ts";
