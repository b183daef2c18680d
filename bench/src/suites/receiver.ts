/**
 * Receiver throughput per framework: requests/s of a route behind hookline's verify middleware, beside the
 * same framework's bare route that reads the same body (no verification), in the same run. Loopback,
 * autocannon in-process, bounded duration; the rounds alternate bare/verified and the median counts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { standardWebhooks, type VerifierOptions } from "@hookline/core";
import { expressVerify } from "@hookline/express";
import { fastifyVerify } from "@hookline/fastify";
import { h3Verify } from "@hookline/h3";
import { koaVerify } from "@hookline/koa";
import { readRawBody } from "@hookline/node";
import autocannon from "autocannon";
import express from "express";
import Fastify from "fastify";
import { H3 } from "h3";
import { toNodeHandler } from "h3/node";
import Koa from "koa";
import { type BenchContext, type BenchResult, compared, defineSuite } from "../harness.ts";

interface Target {
  url: string;
  close(): Promise<void>;
}
type Start = (verify: VerifierOptions) => Promise<Target>;

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
    app.post("/verified", { preParsing: fastifyVerify(verify) }, async () => OK);
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
  return result.requests.average;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const scheme = standardWebhooks();
  const secret = scheme.generateSecret();
  const body = JSON.stringify({
    type: "invoice.paid",
    timestamp: new Date().toISOString(),
    data: { pad: "x".repeat(900) },
  });
  const rounds = ctx.quick ? 1 : 3;
  const seconds = ctx.quick ? 2 : 4;
  const results: BenchResult[] = [];
  for (const [name, start] of Object.entries(FRAMEWORKS)) {
    const target = await start({ secrets: [secret] });
    try {
      // Fresh signature per framework: well inside the 5-minute tolerance for the whole measurement.
      const headers = {
        "content-type": "application/json",
        ...scheme.sign({
          id: "msg_bench",
          timestamp: Math.floor(Date.now() / 1000),
          body,
          secrets: [secret],
        }),
      };
      await requestsPerSecond(`${target.url}/bare`, headers, body, 1); // warm-up
      await requestsPerSecond(`${target.url}/verified`, headers, body, 1);
      const bare: number[] = [];
      const verified: number[] = [];
      for (let i = 0; i < rounds; i++) {
        bare.push(await requestsPerSecond(`${target.url}/bare`, headers, body, seconds));
        verified.push(await requestsPerSecond(`${target.url}/verified`, headers, body, seconds));
      }
      const base = { name: `receiver.${name}.bare`, value: median(bare) };
      results.push(compared(`receiver.${name}`, "req/s", median(verified), base, { target: 0.85 }));
      ctx.log(`receiver.${name}: ${median(verified).toFixed(0)} vs bare ${base.value.toFixed(0)} req/s`);
    } catch (err) {
      results.push({
        name: `receiver.${name}`,
        unit: "req/s",
        value: null,
        note: `could not run: ${(err as Error).message}`,
      });
    } finally {
      await target.close();
    }
  }
  return results;
}

export default defineSuite({ name: "receiver", run });
