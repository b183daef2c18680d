/**
 * The e2e harness: a receiver and the portal on loopback servers, and a headless Chromium (Debian's
 * `/usr/bin/chromium`, driven by playwright-core) that may reach nothing but loopback.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { handleNodeRequest } from "@hookline/node";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = fileURLToPath(new URL("../test-results/", import.meta.url));

/** Whether the e2e tests can run; under `CI=true` a missing Chromium is an error, not a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env["CI"] === "true") {
    throw new Error(`[portal-tests] ${CHROMIUM} is missing: run scripts/install-chromium.sh`);
  }
  console.warn(
    `[portal-tests] skipping the portal e2e tests: ${CHROMIUM} not found (apt-get install chromium)`,
  );
  return false;
}

/** A server listening on 127.0.0.1 at an ephemeral port. */
export interface Listening {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Serves a fetch handler over node:http through `@hookline/node`. */
export function serveFetch(app: { fetch(request: Request): Promise<Response> }): Promise<Listening> {
  return listen(
    createServer((req, res) => {
      handleNodeRequest(app, req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    }),
  );
}

/** A webhook receiver that answers every request with `status` and counts what it received. */
export interface Receiver extends Listening {
  status: number;
  received: { headers: IncomingMessage["headers"]; body: string }[];
}

export async function startReceiver(): Promise<Receiver> {
  const state = { status: 500, received: [] as Receiver["received"] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(state.status, { "content-type": "text/plain" }).end(state.status === 200 ? "ok" : "boom");
    });
  });
  const listening = await listen(server);
  return Object.assign(state, listening);
}

const LOOPBACK = /^(https?|wss?):\/\/(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?\//;

/** A headless Chromium with a fresh profile; every request to anything but loopback is aborted. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), "hookline-portal-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1200, height: 900 },
  });
  await context.route("**/*", (route) =>
    LOOPBACK.test(route.request().url()) || route.request().url().startsWith("data:")
      ? route.continue()
      : route.abort(),
  );
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns true (bounded: `tries` × `everyMs`). */
export async function eventually(check: () => Promise<boolean>, tries = 100, everyMs = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error("[portal-tests] condition not met in time");
}
