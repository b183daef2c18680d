/**
 * `router.crud`: requests/s through the subscription API's `fetch()` — one create, one get and one list per
 * cycle — over the memory store, beside `router.bare-echo`, a bare fetch handler that only parses the same
 * JSON and echoes it (the floor any fetch-based route pays). In-process: no sockets, no framework.
 * Each tenant holds at most 100 subscriptions, so the cost does not drift as the store fills.
 */
import { apiKeyAuth, createHookline } from "@hookline/core";
import { type BenchResult, compared, defineSuite, opsPerSecondEach } from "../harness.ts";

const BASE = "http://bench.test";
const BODY = JSON.stringify({
  url: "https://example.com/hook",
  eventTypes: ["invoice.paid"],
  description: "bench",
});
const PER_TENANT = 100;

function requests(tenant: string, id: string | null) {
  const headers = { "x-api-key": tenant, "content-type": "application/json" };
  return {
    create: () => new Request(`${BASE}/subscriptions`, { method: "POST", headers, body: BODY }),
    get: () => new Request(`${BASE}/subscriptions/${id ?? "x"}`, { headers }),
    list: () => new Request(`${BASE}/subscriptions?limit=10`, { headers }),
  };
}

async function bareEcho(request: Request): Promise<Response> {
  const body = request.method === "GET" ? { url: request.url } : await request.json();
  return Response.json(body);
}

export default defineSuite({
  name: "router",
  async run(ctx): Promise<BenchResult[]> {
    const hookline = createHookline({
      catalog: { types: { "invoice.paid": {} } },
      api: { auth: apiKeyAuth({ resolve: (key) => key }) },
    });
    let cycle = 0;
    const crud = async () => {
      const tenant = `t${Math.floor(cycle++ / PER_TENANT)}`;
      const created = await hookline.fetch(requests(tenant, null).create());
      const { id } = (await created.json()) as { id: string };
      const r = requests(tenant, id);
      const got = await hookline.fetch(r.get());
      await got.arrayBuffer();
      const listed = await hookline.fetch(r.list());
      await listed.arrayBuffer();
      if (created.status !== 201 || got.status !== 200 || listed.status !== 200)
        throw new Error("router bench: bad status");
    };
    const bare = async () => {
      const r = requests("t", "x");
      for (const req of [r.create(), r.get(), r.list()]) await (await bareEcho(req)).arrayBuffer();
    };
    ctx.log("router: create+get+list through fetch() vs bare echo");
    const rates = await opsPerSecondEach({ crud, bare }, { quick: ctx.quick });
    await hookline.close();
    const baseline = { name: "router.bare-echo", value: rates.bare * 3 };
    return [
      { name: "router.bare-echo", unit: "req/s", value: rates.bare * 3 },
      compared("router.crud", "req/s", rates.crud * 3, baseline, {
        note: "create+get+list cycles, memory store, in-process fetch(); ratio = share of the bare-echo rate",
      }),
    ];
  },
});
