import { describe, expect, it } from "vitest";
import type { Delivery } from "../model/types.ts";
import type { Store } from "../store/types.ts";
import { defineCodec } from "./codec-define.ts";
import { testApp } from "./test-support.ts";

const A = { "x-api-key": "key-a" };
const B = { "x-api-key": "key-b" };
const input = { url: "https://example.com/hook", eventTypes: ["invoice.*"] };
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms);

function delivery(tenant: string, id: string, subscriptionId: string, over: Partial<Delivery>): Delivery {
  return {
    id,
    tenant,
    messageId: `msg-${id}`,
    subscriptionId,
    eventType: "invoice.paid",
    status: "failed",
    attempts: 1,
    nextAttemptAt: null,
    leaseUntil: null,
    lastStatus: 500,
    lastError: "http_500",
    createdAt: ago(HOUR),
    updatedAt: ago(HOUR),
    completedAt: ago(HOUR),
    ...over,
  };
}

async function statuses(store: Store, tenant: string): Promise<Record<string, string>> {
  const page = await store.listDeliveries(tenant, { limit: 100 });
  return Object.fromEntries(page.items.map((d) => [d.id, d.status]));
}

/** Two subscriptions of tenant A and one of B, with deliveries of every kind the filters tell apart. */
async function seeded(api: Parameters<typeof testApp>[0] = {}) {
  const app = testApp(api);
  const sub = async (headers: Record<string, string>) =>
    (await app.call("POST", "/subscriptions", { body: input, headers })).json["id"] as string;
  const [s1, s2, sb] = [await sub(A), await sub(A), await sub(B)];
  await app.store.insertDeliveries([
    delivery("tenant-a", "d-old", s1, { createdAt: ago(2 * DAY) }),
    delivery("tenant-a", "d-ok", s1, { status: "succeeded", eventType: "invoice.voided" }),
    delivery("tenant-a", "d-s2", s2, {}),
    delivery("tenant-b", "d-b", sb, {}),
  ]);
  const ids = (res: { json: Record<string, unknown> }) =>
    (res.json["data"] as { id: string }[]).map((d) => d.id).sort();
  return { ...app, s1, s2, sb, ids };
}

describe("createRouter: delivery lists with filters", () => {
  it("filters a subscription's deliveries by status, event type and since, and pages them", async () => {
    const { call, s1, ids } = await seeded();
    const path = `/subscriptions/${s1}/deliveries`;
    expect(ids(await call("GET", path, { headers: A }))).toEqual(["d-ok", "d-old"]);
    expect(ids(await call("GET", `${path}?status=failed`, { headers: A }))).toEqual(["d-old"]);
    expect(ids(await call("GET", `${path}?eventType=invoice.voided`, { headers: A }))).toEqual(["d-ok"]);
    const since = encodeURIComponent(ago(DAY).toISOString());
    expect(ids(await call("GET", `${path}?since=${since}`, { headers: A }))).toEqual(["d-ok"]);
    const first = await call("GET", `${path}?limit=1`, { headers: A });
    expect(first.json["data"]).toHaveLength(1);
    const cursor = first.json["nextCursor"] as string;
    const second = await call("GET", `${path}?limit=1&cursor=${encodeURIComponent(cursor)}`, { headers: A });
    expect([...ids(first), ...ids(second)].sort()).toEqual(["d-ok", "d-old"]);
  });

  it("lists the whole tenant's deliveries at GET /deliveries, never another tenant's", async () => {
    const { call, s2, sb, ids } = await seeded();
    expect(ids(await call("GET", "/deliveries", { headers: A }))).toEqual(["d-ok", "d-old", "d-s2"]);
    expect(ids(await call("GET", "/deliveries", { headers: B }))).toEqual(["d-b"]);
    expect(ids(await call("GET", `/deliveries?subscriptionId=${s2}`, { headers: A }))).toEqual(["d-s2"]);
    expect(ids(await call("GET", `/deliveries?subscriptionId=${sb}`, { headers: A }))).toEqual([]);
    const since = encodeURIComponent(ago(DAY).toISOString());
    expect(ids(await call("GET", `/deliveries?status=failed&since=${since}`, { headers: A }))).toEqual([
      "d-s2",
    ]);
  });

  it("refuses bad filters with a 400 naming the parameter", async () => {
    const { call, s1 } = await seeded();
    const cases: [string, string][] = [
      ["status=gone", "status"],
      ["since=yesterday", "since"],
      ["since=1700000000", "since"],
      ["limit=0", "limit"],
      ["cursor=%25", "cursor"],
      ["subscriptionId=-x", "subscriptionId"],
    ];
    for (const [q, field] of cases) {
      const res = await call("GET", `/deliveries?${q}`, { headers: A });
      expect(res.status, q).toBe(400);
      expect(res.json["errors"], q).toEqual([expect.objectContaining({ field })]);
    }
    const bad = await call("GET", `/subscriptions/${s1}/deliveries?status=gone`, { headers: A });
    expect(bad.status).toBe(400);
  });

  it("takes epoch times as numbers in the query when the codec writes epoch seconds", async () => {
    const codec = defineCodec({
      name: "epoch",
      time: "epoch-seconds",
      envelope: { key: "data", wrapSingle: false },
    });
    const { call, ids } = await seeded({ codec });
    const since = (Date.now() - DAY) / 1000;
    expect(ids(await call("GET", `/deliveries?since=${since}`, { headers: A }))).toEqual(["d-ok", "d-s2"]);
    expect((await call("GET", "/deliveries?since=2026-01-01", { headers: A })).status).toBe(400);
  });
});

