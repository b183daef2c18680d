import { describe, expect, it } from "vitest";
import { defineCodec } from "./codec-define.ts";
import { openApiDocument } from "./openapi.ts";
import { resourceRoutes } from "./routes.ts";

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      { operationId: string; parameters: { name: string; in: string }[]; responses: Record<string, unknown> }
    >
  >;
  components: { schemas: Record<string, Record<string, unknown>> };
};

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("openApiDocument", () => {
  const configs = {
    default: {},
    enveloped: {
      basePath: "/v2",
      codec: defineCodec({
        name: "e",
        naming: "snake_case",
        envelope: {
          key: "data",
          extra: { code: "OK" },
          listInfo: { at: "info", count: "count", total: "total" },
        },
        fields: { id: true, url: "hook_address", eventTypes: { name: "topic", shape: "single" } },
      }),
      routes: {
        ...resourceRoutes({ subscriptions: "/brands/:brand/hooks" }),
        replace: false as const,
        eventTypes: false as const,
      },
    },
  };

  for (const [name, options] of Object.entries(configs)) {
    it(`${name}: every $ref resolves, every path parameter is declared, operation ids are unique`, () => {
      const doc = openApiDocument(options) as unknown as Doc;
      for (const ref of refs(doc)) {
        expect(doc.components.schemas[ref.replace("#/components/schemas/", "")], ref).toBeDefined();
      }
      const ids: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths)) {
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        for (const op of Object.values(ops)) {
          ids.push(op.operationId);
          expect(op.parameters.filter((p) => p.in === "path").map((p) => p.name)).toEqual(inPath);
        }
      }
      expect(new Set(ids).size).toBe(ids.length);
    });
  }

  it("describes exactly the configured routes and the codec's shapes", () => {
    const doc = openApiDocument(configs.enveloped) as unknown as Doc;
    expect(Object.keys(doc.paths)).toContain("/v2/brands/{brand}/hooks/{id}");
    expect(Object.keys(doc.paths["/v2/brands/{brand}/hooks/{id}"]!).sort()).toEqual([
      "delete",
      "get",
      "patch",
    ]);
    expect(Object.keys(doc.paths).some((p) => p.includes("event-types"))).toBe(false);
    const sub = doc.components.schemas["Subscription"]!;
    expect(Object.keys(sub["properties"] as object)).toEqual(["id", "hook_address", "topic"]);
    const list = doc.paths["/v2/brands/{brand}/hooks"]!["get"]!.responses["200"] as {
      content: { "application/json": { schema: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(list.content["application/json"].schema.properties)).toEqual(["code", "data", "info"]);
    expect(doc.paths["/v2/brands/{brand}/hooks"]!["get"]!.parameters.map((p) => p.name)).toContain("topic");
  });

  it("describes the tenant-wide delivery routes, their filters, recover's since and Location on create", () => {
    const doc = openApiDocument({}) as unknown as Doc;
    const list = doc.paths["/deliveries"]!["get"]!;
    expect(list.operationId).toBe("listAllDeliveries");
    expect(list.parameters.map((p) => p.name)).toEqual([
      "eventType",
      "status",
      "since",
      "subscriptionId",
      "limit",
      "cursor",
    ]);
    const perSub = doc.paths["/subscriptions/{id}/deliveries"]!["get"]!;
    expect(perSub.parameters.map((p) => p.name)).toEqual([
      "id",
      "eventType",
      "status",
      "since",
      "limit",
      "cursor",
    ]);
    const status = perSub.parameters.find((p) => p.name === "status") as unknown as {
      schema: { enum: string[] };
    };
    expect(status.schema.enum).toEqual(["pending", "delivering", "succeeded", "failed"]);
    for (const path of ["/deliveries/recover", "/subscriptions/{id}/recover"]) {
      const op = doc.paths[path]!["post"]! as Doc["paths"][string][string] & {
        requestBody: { required: boolean };
      };
      expect(op.responses).toHaveProperty("202");
      expect(op.parameters.map((p) => p.name)).toContain("since");
      expect(op.requestBody.required).toBe(false);
    }
    const created = doc.paths["/subscriptions"]!["post"]!.responses["201"] as { headers?: object };
    expect(created.headers).toHaveProperty("location");
    const put = JSON.stringify(doc.paths["/subscriptions/{id}"]!["put"]);
    expect(put).toContain("#/components/schemas/SubscriptionReplace");

    const renamed = openApiDocument(configs.enveloped) as unknown as Doc;
    expect(renamed.paths["/v2/deliveries/recover"]!["post"]!.operationId).toBe("recoverAll");
    const noLocation = openApiDocument({ routes: { get: false, getMany: false } }) as unknown as Doc;
    expect(noLocation.paths["/subscriptions"]!["post"]!.responses["201"] as object).not.toHaveProperty(
      "headers",
    );
  });
});
