/**
 * Scale-out delivery throughput: deliveries/s with 1, 2 and 4 worker processes (quick: 1 and 2).
 *
 * - `queue.bullmq.workers-N`: hookline on BullMQ — emit adds one job per event carrying its deliveries; a
 *   worker claims them in PostgreSQL (one statement per job), takes a slot from the Redis endpoint guard per
 *   delivery (a closed circuit of a subscription without limits is trusted for a second without asking),
 *   signs (Standard Webhooks), POSTs, and records each attempt and its delivery's state in PostgreSQL
 *   (attempts finishing together share a statement; prepared statements on). At most 16 attempts at once per
 *   process, as the baseline.
 * - `bullmq.plain.workers-N` (the baseline, same run, same receiver, same concurrency): what a team writes by
 *   hand — one BullMQ job per request, an undici POST in the processor, nothing recorded.
 *
 * Both drain a backlog loaded before the workers start (workers connected before "go"); the first fifth of
 * the drain is their warm-up, and the rate is timed from there to the last request reaching the loopback
 * receiver (at 6,000 deliveries timed from "go", start-up was a third of hookline's drain: 0.55× at 1 worker
 * where the same build read 0.68× over 20,000). This file is also the worker process itself when run
 * with `HOOKLINE_BENCH_BULLMQ=plain|hookline` (one file per area).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createHookline } from "@hookline/core";
import { bullmqQueue, redisEndpointGuard, runWorker } from "@hookline/queue-bullmq";
import { postgresStore, sqlStoreTables } from "@hookline/store-sql";
import { Queue, Worker } from "bullmq";
import pg from "pg";
import { request } from "undici";
import { type BenchContext, type BenchResult, compared, defineSuite } from "../harness.ts";

const REDIS = { host: "127.0.0.1", port: 6379 };
const PG_URL = process.env["HOOKLINE_BENCH_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";
/** Attempts at once per worker process, for both sides. */
const CONCURRENCY = 16;
/** Subscriptions the hookline backlog is spread over (one event → one delivery to each). */
const SUBSCRIPTIONS = 10;
const UNIT = "deliveries/s";
/** The share of each drain left out of the timing as the workers' warm-up. */
const WARM_UP_SHARE = 0.2;
const QUEUE_NAME = "deliveries";
const self = fileURLToPath(import.meta.url);

// ── worker processes ─────────────────────────────────────────────────────────────────────────────

/** Resolves on the parent's "go" line. */
function goSignal(): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on("line", (line) => {
      if (line.trim() !== "go") return;
      lines.close();
      resolve();
    });
  });
}

async function plainWorker(prefix: string): Promise<void> {
  const worker = new Worker<{ url: string; body: string }>(
    QUEUE_NAME,
    async (job) => {
      const res = await request(job.data.url, {
        method: "POST",
        body: job.data.body,
        headers: { "content-type": "application/json" },
      });
      await res.body.dump();
      if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
    },
    {
      connection: { ...REDIS, maxRetriesPerRequest: null },
      prefix,
      concurrency: CONCURRENCY,
      autorun: false,
    },
  );
  await worker.waitUntilReady();
  process.once("SIGTERM", () => void worker.close().then(() => process.exit(0)));
  console.log("ready");
  await goSignal();
  await worker.run();
}

async function hooklineWorker(prefix: string, tablePrefix: string): Promise<void> {
  // Named prepared statements: the store README's setting for a direct PostgreSQL connection (a third less
  // server CPU per delivery here: the worker's two statements are planned once per connection).
  const store = postgresStore({
    url: PG_URL,
    tablePrefix,
    migrate: "manual",
    poolSize: CONCURRENCY,
    preparedStatements: true,
  });
  const connection = { ...REDIS, maxRetriesPerRequest: null };
  const guard = redisEndpointGuard({ connection, prefix });
  const webhooks = createHookline({
    store,
    queue: bullmqQueue({ connection, prefix, queueName: QUEUE_NAME }),
    delivery: { guard, ssrf: { allow: ["127.0.0.1"] }, concurrency: CONCURRENCY },
  });
  // Connected before "go", as the baseline's workers are: open the pool's connections with a read each.
  await Promise.all(Array.from({ length: CONCURRENCY }, () => store.getSubscription("bench", "warm-up")));
  console.log("ready");
  await goSignal();
  const running = await runWorker({
    hookline: webhooks,
    signals: ["SIGTERM"],
    afterClose: async () => {
      await guard.close();
      await store.close();
    },
  });
  await running.stopped;
  process.exit(0);
}

