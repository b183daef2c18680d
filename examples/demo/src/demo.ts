import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  apiKeyAuth,
  createCatalog,
  createHookline,
  type Delivery,
  type Hookline,
  memoryEndpointGuard,
  standardWebhooks,
} from "@hookline/core";
import { expressRouter, expressVerify, type WebhookRequest } from "@hookline/express";
import { sqliteStore } from "@hookline/store-sql";
import express from "express";

/** The four receiving endpoints of the demo and how each behaves. */
export const ENDPOINTS = [
  { name: "healthy", path: "/hooks/healthy", behaviour: "answers 204" },
  { name: "flaky", path: "/hooks/flaky", behaviour: "fails 40% of requests with 500" },
  { name: "picky", path: "/hooks/picky", behaviour: "rejects every 10th order with 400" },
  { name: "gone", path: "/hooks/gone", behaviour: "answers 410 Gone" },
  { name: "down", path: "/hooks/down", behaviour: "answers 503" },
] as const;

export type EndpointName = (typeof ENDPOINTS)[number]["name"];

export interface EndpointCounts {
  name: EndpointName;
  behaviour: string;
  subscriptionStatus: string;
  queued: number;
  retrying: number;
  delivering: number;
  succeeded: number;
  failed: number;
  attempts: number;
  /** Requests the receiver verified (signature, timestamp) — counted at the receiver, not the store. */
  verifiedAtReceiver: number;
}

export interface Snapshot {
  elapsedSeconds: number;
  emitted: number;
  endpoints: EndpointCounts[];
}

export interface DemoSummary extends Snapshot {
  /** Events the healthy endpoint never received (must be 0: hookline loses nothing). */
  lost: number;
  disabled: { name: string; reason: string }[];
}

export interface DemoOptions {
  databasePath: string;
  seconds: number;
  ratePerSecond: number;
  /** How long to wait for retries to play out after the stream stops. Default 15 s. */
  drainTimeoutMs?: number;
  onProgress?: (snapshot: Snapshot) => void;
  log?: (line: string) => void;
}

const TENANT = "acme";
const API_KEY = "demo-key-acme";

