import { describe, expect, it } from "vitest";
import { HooklineError } from "../errors.ts";
import { allAuth, anyAuth, apiKeyAuth, bearerAuth, pathParamAuth, queryParamAuth } from "./auth.ts";
import { looksLikeIdSet, MAX_ID_SET, parseIdSet } from "./idset.ts";
import { compilePath, joinPath, openApiPath } from "./path.ts";
import { resourceRoutes } from "./routes.ts";

describe("path templates", () => {
  it("matches literal segments and decodes parameters", () => {
    const p = compilePath("/brands/:id/webhooks/:wid");
    expect(p.params).toEqual(["id", "wid"]);
    expect(p.match("/brands/b1/webhooks/w%2F1")).toEqual({ id: "b1", wid: "w/1" });
    expect(p.match("/brands/b1/webhooks/w1/")).toEqual({ id: "b1", wid: "w1" });
    expect(p.match("/brands/b1/webhooks")).toBeNull();
    expect(p.match("/brands/b1/hooks/w1")).toBeNull();
    expect(p.match("/brands/%E0%A4%A/webhooks/w1")).toBeNull();
    expect(p.match("/brands//webhooks/w1")).toBeNull();
  });

  it("supports an optional last parameter only", () => {
    const p = compilePath("/:account/webhook/:ids?");
    expect(p.match("/acme/webhook")).toEqual({ account: "acme" });
    expect(p.match("/acme/webhook/2,4")).toEqual({ account: "acme", ids: "2,4" });
    expect(() => compilePath("/:a?/b")).toThrow(/optional/);
    expect(openApiPath("/:account/webhook/:ids?", true)).toBe("/{account}/webhook/{ids}");
    expect(openApiPath("/:account/webhook/:ids?", false)).toBe("/{account}/webhook");
    expect(joinPath("/v1/", "/subscriptions/")).toBe("/v1/subscriptions");
    expect(joinPath("", "/")).toBe("/");
  });

  it("resourceRoutes renames collections and the id parameter", () => {
    const r = resourceRoutes({
      subscriptions: "/brands/:id/webhooks",
      subscriptionParam: "wid",
      deliveryParam: "did",
    });
    expect(r.get).toBe("/brands/:id/webhooks/:wid");
    expect(r.getMany).toBe("/brands/:id/webhooks/:wid");
    expect(r.rotateSecret).toBe("/brands/:id/webhooks/:wid/rotate-secret");
    expect(r.list).toBe("/brands/:id/webhooks");
    expect(r.listAttempts).toBe("/deliveries/:did/attempts");
    expect(r.eventTypes).toBe("/event-types");
  });
});

describe("id sets", () => {
  const integer = { integer: true, isValidId: (id: string) => /^[1-9]\d*$/.test(id) };
  it("parses lists and ranges, de-duplicated, in order", () => {
    expect(parseIdSet("2,4", integer)).toEqual(["2", "4"]);
    expect(parseIdSet("1-3,7,2", integer)).toEqual(["1", "2", "3", "7"]);
    expect(looksLikeIdSet("1-3", true)).toBe(true);
    expect(looksLikeIdSet("1-3", false)).toBe(false);
    expect(looksLikeIdSet("a,b", false)).toBe(true);
  });
  it("refuses empty members, bad ids, reversed or huge ranges, too many ids", () => {
    for (const bad of ["", ",", "1,,2", "x", "3-1", "0-2", `1-${MAX_ID_SET + 1}`, "1-99999999999999999999"]) {
      const err = (() => {
        try {
          parseIdSet(bad, integer);
        } catch (e) {
          return e;
        }
      })();
      expect(HooklineError.is(err, "bad_request"), bad).toBe(true);
    }
    const many = Array.from({ length: MAX_ID_SET + 1 }, (_, i) => String(i + 1)).join(",");
    expect(() => parseIdSet(many, integer)).toThrow(/more than/);
  });
});

describe("auth helpers", () => {
  const req = (url: string, headers: Record<string, string> = {}) =>
    new Request(`http://x${url}`, { headers });
  it("api key, bearer, path and query parameters", async () => {
    const key = apiKeyAuth({ header: "x-api-token", resolve: (k) => (k === "good" ? "t1" : null) });
    expect(await key(req("/", { "x-api-token": "good" }), {})).toBe("t1");
    expect(await key(req("/", { "x-api-token": "bad" }), {})).toBeNull();
    expect(await key(req("/"), {})).toBeNull();
    const bearer = bearerAuth({ resolve: (t) => `tenant-of-${t}` });
    expect(await bearer(req("/", { authorization: "Bearer abc" }), {})).toBe("tenant-of-abc");
    expect(await bearer(req("/", { authorization: "Basic abc" }), {})).toBeNull();
    expect(await bearer(req("/", { authorization: "Bearer " }), {})).toBeNull();
    expect(await pathParamAuth("id")(req("/"), { id: "b1" })).toBe("b1");
    expect(await pathParamAuth("id", { resolve: () => null })(req("/"), { id: "b1" })).toBeNull();
    expect(await queryParamAuth("businessId")(req("/?businessId=c1"), {})).toBe("c1");
    expect(await queryParamAuth("businessId")(req("/?businessId="), {})).toBeNull();
  });
  it("allAuth needs every hook to agree; anyAuth takes the first", async () => {
    const both = allAuth(
      bearerAuth({ resolve: (t) => (t === "tok" ? "c1" : null) }),
      queryParamAuth("businessId"),
    );
    expect(await both(req("/?businessId=c1", { authorization: "Bearer tok" }), {})).toBe("c1");
    expect(await both(req("/?businessId=c2", { authorization: "Bearer tok" }), {})).toBeNull();
    expect(await both(req("/?businessId=c1"), {})).toBeNull();
    const either = anyAuth(apiKeyAuth({ resolve: () => null }), queryParamAuth("t"));
    expect(await either(req("/?t=z", { "x-api-key": "k" }), {})).toBe("z");
  });
});
