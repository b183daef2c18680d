/**
 * The proof of issue 8: three worker processes and one producer process share PostgreSQL (the record) and
 * Redis (the schedule). Mid-way one worker is SIGKILLed and Redis loses every key of the run; a ledger kept
 * by the receivers proves every (message, subscription) pair arrived at least once, and counts duplicates.
 *
 * FLUSHALL stand-in: the test deletes every key under its own prefix (SCAN + UNLINK) instead of FLUSHALL —
 * the run loses all its jobs, locks and guard state exactly as with FLUSHALL, while other test files that
 * share this Redis keep theirs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createHookline, type Hookline } from "@hookline/core";
import { postgresStore, type SqlStore, sqlStoreTables } from "@hookline/store-sql";
import type { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deletePrefix,
  POSTGRES_URL,
  redisAvailable,
  skipWithout,
  testRedis,
  uniquePrefix,
  until,
} from "./helpers/services.ts";

async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const skip =
  skipWithout("Redis at 127.0.0.1:6379", await redisAvailable()) ||
  skipWithout("PostgreSQL at 127.0.0.1:5432 (database test)", await postgresAvailable());

const EVENTS = 300;
const WORKER_CONCURRENCY = 8; // matches the fixture
const TENANT = "acme";
const fixture = fileURLToPath(new URL("./fixtures/scale-out-process.ts", import.meta.url));

/**
 * Receivers on loopback: each records (message id, host + path) → times received, and the most requests it
 * ever had in flight per path.
 */
function receiver(ledger: Map<string, number>, peaks: Map<string, number>): Server {
  const inFlight = new Map<string, number>();
  return createServer((req, res) => {
    const id = req.headers["webhook-id"];
    const path = `${req.headers.host}${req.url}`;
    inFlight.set(path, (inFlight.get(path) ?? 0) + 1);
    peaks.set(path, Math.max(peaks.get(path) ?? 0, inFlight.get(path)!));
    res.on("close", () => inFlight.set(path, inFlight.get(path)! - 1));
    req.resume();
    req.on("end", () => {
      const key = `${String(id)} ${path}`;
      ledger.set(key, (ledger.get(key) ?? 0) + 1);
      // A little latency so attempts are in flight when the worker dies, and overlap when not limited.
      setTimeout(() => res.writeHead(200).end("ok"), 1 + Math.floor(Math.random() * 4));
    });
  });
}