/** Runs the whole demo and resolves with the closing summary, read from the store. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const log = options.log ?? (() => {});
  const scheme = standardWebhooks();
  const secret = scheme.generateSecret();
  const verified = new Map<EndpointName, Set<string>>(ENDPOINTS.map((e) => [e.name, new Set<string>()]));

  // ── the receiver: one Express app, hookline's verify middleware on every endpoint ──
  const receiver = express();
  let flakySeed = 0;
  for (const endpoint of ENDPOINTS) {
    receiver.post(endpoint.path, expressVerify({ secrets: [secret] }), (req, res) => {
      const event = (req as WebhookRequest).webhook;
      if (endpoint.name === "gone") return void res.status(410).end();
      if (endpoint.name === "down") return void res.status(503).end();
      if (endpoint.name === "flaky" && (flakySeed++ * 7919) % 10 < 4) return void res.status(500).end();
      const order = (event?.data as { orderId?: string } | undefined)?.orderId ?? "";
      if (endpoint.name === "picky" && order.endsWith("0")) return void res.status(400).end();
      if (event.id) verified.get(endpoint.name)!.add(event.id);
      res.status(204).end();
    });
  }
  const receiverServer = await listen(receiver);
  const receiverUrl = `http://127.0.0.1:${port(receiverServer)}`;

  // ── the provider: its own app, hookline mounted at /webhooks, emit() from an app route ──
  const webhooks: Hookline = createHookline({
    store: sqliteStore({ path: options.databasePath }),
    catalog: createCatalog({
      types: {
        "order.created": { description: "An order was placed.", example: { orderId: "o_1", total: 42 } },
        "order.paid": { description: "An order was paid.", example: { orderId: "o_1", total: 42 } },
      },
    }),
    api: { auth: apiKeyAuth({ header: "x-api-key", resolve: (key) => (key === API_KEY ? TENANT : null) }) },
    delivery: {
      // A short schedule so the demo shows retries and exhaustion within seconds (default: 5s … 10h).
      retrySchedule: [0, 300, 600, 1200],
      timeoutMs: 2_000,
      // The demo's receivers are on loopback, which the SSRF guard refuses unless allow-listed.
      ssrf: { allow: ["127.0.0.1"] },
      // The circuit breaker opens after 10 straight failures (default 5) so the picky endpoint's retries, which
      // come in a burst after the stream stops, do not trip it; the dead endpoint still trips it.
      guard: memoryEndpointGuard({ failureThreshold: 10 }),
    },
    hooks: {
      "subscription.disabled": ({ subscription, reason }) =>
        log(`subscription ${nameOf(subscription.url)} disabled: ${reason}`),
    },
  });
  await webhooks.start();

  const provider = express();
  provider.use("/webhooks", expressRouter(webhooks));
  let orderNo = 0;
  provider.post("/orders", async (_req, res) => {
    orderNo++;
    const type = orderNo % 3 === 0 ? "order.paid" : "order.created";
    await webhooks.emit({
      tenant: TENANT,
      type,
      data: { orderId: `o_${orderNo}`, total: 10 + (orderNo % 90) },
    });
    res.status(201).json({ orderId: `o_${orderNo}` });
  });
  const providerServer = await listen(provider);
  const providerUrl = `http://127.0.0.1:${port(providerServer)}`;
  log(`provider on ${providerUrl} (hookline at /webhooks), receiver on ${receiverUrl}`);

  // ── subscribe every endpoint through the provider's public API, as a customer would ──
  const subscriptionIds = new Map<EndpointName, string>();
  for (const endpoint of ENDPOINTS) {
    const res = await fetch(`${providerUrl}/webhooks/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": API_KEY },
      body: JSON.stringify({
        url: `${receiverUrl}${endpoint.path}`,
        eventTypes: ["order.*"],
        secret,
        description: `${endpoint.name}: ${endpoint.behaviour}`,
      }),
    });
    if (res.status !== 201)
      throw new Error(`[demo] subscribe ${endpoint.name} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { id: string };
    subscriptionIds.set(endpoint.name, body.id);
  }
  log(`subscribed ${ENDPOINTS.length} endpoints to order.*`);

  // ── a steady stream of orders through the provider's own route ──
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const snapshot = async (): Promise<Snapshot> => ({
    elapsedSeconds: elapsed(),
    emitted: orderNo,
    endpoints: await Promise.all(
      ENDPOINTS.map((e) => countsFor(webhooks, e, subscriptionIds.get(e.name)!, verified.get(e.name)!.size)),
    ),
  });

  const ticker = setInterval(() => {
    void snapshot().then((s) => options.onProgress?.(s));
  }, 250);
  try {
    const interval = 1000 / options.ratePerSecond;
    while (elapsed() < options.seconds) {
      const res = await fetch(`${providerUrl}/orders`, { method: "POST" });
      if (res.status !== 201) throw new Error(`[demo] POST /orders answered ${res.status}`);
      await sleep(interval);
    }
    // Let retries play out (the schedule above ends ~2 s after the last attempt). The "down" endpoint is left
    // out: after 10 straight failures its circuit breaker holds the rest back, in the store, until it recovers.
    const drainUntil = Date.now() + (options.drainTimeoutMs ?? 15_000);
    while (Date.now() < drainUntil) {
      const s = await snapshot();
      const settled = s.endpoints.filter((e) => e.name !== "down");
      if (settled.every((e) => e.queued + e.retrying + e.delivering === 0)) break;
      await sleep(200);
    }
  } finally {
    clearInterval(ticker);
  }

  const final = await snapshot();
  options.onProgress?.(final);
  const healthy = final.endpoints.find((e) => e.name === "healthy")!;
  const disabled = final.endpoints
    .filter((e) => e.subscriptionStatus.startsWith("disabled"))
    .map((e) => ({ name: e.name, reason: e.subscriptionStatus }));

  await webhooks.close({ timeoutMs: 2_000 });
  await Promise.all([close(providerServer), close(receiverServer)]);
  return { ...final, lost: final.emitted - healthy.verifiedAtReceiver, disabled };
}

/** Counts one endpoint's deliveries by state, paging through the store (honest numbers, not in-memory tallies). */
async function countsFor(
  webhooks: Hookline,
  endpoint: (typeof ENDPOINTS)[number],
  subscriptionId: string,
  verifiedAtReceiver: number,
): Promise<EndpointCounts> {
  const counts: EndpointCounts = {
    name: endpoint.name,
    behaviour: endpoint.behaviour,
    subscriptionStatus: "",
    queued: 0,
    retrying: 0,
    delivering: 0,
    succeeded: 0,
    failed: 0,
    attempts: 0,
    verifiedAtReceiver,
  };
  const sub = await webhooks.subscriptions.get(TENANT, subscriptionId);
  counts.subscriptionStatus = sub.status === "disabled" ? `disabled (${sub.disabledReason})` : sub.status;
  let cursor: string | null = null;
  do {
    const page: { items: Delivery[]; nextCursor: string | null } = await webhooks.deliveries.list(TENANT, {
      subscriptionId,
      limit: 500,
      cursor,
    });
    for (const d of page.items) {
      counts.attempts += d.attempts;
      if (d.status === "succeeded") counts.succeeded++;
      else if (d.status === "failed") counts.failed++;
      else if (d.status === "delivering") counts.delivering++;
      else if (d.attempts > 0) counts.retrying++;
      else counts.queued++;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

function nameOf(url: string): string {
  return ENDPOINTS.find((e) => url.endsWith(e.path))?.name ?? url;
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function port(server: Server): number {
  return (server.address() as AddressInfo).port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
