/**
 * The OpenAPI 3.1 document of exactly the configured routes and the codec's shapes. `HEAD` is not listed:
 * every `GET` answers it (RFC 9110), and listing it would double every read operation.
 */
import { defaultCodec } from "./codec-default.ts";
import type { Codec } from "./codec-types.ts";
import { DELIVERY_STATUSES } from "./handlers.ts";
import type { ApiOptions } from "./options.ts";
import { openApiPath } from "./path.ts";
import { itemRoute, type ResolvedRoute, resolveRoutes } from "./routes.ts";

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

function recordSchema(codec: Codec, props: Record<string, Schema>): Schema {
  return {
    type: "object",
    properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [codec.key(k), v])),
  };
}

function componentSchemas(codec: Codec): Record<string, Schema> {
  const time = { type: ["string", "number", "null"], description: "Timestamp in the API's time format." };
  const str = { type: "string" };
  const nstr = { type: ["string", "null"] };
  const int = { type: "integer" };
  const nint = { type: ["integer", "null"] };
  return {
    Subscription: codec.schemas.subscription,
    SubscriptionCreate: codec.schemas.create,
    SubscriptionReplace: codec.schemas.replace,
    SubscriptionPatch: codec.schemas.patch,
    Error: codec.schemas.error,
    Delivery: recordSchema(codec, {
      id: str,
      messageId: str,
      subscriptionId: str,
      eventType: str,
      status: { type: "string", enum: DELIVERY_STATUSES },
      attempts: int,
      nextAttemptAt: time,
      lastStatus: nint,
      lastError: nstr,
      createdAt: time,
      updatedAt: time,
      completedAt: time,
    }),
    Attempt: recordSchema(codec, {
      id: str,
      deliveryId: str,
      number: int,
      url: str,
      method: str,
      requestHeaders: { type: "object", additionalProperties: str },
      status: nint,
      responseBody: nstr,
      durationMs: { type: "number" },
      errorKind: nstr,
      error: nstr,
      startedAt: time,
    }),
    EventType: recordSchema(codec, { name: str, description: nstr, example: {}, jsonSchema: {} }),
    TestResult: recordSchema(codec, {
      messageId: str,
      eventType: str,
      deliveryIds: { type: "array", items: str },
    }),
    RecoverResult: recordSchema(codec, { count: int }),
  };
}

function content(schema: Schema, type = "application/json"): Schema {
  return { content: { [type]: { schema } } };
}

const TIME_PARAM = { type: ["string", "number"], description: "A time in the API's time format." };

