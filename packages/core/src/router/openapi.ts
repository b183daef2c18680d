/**
 * The OpenAPI 3.1 document of exactly the configured routes and the codec's shapes.
 */
import { defaultCodec } from "./codec-default.ts";
import type { Codec } from "./codec-types.ts";
import type { ApiOptions } from "./options.ts";
import { openApiPath } from "./path.ts";
import { type ResolvedRoute, resolveRoutes } from "./routes.ts";

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
    SubscriptionPatch: codec.schemas.patch,
    Error: codec.schemas.error,
    Delivery: recordSchema(codec, {
      id: str,
      messageId: str,
      subscriptionId: str,
      eventType: str,
      status: { type: "string", enum: ["pending", "delivering", "succeeded", "failed"] },
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

function operation(route: ResolvedRoute, codec: Codec): Schema {
  const one = (name: string) => content(codec.schemas.one(ref(name)));
  const list = (name: string) => content(codec.schemas.list(ref(name)));
  const ok = (status: number, description: string, body?: Schema) => ({ [status]: { description, ...body } });
  const responses: Record<string, Schema> = (() => {
    switch (route.name) {
      case "create":
        return ok(codec.createStatus, "Created", one("Subscription"));
      case "list":
      case "getMany":
        return ok(200, "Subscriptions", list("Subscription"));
      case "delete":
        return codec.deleteStatus === 200 && codec.deleteResponse === "subscription"
          ? ok(200, "Deleted", one("Subscription"))
          : ok(codec.deleteStatus, "Deleted");
      case "listDeliveries":
        return ok(200, "Deliveries", list("Delivery"));
      case "listAttempts":
        return ok(200, "Attempts", list("Attempt"));
      case "retryDelivery":
        return ok(202, "Scheduled", one("Delivery"));
      case "sendTest":
        return ok(202, "Sent", one("TestResult"));
      case "recover":
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
  ] as const) {
    responses[status] = { description, ...errorContent };
  }
  const parameters: Schema[] = route.pattern.params.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (route.name === "list" || route.name === "listDeliveries") {
    const q = codec.query;
    parameters.push(
      { name: q.eventType, in: "query", schema: { type: "string" } },
      { name: q.status, in: "query", schema: { type: "string" } },
      { name: q.limit, in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
      { name: q.cursor, in: "query", schema: { type: "string" } },
    );
  }
  const op: Schema = { operationId: route.name, summary: route.summary, parameters, responses };
  const requestSchema: Record<string, Schema> = {
    create: ref("SubscriptionCreate"),
    replace: ref("SubscriptionCreate"),
    update: ref("SubscriptionPatch"),
    rotateSecret: recordSchema(codec, {
      secret: { type: "string" },
      graceMs: { type: "integer", minimum: 0 },
    }),
    sendTest: recordSchema(codec, { eventType: { type: "string" }, data: {} }),
    recover: { ...recordSchema(codec, { since: {} }), required: [codec.key("since")] },
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
  for (const route of resolveRoutes(options.basePath ?? "", options.routes)) {
    const path = openApiPath(route.pattern.template, true);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, codec);
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
