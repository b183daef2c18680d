/**
 * `match.*`: matching one event against 100,000 subscriptions spread over 1,000 tenants and 1,000 event types
 * in the memory store — the indexed lookup (tenant → pattern → ids over `eventTypeKeys(type)`).
 * Target: p99 per `matchSubscriptions` call under 50 µs. The p50 row is compared with a scan of every
 * subscription through the reference matcher, measured in the same run (what an unindexed store would do).
 */
import { performance } from "node:perf_hooks";
import { matchesEventType, memoryStore, type Subscription } from "@hookline/core";
import { plainSubscription } from "@hookline/core/testing";
import { type BenchResult, compared, defineSuite, percentiles } from "../harness.ts";

const SUBSCRIPTIONS = 100_000;
const TENANTS = 1_000;
const RESOURCES = 100;
const ACTIONS = [
  "created",
  "updated",
  "deleted",
  "paid",
  "voided",
  "shipped",
  "returned",
  "archived",
  "restored",
  "synced",
];

/** Deterministic PRNG (mulberry32), so every run builds the same data set. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const eventType = (r: number, a: number) => `res${r}.${ACTIONS[a]}`;

/** Mostly exact names; some `resN.*`, resource-level `resN` and `*`, as real subscribers mix them. */
function patternsFor(random: () => number): string[] {
  const n = 1 + Math.floor(random() * 3);
  const out = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = Math.floor(random() * RESOURCES);
    const roll = random();
    if (roll < 0.8) out.add(eventType(r, Math.floor(random() * ACTIONS.length)));
    else if (roll < 0.9) out.add(`res${r}.*`);
    else if (roll < 0.99) out.add(`res${r}`);
    else out.add("*");
  }
  return [...out];
}

function subscription(i: number, random: () => number): Subscription {
  const at = new Date(Date.UTC(2030, 0, 1));
  return plainSubscription(
    `tenant_${i % TENANTS}`,
    {
      id: `sub_${i}`,
      url: `https://hooks.example.com/${i}`,
      eventTypes: patternsFor(random),
      secrets: [
        { id: `sec_${i}`, value: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", createdAt: at, expiresAt: null },
      ],
      status: random() < 0.05 ? "paused" : "active",
    },
    at,
  );
}

async function sample(
  calls: number,
  random: () => number,
  fn: (tenant: string, type: string) => Promise<unknown> | unknown,
) {
  const samples: number[] = [];
  let matched = 0;
  for (let i = 0; i < calls; i++) {
    const tenant = `tenant_${Math.floor(random() * TENANTS)}`;
    const type = eventType(Math.floor(random() * RESOURCES), Math.floor(random() * ACTIONS.length));
    const t0 = performance.now();
    const result = await fn(tenant, type);
    samples.push((performance.now() - t0) * 1000);
    matched += (result as unknown[]).length;
  }
  return { ...percentiles(samples), matched: matched / calls };
}

export default defineSuite({
  name: "match",
  async run(ctx): Promise<BenchResult[]> {
    const random = rng(42);
    const store = memoryStore();
    const all: Subscription[] = [];
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const sub = subscription(i, random);
      all.push(sub);
      await store.createSubscription(sub);
    }
    ctx.log(
      `match: ${SUBSCRIPTIONS} subscriptions over ${TENANTS} tenants and ${RESOURCES * ACTIONS.length} event types`,
    );

    const calls = ctx.quick ? 20_000 : 100_000;
    await sample(calls / 4, rng(1), (t, e) => store.matchSubscriptions(t, e)); // warm-up
    const indexed = await sample(calls, rng(7), (t, e) => store.matchSubscriptions(t, e));

    // Baseline: scan every subscription with the reference matcher (no index).
    const scan = (tenant: string, type: string) =>
      all.filter(
        (s) =>
          s.tenant === tenant && s.status === "active" && s.eventTypes.some((p) => matchesEventType(p, type)),
      );
    const scanCalls = ctx.quick ? 200 : 1000;
    await sample(scanCalls / 4, rng(1), scan);
    const scanned = await sample(scanCalls, rng(7), scan);

    const note = `${indexed.matched.toFixed(2)} matches per call on average; ${calls} calls`;
    return [
      { name: "match.memory.p99", unit: "µs", value: indexed.p99, target: 50, note },
      compared(
        "match.memory.p50",
        "µs",
        indexed.p50,
        { name: "match.scan-all.p50", value: scanned.p50 },
        {
          higherIsBetter: false,
          note: "baseline: scan of all 100k subscriptions with matchesEventType",
        },
      ),
    ];
  },
});
