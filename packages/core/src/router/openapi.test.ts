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
});
