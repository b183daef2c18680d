import { beforeAll, describe, expect, it } from "vitest";
import { MAX_PAGE_SIZE } from "./api.ts";
import { STATS_SCAN_CAP } from "./stats.ts";
import { type Browser, deliveries, login, setup } from "./test-support.ts";

interface DeliveryPage {
  items: { id: string; status: string; eventType: string }[];
  nextCursor: string | null;
}

const N = 100_000;

describe("portal pagination with 100,000 deliveries", () => {
  const env = setup();
  let a: Browser;

  beforeAll(async () => {
    // 100,000 deliveries over the last ~28 hours (one per second), newest at "now".
    const start = new Date(env.clock.now().getTime() - (N - 1) * 1000);
    await env.hookline.store.insertDeliveries(deliveries("big", N, start));
    a = await login(env.portal, "big");
  });

  async function page(query: string): Promise<DeliveryPage> {
    const res = await a.call("GET", `deliveries?${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as DeliveryPage;
  }

  it("never returns more than the maximum page size, newest first", async () => {
    const first = await page("limit=100000");
    expect(first.items).toHaveLength(MAX_PAGE_SIZE);
    expect(first.items[0]!.id).toBe(`big-d${N - 1}`);
    expect(first.nextCursor).not.toBeNull();
    expect((await page("")).items).toHaveLength(20);
  });

  it("walks pages by cursor without gaps or repeats", async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const p: DeliveryPage = await page(`limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      for (const d of p.items) seen.add(d.id);
      cursor = p.nextCursor;
    }
    expect(seen.size).toBe(250);
    expect(seen.has(`big-d${N - 250}`)).toBe(true);
    expect(seen.has(`big-d${N - 251}`)).toBe(false);
  });

  it("filters by status and event type on the server", async () => {
    const failed = await page("status=failed&eventType=invoice.paid&limit=30");
    expect(failed.items).toHaveLength(30);
    for (const d of failed.items) expect(d).toMatchObject({ status: "failed", eventType: "invoice.paid" });
  });

  it("refuses bad filters and a malformed cursor with 4xx, not 500", async () => {
    for (const q of ["status=bogus", "limit=0", "limit=abc", "cursor=%%%", `eventType=${"x".repeat(600)}`]) {
      const res = await a.call("GET", `deliveries?${q}`);
      expect(res.status, q).toBeGreaterThanOrEqual(400);
      expect(res.status, q).toBeLessThan(500);
    }
  });

  it("charts the last 24 hours from a bounded scan when the store has no aggregate", async () => {
    // The memory store has the aggregate; take it away to exercise the fallback a custom store may need.
    env.hookline.store.deliveryStatsByHour = undefined;
    const res = await a.call("GET", "stats/hourly");
    const chart = (await res.json()) as {
      hours: { hour: string; delivered: number; failed: number }[];
      truncated: boolean;
    };
    expect(chart.hours).toHaveLength(24);
    expect(chart.truncated).toBe(true);
    const counted = chart.hours.reduce((n, b) => n + b.delivered + b.failed, 0);
    // Two thirds of the newest STATS_SCAN_CAP deliveries are final.
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThanOrEqual(STATS_SCAN_CAP);
    expect(chart.hours.at(-1)!.hour).toBe("2026-11-24T12:00:00.000Z");
    expect(chart.hours[0]!.hour).toBe("2026-11-23T13:00:00.000Z");
  });
});

describe("portal chart with a store aggregate", () => {
  it("uses Store.deliveryStatsByHour when the store has it", async () => {
    const env = setup();
    const calls: Date[] = [];
    env.hookline.store.deliveryStatsByHour = async (_tenant, { since }) => {
      calls.push(since);
      return [
        { hour: new Date("2026-11-24T11:00:00Z"), succeeded: 7, failed: 2 },
        { hour: new Date("2026-11-20T11:00:00Z"), succeeded: 99, failed: 99 },
      ];
    };
    const a = await login(env.portal, "acme");
    const chart = (await (await a.call("GET", "stats/hourly")).json()) as {
      hours: { hour: string; delivered: number; failed: number }[];
      truncated: boolean;
    };
    expect(calls).toEqual([new Date("2026-11-23T13:00:00Z")]);
    expect(chart.truncated).toBe(false);
    expect(chart.hours.find((b) => b.hour === "2026-11-24T11:00:00.000Z")).toEqual({
      hour: "2026-11-24T11:00:00.000Z",
      delivered: 7,
      failed: 2,
    });
    expect(chart.hours.reduce((n, b) => n + b.delivered + b.failed, 0)).toBe(9);
  });
});