const role = process.env["HOOKLINE_BENCH_BULLMQ"];
if (import.meta.main && role !== undefined) {
  const prefix = process.env["HOOKLINE_BENCH_PREFIX"] ?? "";
  if (role === "plain") await plainWorker(prefix);
  else await hooklineWorker(prefix, process.env["HOOKLINE_BENCH_TABLES"] ?? "");
}

// ── the benchmark ────────────────────────────────────────────────────────────────────────────────

/** True when something answers PING on the Redis port within a second. */
function redisUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(REDIS.port, REDIS.host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

async function postgresUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A loopback receiver that counts requests and answers 204. */
async function receiver(): Promise<{ server: Server; url: string; count: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.writeHead(204).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => received };
}

/** Removes every key of a run's queue (a fresh handle that writes no queue metadata of its own). */
async function obliterate(prefix: string): Promise<void> {
  const queue = new Queue(QUEUE_NAME, { connection: REDIS, prefix, skipMetasUpdate: true });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}

interface Backlog {
  prefix: string;
  tablePrefix: string;
  cleanup(): Promise<void>;
}

async function plainBacklog(url: string, n: number): Promise<Backlog> {
  const prefix = `hlbench-plain-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(QUEUE_NAME, { connection: REDIS, prefix });
  const body = JSON.stringify({
    type: "order.created",
    timestamp: new Date().toISOString(),
    data: { id: 1 },
  });
  const cleanup = async () => {
    await queue.close();
    await obliterate(prefix);
  };
  try {
    for (let i = 0; i < n; i += 500) {
      const size = Math.min(500, n - i);
      await queue.addBulk(
        Array.from({ length: size }, (_, k) => ({
          name: "post",
          data: { url: `${url}/s${(i + k) % SUBSCRIPTIONS}`, body },
          opts: { removeOnComplete: true, removeOnFail: 1000 },
        })),
      );
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { prefix, tablePrefix: "", cleanup };
}

async function hooklineBacklog(url: string, n: number): Promise<Backlog> {
  const prefix = `hlbench-hookline-${randomUUID().slice(0, 8)}`;
  const tablePrefix = `hlbench_${randomUUID().slice(0, 8)}_`;
  const store = postgresStore({ url: PG_URL, tablePrefix, poolSize: 8 });
  const queue = bullmqQueue({ connection: REDIS, prefix, queueName: QUEUE_NAME });
  const webhooks = createHookline({ store, queue, delivery: { ssrf: { allow: ["127.0.0.1"] } } });
  const cleanup = async () => {
    await webhooks.close();
    await obliterate(prefix);
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    const tables = sqlStoreTables(tablePrefix).map((t) => `"${t}"`);
    await client.query(`drop table if exists ${tables.join(", ")} cascade`);
    await client.end();
    await store.close();
  };
  try {
    await store.migrate();
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      await webhooks.subscriptions.create("bench", { url: `${url}/s${s}`, eventTypes: ["order.created"] });
    }
    const events = Math.ceil(n / SUBSCRIPTIONS);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < events) {
          const i = next++;
          await webhooks.emit({ type: "order.created", tenant: "bench", data: { id: i } });
        }
      }),
    );
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { prefix, tablePrefix, cleanup };
}

/** Starts `workers` processes on the backlog, says go, and times the drain of `n` requests. */
async function drain(
  kind: "plain" | "hookline",
  workers: number,
  backlog: Backlog,
  target: { count: () => number },
  n: number,
): Promise<number> {
  const children = Array.from({ length: workers }, () =>
    spawn(process.execPath, ["--conditions=source", "--disable-warning=ExperimentalWarning", self], {
      env: {
        ...process.env,
        HOOKLINE_BENCH_BULLMQ: kind,
        HOOKLINE_BENCH_PREFIX: backlog.prefix,
        HOOKLINE_BENCH_TABLES: backlog.tablePrefix,
      },
      stdio: ["pipe", "pipe", "inherit"],
    }),
  );
  try {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            child.once("exit", (code) => reject(new Error(`a ${kind} worker exited early (${code})`)));
            createInterface({ input: child.stdout! }).on("line", (line) => {
              if (line === "ready") resolve();
            });
          }),
      ),
    );
    const before = target.count();
    const done = () => target.count() - before;
    const t0 = performance.now();
    for (const child of children) child.stdin!.write("go\n");
    const deadline = t0 + 120_000;
    const until = async (count: number) => {
      while (done() < count) {
        if (performance.now() > deadline) throw new Error(`${kind}: only ${done()}/${n} delivered`);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    // The first fifth of the drain is the workers' warm-up (JIT, pools, first jobs): timed from there on.
    await until(Math.floor(n * WARM_UP_SHARE));
    const t1 = performance.now();
    const from = done();
    await until(n);
    return ((n - from) * 1000) / (performance.now() - t1);
  } finally {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const counts = ctx.quick ? [1, 2] : [1, 2, 4];
  const rounds = ctx.quick ? 1 : 3;
  // Long enough drains that the timed part (after the first fifth) is several seconds of steady state.
  const n = ctx.quick ? 5000 : 20000;
  const name = (w: number) => `queue.bullmq.workers-${w}`;
  const baseName = (w: number) => `bullmq.plain.workers-${w}`;
  if (!(await redisUp())) {
    return counts.map((w) => ({
      name: name(w),
      unit: UNIT,
      value: null,
      note: `could not run: no Redis at ${REDIS.host}:${REDIS.port}`,
    }));
  }
  const pgUp = await postgresUp();
  const sink = await receiver();
  const rows: BenchResult[] = [];
  try {
    for (const w of counts) {
      const plain: number[] = [];
      const hookline: number[] = [];
      for (let r = 0; r < rounds; r++) {
        ctx.log(`bullmq: ${w} worker(s), round ${r + 1}/${rounds}`);
        const pb = await plainBacklog(sink.url, n);
        try {
          plain.push(await drain("plain", w, pb, sink, n));
          ctx.log(`bullmq: plain ${Math.round(plain.at(-1)!)} ${UNIT}`);
        } finally {
          await pb.cleanup();
        }
        if (!pgUp) continue;
        const hb = await hooklineBacklog(sink.url, n);
        try {
          hookline.push(await drain("hookline", w, hb, sink, Math.ceil(n / SUBSCRIPTIONS) * SUBSCRIPTIONS));
          ctx.log(`bullmq: hookline ${Math.round(hookline.at(-1)!)} ${UNIT}`);
        } finally {
          await hb.cleanup();
        }
      }
      const baseline = { name: baseName(w), value: median(plain) };
      const note = `${n} deliveries (timed after the first fifth), ${CONCURRENCY} per worker; hookline: PostgreSQL store + Redis guard, Standard Webhooks signatures, every attempt recorded`;
      rows.push(
        pgUp
          ? compared(name(w), UNIT, median(hookline), baseline, { target: 1.0, note })
          : {
              name: name(w),
              unit: UNIT,
              value: null,
              baseline,
              note: `could not run: no PostgreSQL at ${PG_URL} (the baseline ran)`,
            },
      );
    }
  } finally {
    await new Promise((resolve) => sink.server.close(resolve));
  }
  return rows;
}

export default defineSuite({ name: "bullmq", run });
