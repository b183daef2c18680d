/**
 * Receiver throughput per framework: requests/s of a route behind hookline's verify middleware, beside the
 * same framework's bare route that reads the same body (no verification), in the same run. Loopback, one
 * process per framework with autocannon in it, bounded duration. After a warm-up of both routes, short rounds
 * alternate bare/verified in ABBA order (bare first, then verified first, …) and each route's median counts:
 * on a shared machine a burst of outside load or a drift then lands on both routes alike, not on one.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { standardWebhooks, type VerifierOptions } from "@hookline/core";
import { expressVerify } from "@hookline/express";
import { fastifyVerify, webhookPayloadParser } from "@hookline/fastify";
import { h3Verify } from "@hookline/h3";
import { koaVerify } from "@hookline/koa";
import { readRawBody } from "@hookline/node";
import autocannon from "autocannon";
import express from "express";
import Fastify from "fastify";
import { H3 } from "h3";
import { toNodeHandler } from "h3/node";
import Koa from "koa";
import {
  type BenchContext,
  type BenchResult,
  compared,
  defineSuite,
  handOver,
  inChildProcess,
} from "../harness.ts";

interface Target {
  url: string;
  close(): Promise<void>;
}
type Start = (verify: VerifierOptions) => Promise<Target>;

const self = fileURLToPath(import.meta.url);

async function listen(server: Server): Promise<Target> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const OK = { ok: true };

/** Each framework with two routes: `POST /verified` (verify middleware) and `POST /bare` (reads the body). */
const FRAMEWORKS: Record<string, Start> = {
  async express(verify) {
    const app = express();
    app.post("/verified", expressVerify(verify), (_req, res) => {
      res.json(OK);
    });
    app.post("/bare", async (req, res) => {
      await readRawBody(req);
      res.json(OK);
    });
    return listen(createServer(app));
  },
  async koa(verify) {
    const app = new Koa();
    const verified = koaVerify(verify);
    app.use(async (ctx, next) => {
      if (ctx.path === "/verified")
        return verified(ctx, async () => {
          ctx.body = OK;
        });
      await readRawBody(ctx.req);
      ctx.body = OK;
      return next();
    });
    return listen(createServer(app.callback()));
  },
  async fastify(verify) {
    const app = Fastify();
    // The verified route in its own scope, whose JSON parser hands over the payload the verifier parsed
    // (without it, Fastify's parser would parse the same bytes again); the bare route keeps Fastify's own.
    await app.register(async (hooks) => {
      hooks.removeContentTypeParser("application/json");
      hooks.addContentTypeParser("application/json", webhookPayloadParser);
      hooks.post("/verified", { preParsing: fastifyVerify(verify) }, async () => OK);
    });
    app.post("/bare", async () => OK);
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url, close: () => app.close() };
  },
  async h3(verify) {
    const app = new H3({ silent: true });
    app.post("/verified", () => OK, { middleware: [h3Verify(verify)] });
    app.post("/bare", async (event) => {
      await event.req.arrayBuffer();
      return OK;
    });
    return listen(createServer(toNodeHandler(app)));
  },
};

async function requestsPerSecond(
  url: string,
  headers: Record<string, string>,
  body: string,
  seconds: number,
) {
  const result = await autocannon({ url, method: "POST", headers, body, connections: 16, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  // Completed requests over the measured time (the per-second average drops a partial last second).
  return result.requests.total / result.duration;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One framework's measurement, in the process that runs it: both routes, warm-up, then ABBA rounds. */
async function measureFramework(name: string, start: Start, quick: boolean): Promise<BenchResult> {
  const scheme = standardWebhooks();
  const secret = scheme.generateSecret();
  const body = JSON.stringify({
    type: "invoice.paid",
    timestamp: new Date().toISOString(),
    data: { pad: "x".repeat(900) },
  });
  // Rounds per route (odd, so the median is one round) and their length; quick keeps the suite under a minute.
  const rounds = quick ? 3 : 9;
  const seconds = quick ? 1 : 2;
  const warmUpSeconds = quick ? 1 : 2;
  const target = await start({ secrets: [secret] });
  try {
    // Fresh signature: well inside the 5-minute tolerance for the whole measurement.
    const headers = {
      "content-type": "application/json",
      ...scheme.sign({ id: "msg_bench", timestamp: Math.floor(Date.now() / 1000), body, secrets: [secret] }),
    };
    const measure = (route: "bare" | "verified", s: number) =>
      requestsPerSecond(`${target.url}/${route}`, headers, body, s);
    await measure("bare", warmUpSeconds); // warm-up: JIT, connections, caches of both routes
    await measure("verified", warmUpSeconds);
    const bare: number[] = [];
    const verified: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // ABBA: which route goes first alternates, so neither always runs after the other.
      if (i % 2 === 0) {
        bare.push(await measure("bare", seconds));
        verified.push(await measure("verified", seconds));
      } else {
        verified.push(await measure("verified", seconds));
        bare.push(await measure("bare", seconds));
      }
    }
    const base = { name: `receiver.${name}.bare`, value: median(bare) };
    return compared(`receiver.${name}`, "req/s", median(verified), base, { target: 0.85 });
  } finally {
    await target.close();
  }
}

/**
 * Each framework runs in a process of its own, as it would in production: measured one after another in
 * one process, the verifier and body reader shared by all four adapters are compiled for every framework's
 * call sites at once, and the later frameworks' verified routes paid for it (Fastify measured 0.84× after
 * Express and Koa, 0.96× alone, same build, same machine).
 */
async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const name of Object.keys(FRAMEWORKS)) {
    try {
      const row = await inChildProcess<BenchResult>(self, {
        HOOKLINE_BENCH_RECEIVER: name,
        HOOKLINE_BENCH_QUICK: ctx.quick ? "1" : "",
      });
      results.push(row);
      ctx.log(`receiver.${name}: ${row.value?.toFixed(0)} vs bare ${row.baseline?.value.toFixed(0)} req/s`);
    } catch (err) {
      results.push({
        name: `receiver.${name}`,
        unit: "req/s",
        value: null,
        note: `could not run: ${(err as Error).message}`,
      });
    }
  }
  return results;
}

const framework = process.env["HOOKLINE_BENCH_RECEIVER"];
if (import.meta.main && framework !== undefined) {
  const start = FRAMEWORKS[framework];
  if (start === undefined) throw new Error(`unknown framework ${framework}`);
  const row = await measureFramework(framework, start, process.env["HOOKLINE_BENCH_QUICK"] === "1");
  handOver(row);
}

export default defineSuite({ name: "receiver", run });