describe("createRouter: recover failed deliveries", () => {
  it("recovers the tenant's failed deliveries since a time (body or query), no other tenant's", async () => {
    const { call, store } = await seeded();
    const res = await call("POST", "/deliveries/recover", {
      body: { since: ago(DAY).toISOString() },
      headers: A,
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ count: 1 });
    expect(await statuses(store, "tenant-a")).toEqual({
      "d-old": "failed",
      "d-ok": "succeeded",
      "d-s2": "pending",
    });
    expect(await statuses(store, "tenant-b")).toEqual({ "d-b": "failed" });

    const since = encodeURIComponent(ago(3 * DAY).toISOString());
    const viaQuery = await call("POST", `/deliveries/recover?since=${since}`, { headers: A });
    expect(viaQuery.status).toBe(202);
    expect(viaQuery.json).toEqual({ count: 1 });
    expect((await statuses(store, "tenant-a"))["d-old"]).toBe("pending");
  });

  it("recovers one subscription's failed deliveries only, with since in the query", async () => {
    const { call, store, s1 } = await seeded();
    const since = encodeURIComponent(ago(3 * DAY).toISOString());
    const res = await call("POST", `/subscriptions/${s1}/recover?since=${since}`, { headers: A });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ count: 1 });
    expect(await statuses(store, "tenant-a")).toMatchObject({ "d-old": "pending", "d-s2": "failed" });
  });

  it("refuses a missing, malformed, future, too old or doubled since with a 400 naming it", async () => {
    const { call, store, s1 } = await seeded();
    const before = JSON.stringify([await statuses(store, "tenant-a"), await statuses(store, "tenant-b")]);
    const iso = (d: Date) => d.toISOString();
    const cases: { body?: unknown; query?: string; detail: RegExp }[] = [
      { detail: /since is required/ },
      { body: {}, detail: /since is required/ },
      { body: { since: "last week" }, detail: /since must be a time/ },
      { body: { since: 1_700_000_000 }, detail: /since must be a time/ },
      { body: { since: iso(new Date(Date.now() + HOUR)) }, detail: /must not be in the future/ },
      { body: { since: iso(ago(31 * DAY)) }, detail: /must be at most 30 days ago/ },
      { query: "since=2020-13-01T00:00:00Z", detail: /since must be a time/ },
      { body: { since: iso(ago(HOUR)) }, query: "since=x", detail: /body or the query, not both/ },
    ];
    for (const path of ["/deliveries/recover", `/subscriptions/${s1}/recover`]) {
      for (const c of cases) {
        const res = await call("POST", `${path}${c.query ? `?${c.query}` : ""}`, {
          ...(c.body === undefined ? {} : { body: c.body }),
          headers: A,
        });
        expect(res.status, `${path} ${JSON.stringify(c)}`).toBe(400);
        expect(res.json["detail"]).toMatch(c.detail);
        expect(res.json["errors"]).toEqual([expect.objectContaining({ field: "since" })]);
      }
    }
    const unknown = await call("POST", "/deliveries/recover", {
      body: { since: iso(ago(HOUR)), subscription: s1 },
      headers: A,
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify([await statuses(store, "tenant-a"), await statuses(store, "tenant-b")])).toBe(
      before,
    );
  });

  it("bounds since by recoverMaxAgeMs", async () => {
    const { call } = await seeded({ recoverMaxAgeMs: DAY });
    const res = await call("POST", "/deliveries/recover", {
      body: { since: ago(2 * DAY).toISOString() },
      headers: A,
    });
    expect(res.status).toBe(400);
    expect(res.json["detail"]).toBe("since must be at most 1 day ago");
    expect(() => testApp({ recoverMaxAgeMs: 0 })).toThrow(/recoverMaxAgeMs/);
  });

  it("answers 401 without credentials and 405 for GET", async () => {
    const { call } = await seeded();
    const body = { since: ago(HOUR).toISOString() };
    expect((await call("POST", "/deliveries/recover", { body })).status).toBe(401);
    const get = await call("GET", "/deliveries/recover", { headers: A });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });
});
