/**
 * The portal's 24 h chart: succeeded and failed deliveries per UTC hour. Uses the store's optional
 * `deliveryStatsByHour` aggregate; without it, pages through the newest deliveries up to a hard cap and says
 * so (`truncated`).
 */
import type { DeliveryHourStats, Store } from "../store/types.ts";

/** One bar of the chart. */
export interface HourBucket {
  /** Start of the hour (UTC). */
  hour: Date;
  delivered: number;
  failed: number;
}

/** The chart: 24 hourly buckets, oldest first. */
export interface HourlyChart {
  hours: HourBucket[];
  /** `true` when the fallback hit its cap and older deliveries of the window are not counted. */
  truncated: boolean;
}

const HOUR_MS = 3600_000;
/** Deliveries read by the fallback at most. */
export const STATS_SCAN_CAP = 10_000;
const PAGE = 1000;

async function scan(
  store: Store,
  tenant: string,
  since: Date,
): Promise<{ rows: DeliveryHourStats[]; truncated: boolean }> {
  const byHour = new Map<number, DeliveryHourStats>();
  let cursor: string | null = null;
  let seen = 0;
  do {
    const page = await store.listDeliveries(tenant, { since, limit: PAGE, cursor });
    for (const d of page.items) {
      if (d.status !== "succeeded" && d.status !== "failed") continue;
      const at = (d.completedAt ?? d.updatedAt).getTime();
      const hour = at - (at % HOUR_MS);
      const row = byHour.get(hour) ?? { hour: new Date(hour), succeeded: 0, failed: 0 };
      row[d.status] += 1;
      byHour.set(hour, row);
    }
    seen += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null && seen < STATS_SCAN_CAP);
  return { rows: [...byHour.values()], truncated: cursor !== null };
}

/** The last 24 hours up to and including the current one. */
export async function hourlyChart(store: Store, tenant: string, now: Date): Promise<HourlyChart> {
  const current = now.getTime() - (now.getTime() % HOUR_MS);
  const first = current - 23 * HOUR_MS;
  const since = new Date(first);
  const { rows, truncated } = store.deliveryStatsByHour
    ? { rows: await store.deliveryStatsByHour(tenant, { since }), truncated: false }
    : await scan(store, tenant, since);
  const hours: HourBucket[] = [];
  for (let h = first; h <= current; h += HOUR_MS) hours.push({ hour: new Date(h), delivered: 0, failed: 0 });
  for (const row of rows) {
    const bucket = hours[Math.floor((row.hour.getTime() - first) / HOUR_MS)];
    if (bucket === undefined) continue;
    bucket.delivered += row.succeeded;
    bucket.failed += row.failed;
  }
  return { hours, truncated };
}