describe.skipIf(skip)("scale-out: 3 workers + 1 producer on PostgreSQL and Redis", () => {
  const prefix = uniquePrefix("proof");
  const tablePrefix = `hlq_${prefix.slice(-8)}_`;
  const ledger = new Map<string, number>();
  const peaks = new Map<string, number>();
  let limited = "";
  const servers: Server[] = [];
  const children: ChildProcess[] = [];
  const output: string[] = [];
  let redis: Redis;
  let store: SqlStore;
  let admin: Hookline;
  let pairs: string[] = [];
  /** Subscriptions one `order.created` event goes to: the deliveries one message job carries. */
  let targetsPerEvent = 0;

  function start(role: "worker" | "producer"): ChildProcess {
    const child = spawn(
      process.execPath,
      ["--conditions=source", "--disable-warning=ExperimentalWarning", fixture, role],
      {
        env: {
          ...process.env,
          BULLMQ_PREFIX: prefix,
          PG_URL: POSTGRES_URL,
          TABLE_PREFIX: tablePrefix,
          TENANT,
          EMIT_COUNT: String(EVENTS),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const tag = `${role}#${children.length}`;
    child.stdout?.on("data", (chunk: Buffer) => output.push(`${tag}: ${chunk.toString().trim()}`));
    child.stderr?.on("data", (chunk: Buffer) => output.push(`${tag} (stderr): ${chunk.toString().trim()}`));
    children.push(child);
    return child;
  }

  const said = (child: ChildProcess, line: string) =>
    new Promise<void>((resolve, reject) => {
      let seen = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.split("\n").includes(line)) resolve();
      });
      child.once("exit", (code) =>
        reject(new Error(`child exited (${code}) before "${line}":\n${output.join("\n")}`)),
      );
    });

  beforeAll(async () => {
    redis = testRedis();
    store = postgresStore({ url: POSTGRES_URL, tablePrefix, poolSize: 4 });
    await store.migrate();
    admin = createHookline({ store, delivery: { ssrf: { allow: ["127.0.0.1"] } } });
    for (let i = 0; i < 2; i++) {
      const server = receiver(ledger, peaks);
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      servers.push(server);
    }
    const urls = [
      ...servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/a`),
      `http://127.0.0.1:${(servers[1]!.address() as AddressInfo).port}/b`,
    ];
    for (const url of urls) {
      await admin.subscriptions.create(TENANT, { url, eventTypes: ["order.created"] });
    }
    // One more subscription, limited to one request at a time, for every tenth event (`order.limited`).
    const limitedUrl = `http://127.0.0.1:${(servers[0]!.address() as AddressInfo).port}/limited`;
    await admin.subscriptions.create(TENANT, {
      url: limitedUrl,
      eventTypes: ["order.limited"],
      concurrency: 1,
    });
    limited = new URL(limitedUrl).host + new URL(limitedUrl).pathname;
    const targets = urls.map((u) => new URL(u).host + new URL(u).pathname);
    targetsPerEvent = targets.length;
    pairs = [];
    for (let i = 0; i < EVENTS; i++) for (const t of targets) pairs.push(`msg-${i} ${t}`);
    for (let i = 0; i < EVENTS; i += 10) pairs.push(`lim-${i} ${limited}`);
  });

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    if (redis !== undefined) {
      await deletePrefix(redis, prefix);
      await redis.quit();
    }
    if (store !== undefined) {
      await admin?.close();
      const tables = sqlStoreTables(tablePrefix).map((t) => `"${t}"`);
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop table if exists ${tables.join(", ")} cascade`);
      await client.end();
      await store.close();
    }
  });

  it("delivers every (message, subscription) pair at least once through a SIGKILL and a Redis wipe", async () => {
    const workers = [start("worker"), start("worker"), start("worker")];
    await Promise.all(workers.map((w) => said(w, "ready")));
    const producer = start("producer");
    const producerExit = once(producer, "exit");

    const arrived = () => pairs.filter((p) => ledger.has(p)).length;
    await until(() => arrived() >= pairs.length / 4, "a quarter of the deliveries", 60_000);
    workers[0]!.kill("SIGKILL");
    await once(workers[0]!, "exit");

    await until(() => arrived() >= pairs.length / 2, "half of the deliveries", 60_000);
    const wiped = await deletePrefix(redis, prefix);
    const remainingAtWipe = pairs.length - arrived();

    await until(() => arrived() === pairs.length, "every pair", 90_000).catch(async (err: Error) => {
      const missing = pairs.filter((p) => !ledger.has(p));
      // What the store says of the first missing ones, to tell a lost job from a slow one.
      const rows: string[] = [];
      for (const pair of missing.slice(0, 5)) {
        const page = await store.listDeliveries(TENANT, { limit: 20, messageId: pair.split(" ")[0] });
        for (const d of page.items) {
          rows.push(
            `${d.id} ${d.subscriptionId} ${d.status} attempts=${d.attempts} next=${d.nextAttemptAt?.toISOString()} lease=${d.leaseUntil?.toISOString()} error=${d.lastError}`,
          );
        }
      }
      throw new Error(
        `${err.message}: ${missing.length} missing, e.g. ${missing.slice(0, 5).join(", ")}\nstore: ${rows.join("\n")}\nnow ${new Date().toISOString()}\n${output.join("\n")}`,
      );
    });
    const [code] = await producerExit;
    expect(code).toBe(0);

    // The store agrees: nothing unfinished, every delivery succeeded with its attempts recorded.
    await until(
      async () => (await store.listUnfinishedDeliveryIds({ limit: 1 })).length === 0,
      "the store to settle",
      30_000,
    );
    let recorded = 0;
    let cursor: string | null = null;
    do {
      const page = await store.listDeliveries(TENANT, { limit: 200, cursor });
      for (const d of page.items) {
        expect(d.status).toBe("succeeded");
        const attempts = await store.listAttempts(TENANT, d.id);
        expect(attempts.at(-1)?.status).toBe(200);
        recorded++;
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(recorded).toBe(pairs.length);

    // Duplicates: only attempts the killed worker had sent and not yet recorded. A worker frees an attempt's
    // slot when the response arrives, before recording it, so these are bounded by the deliveries it held
    // leases on: at most WORKER_CONCURRENCY active jobs, each carrying one message's deliveries (3 targets).
    const duplicates = [...ledger.values()].reduce((sum, n) => sum + n - 1, 0);
    console.info(
      `[scale-out proof] ${pairs.length} pairs, ${duplicates} duplicate(s), ${wiped} Redis keys wiped with ${remainingAtWipe} pairs still to deliver, peak in flight ${JSON.stringify(Object.fromEntries(peaks))}`,
    );
    expect(wiped).toBeGreaterThan(0);
    expect(remainingAtWipe).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(WORKER_CONCURRENCY * targetsPerEvent);

    // The per-subscription concurrency limit held across the three workers (the Redis endpoint guard),
    // while the unlimited subscriptions did see requests overlap.
    expect(peaks.get(limited)).toBe(1);
    expect(Math.max(...[...peaks].filter(([p]) => p !== limited).map(([, n]) => n))).toBeGreaterThan(1);

    for (const w of workers.slice(1)) w.kill("SIGTERM");
    const exits = await Promise.all(workers.slice(1).map((w) => once(w, "exit")));
    expect(exits.map(([c]) => c)).toEqual([0, 0]);
  }, 240_000);
});
