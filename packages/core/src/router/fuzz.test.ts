import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Store } from "../store/types.ts";
import { testApp } from "./test-support.ts";

const A = { "x-api-key": "key-a" };
const valid = { url: "https://example.com/hook", eventTypes: ["invoice.paid"] };

async function snapshot(store: Store): Promise<string> {
  const tenants = ["tenant-a", "tenant-b"];
  const subs = await Promise.all(
    tenants.map((t) => store.listSubscriptions(t, { limit: 1000, includeDeleted: true })),
  );
  const deliveries = await Promise.all(tenants.map((t) => store.listDeliveries(t, { limit: 1000 })));
  return JSON.stringify([subs, deliveries]);
}

/** Every generated request carries at least one defect that must stop it before any change. */
const defect = fc.constantFrom(
  "no-auth",
  "wrong-key",
  "other-tenant",
  "content-type",
  "malformed-json",
  "unknown-field",
  "bad-value",
  "invalid-id",
  "bad-id-set",
  "bad-query",
  "bad-since",
  "too-large",
  "wrong-method",
  "unknown-path",
  "random-read",
);

/** Paths assembled from the API's own words and junk, to reach every parser with odd input. */
const randomPath = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "subscriptions",
        "deliveries",
        "event-types",
        "attempts",
        "retry",
        "recover",
        "test",
        "openapi.json",
        "",
      ),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
    ),
    { maxLength: 5 },
  )
  .chain((segments) =>
    fc
      .array(
        fc.tuple(
          fc.constantFrom("limit", "cursor", "status", "eventType", "since", "subscriptionId", "x"),
          fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String)),
        ),
        { maxLength: 3 },
      )
      .map((q) => `/${segments.join("/")}?${new URLSearchParams(q).toString()}`),
  );

const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND", "FOO");
const suffix = fc.constantFrom("", "/pause", "/resume", "/rotate-secret", "/test", "/deliveries", "/recover");
const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("%", "%zz", "..", "-", ",", "1-3", "a,,b", "%00"),
);
const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe("createRouter: fuzzed bad requests", () => {
  it("never answers 5xx and never changes the store", async () => {
    const { fetch, call, store } = testApp({ bodyLimitBytes: 2048 });
    const own = (await call("POST", "/subscriptions", { body: valid, headers: A })).json["id"] as string;
    const foreign = (await call("POST", "/subscriptions", { body: valid, headers: { "x-api-key": "key-b" } }))
      .json["id"] as string;
    await call("POST", `/subscriptions/${foreign}/test`, { headers: { "x-api-key": "key-b" } });
    const before = await snapshot(store);

    await fc.assert(
      fc.asyncProperty(
        defect,
        method,
        suffix,
        junk,
        jsonValue,
        fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, { maxKeys: 4 }),
        randomPath,
        async (kind, m, tail, noise, value, extra, anyPath) => {
          let path = `/subscriptions/${own}${tail}`;
          let httpMethod = m;
          let headers: Record<string, string> = { ...A, "content-type": "application/json" };
          let body: BodyInit | undefined = JSON.stringify({ ...valid, ...extra, zzUnknown: value });
          switch (kind) {
            case "no-auth":
              headers = { "content-type": "application/json" };
              body = JSON.stringify(valid);
              path = tail === "" ? "/subscriptions" : path;
              break;
            case "wrong-key":
              headers["x-api-key"] = `k${noise}`.replace(/[^\x21-\x7e]/g, "");
              body = JSON.stringify(valid);
              break;
            case "other-tenant":
              path = `/subscriptions/${foreign}${tail}`;
              body = JSON.stringify({ since: "2020-01-01T00:00:00Z" });
              if (httpMethod === "GET") httpMethod = "DELETE";
              break;
            case "content-type":
              headers["content-type"] = fc.sample(
                fc.constantFrom("text/plain", "application/xml", "multipart/form-data"),
                1,
              )[0]!;
              body = JSON.stringify(valid);
              break;
            case "malformed-json":
              // `{,` is never valid JSON, whatever follows (`{` + `}` would be).
              body = `{,${noise}`;
              break;
            case "unknown-field":
              break;
            case "bad-value":
              body = JSON.stringify({ url: value, eventTypes: value, qos: 7 });
              break;
            case "invalid-id":
              path = `/subscriptions/${encodeURIComponent(`-${noise}`)}${tail}`;
              break;
            case "bad-id-set":
              path = `/subscriptions/${own},,${encodeURIComponent(noise)}`;
              httpMethod = "GET";
              break;
            case "bad-query":
              path = `/subscriptions?limit=${encodeURIComponent(`x${noise}`)}&cursor=${encodeURIComponent(noise)}`;
              httpMethod = "GET";
              break;
            case "bad-since":
              path = noise.length % 2 === 0 ? "/deliveries/recover" : `/subscriptions/${own}/recover`;
              httpMethod = "POST";
              body = JSON.stringify({ since: typeof value === "string" ? `x${value}` : value });
              break;
            case "too-large":
              body = JSON.stringify({ ...valid, description: "x".repeat(3000) });
              break;
            case "wrong-method":
              path = "/subscriptions";
              httpMethod = fc.sample(fc.constantFrom("PUT", "PATCH", "DELETE", "PROPFIND"), 1)[0]!;
              break;
            case "unknown-path":
              path = `/${encodeURIComponent(noise)}/x/y/z`;
              break;
            case "random-read":
              path = anyPath;
              httpMethod = "GET";
              break;
          }
          const bodyDefect = ["content-type", "malformed-json", "unknown-field", "bad-value", "too-large"];
          if (bodyDefect.includes(kind) && ["GET", "HEAD", "DELETE"].includes(httpMethod))
            httpMethod = "POST";
          const withBody = httpMethod !== "GET" && httpMethod !== "HEAD";
          const res = await fetch(
            new Request(`http://api.test${path}`, {
              method: httpMethod,
              headers,
              body: withBody ? body : undefined,
            }),
          );
          await res.arrayBuffer();
          // Reads may succeed (a random path can be a real route); everything else must be refused.
          const mayPass = httpMethod === "OPTIONS" || kind === "random-read";
          if (!mayPass) expect(res.status, `${kind} ${httpMethod} ${path}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${kind} ${httpMethod} ${path}`).toBeLessThan(500);
        },
      ),
      { numRuns: 3000 },
    );
    expect(await snapshot(store)).toBe(before);
  });
});