/** Query parameters: the filters and paging of the list routes, `since` of the recover routes. */
function queryParameters(route: ResolvedRoute, codec: Codec): Schema[] {
  const q = codec.query;
  const page = [
    { name: q.limit, in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
    { name: q.cursor, in: "query", schema: { type: "string" } },
  ];
  const status = (values: readonly string[]) => ({
    name: q.status,
    in: "query",
    schema: { type: "string", enum: values },
  });
  const eventType = { name: q.eventType, in: "query", schema: { type: "string" } };
  const since = { name: q.since, in: "query", schema: TIME_PARAM };
  switch (route.name) {
    case "list":
      return [eventType, status(["active", "paused", "disabled"]), ...page];
    case "listDeliveries":
    case "listAllDeliveries":
      return [
        eventType,
        status(DELIVERY_STATUSES),
        since,
        ...(route.name === "listAllDeliveries"
          ? [{ name: q.subscriptionId, in: "query", schema: { type: "string" } }]
          : []),
        ...page,
      ];
    case "recover":
    case "recoverAll":
      return [{ ...since, description: "Instead of `since` in the body." }];
    default:
      return [];
  }
}

/** `locates`: a 201 create answers with a `Location` header. */
function operation(route: ResolvedRoute, codec: Codec, locates: boolean): Schema {
  const one = (name: string) => content(codec.schemas.one(ref(name)));
  const list = (name: string) => content(codec.schemas.list(ref(name)));
  const ok = (status: number, description: string, body?: Schema): Record<string, Schema> => ({
    [status]: { description, ...body },
  });
  const responses: Record<string, Schema> = (() => {
    switch (route.name) {
      case "create": {
        const created = ok(codec.createStatus, "Created", one("Subscription"));
        if (locates) {
          created[codec.createStatus]!["headers"] = {
            location: { description: "Path of the new subscription", schema: { type: "string" } },
          };
        }
        return created;
      }
      case "list":
      case "getMany":
        return ok(200, "Subscriptions", list("Subscription"));
      case "delete":
        return codec.deleteStatus === 200 && codec.deleteResponse === "subscription"
          ? ok(200, "Deleted", one("Subscription"))
          : ok(codec.deleteStatus, "Deleted");
      case "listDeliveries":
      case "listAllDeliveries":
        return ok(200, "Deliveries", list("Delivery"));
      case "listAttempts":
        return ok(200, "Attempts", list("Attempt"));
      case "retryDelivery":
        return ok(202, "Scheduled", one("Delivery"));
      case "sendTest":
        return ok(202, "Sent", one("TestResult"));
      case "recover":
      case "recoverAll":
        return ok(202, "Scheduled", one("RecoverResult"));
      case "eventTypes":
        return ok(200, "Event types", list("EventType"));
      default:
        return ok(200, "The subscription", one("Subscription"));
    }
  })();
  const errorContent = content(ref("Error"), codec.errorContentType);
  for (const [status, description] of [
    ["400", "Bad request"],
    ["401", "Unauthorized"],
    ["404", "Not found"],
    ...(route.body !== "none"
      ? [
          ["413", "Body too large"],
          ["415", "Unsupported media type"],
          ["422", "Invalid field values"],
        ]
      : []),
    ...(route.name === "create" && codec.clientIds ? [["409", "A subscription with this id exists"]] : []),
  ] as const) {
    responses[status] = { description, ...errorContent };
  }
  const parameters: Schema[] = route.pattern.params.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  parameters.push(...queryParameters(route, codec));
  const op: Schema = { operationId: route.name, summary: route.summary, parameters, responses };
  const requestSchema: Record<string, Schema> = {
    create: ref("SubscriptionCreate"),
    replace: ref("SubscriptionReplace"),
    update: ref("SubscriptionPatch"),
    rotateSecret: recordSchema(codec, {
      secret: { type: "string" },
      graceMs: { type: "integer", minimum: 0 },
    }),
    sendTest: recordSchema(codec, { eventType: { type: "string" }, data: {} }),
    recover: recordSchema(codec, { since: TIME_PARAM }),
    recoverAll: recordSchema(codec, { since: TIME_PARAM }),
  };
  const bodySchema = requestSchema[route.name];
  if (bodySchema) op["requestBody"] = { required: route.body === "required", ...content(bodySchema) };
  return op;
}

/** The OpenAPI 3.1 document of an API configuration (served at `openapi.path`, or write it to a file). */
export function openApiDocument(
  options: Omit<ApiOptions, "auth"> & Partial<Pick<ApiOptions, "auth">>,
): Schema {
  const codec = options.codec ?? defaultCodec;
  const info = options.openapi === false ? {} : (options.openapi ?? {});
  const paths: Record<string, Record<string, Schema>> = {};
  const routes = resolveRoutes(options.basePath ?? "", options.routes);
  const locates = codec.createStatus === 201 && itemRoute(routes) !== null;
  for (const route of routes) {
    const path = openApiPath(route.pattern.template, true);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, codec, locates);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: info.title ?? "Webhooks API",
      version: info.version ?? "1.0.0",
      ...(info.description ? { description: info.description } : {}),
    },
    paths,
    components: { schemas: componentSchemas(codec) },
  };
}
