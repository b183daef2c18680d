import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HooklineError } from "../src/errors.ts";
import { createHookline } from "../src/hookline.ts";
import { createVerifier } from "../src/receiver/verifier.ts";
import { standardWebhooks } from "../src/signing/standard.ts";

// A receiver that verifies with `secret` and answers the handshake the way hookline's middleware does.
const scheme = standardWebhooks();
const secret = scheme.generateSecret();
const verifier = createVerifier({ secrets: [secret] });
let server: Server;
let base = "";
let handshakes = 0;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url === "/silent") return void res.writeHead(204).end();
    const result = await verifier.verify({
      headers: req.headers,
      body: new Uint8Array(Buffer.concat(chunks)),
    });
    if (!result.ok) {
      if (result.kind === "handshake") handshakes++;
      res.writeHead(result.reply.status, result.reply.headers).end(result.reply.body);
      return;
    }
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const hooklineWithHandshake = () =>
  createHookline({
    subscriptions: { verification: "handshake" },
    delivery: { ssrf: { allow: ["127.0.0.1"] }, timeoutMs: 2_000 },
  });

describe("endpoint verification handshake (subscriptions.verification: 'handshake')", () => {
  it("activates a subscription whose endpoint answers the signed challenge", async () => {
    const webhooks = hooklineWithHandshake();
    const before = handshakes;
    const sub = await webhooks.subscriptions.create("t1", {
      url: `${base}/hooks`,
      eventTypes: ["*"],
      secret,
    });
    expect(sub.status).toBe("active");
    expect(handshakes).toBe(before + 1);
    await webhooks.close();
  });

  it("refuses (422 endpoint_unverified) and keeps nothing when the endpoint cannot answer", async () => {
    const webhooks = hooklineWithHandshake();
    for (const input of [
      { url: `${base}/hooks`, eventTypes: ["*"], secret: scheme.generateSecret() }, // wrong secret
      { url: `${base}/silent`, eventTypes: ["*"], secret }, // answers 204 without the challenge
    ]) {
      const err = await webhooks.subscriptions.create("t1", input).catch((e: unknown) => e);
      expect(HooklineError.is(err, "validation_failed")).toBe(true);
      expect((err as HooklineError).status).toBe(422);
      expect((err as HooklineError).issues[0]).toMatchObject({ field: "url", code: "endpoint_unverified" });
    }
    expect((await webhooks.subscriptions.list("t1")).total).toBe(0);
    await webhooks.close();
  });

  it("verifies a changed URL before storing it", async () => {
    const webhooks = hooklineWithHandshake();
    const sub = await webhooks.subscriptions.create("t1", {
      url: `${base}/hooks`,
      eventTypes: ["*"],
      secret,
    });
    const err = await webhooks.subscriptions
      .update("t1", sub.id, { url: `${base}/silent` })
      .catch((e: unknown) => e);
    expect(HooklineError.is(err, "validation_failed")).toBe(true);
    expect((await webhooks.subscriptions.get("t1", sub.id)).url).toBe(`${base}/hooks`);
    const moved = await webhooks.subscriptions.update("t1", sub.id, { url: `${base}/hooks?v=2` });
    expect(moved.url).toBe(`${base}/hooks?v=2`);
    await webhooks.close();
  });

  it("cannot be bypassed: URI templates and secretless subscriptions are refused, nothing kept", async () => {
    const webhooks = hooklineWithHandshake();
    const template = await webhooks.subscriptions
      .create("t1", { url: `${base}/silent?t=\${tenant}`, eventTypes: ["*"], secret })
      .catch((e: unknown) => e);
    expect((template as HooklineError).issues[0]).toMatchObject({
      field: "url",
      code: "endpoint_unverifiable",
    });
    // no secret to sign the challenge with: unverified (422), never a 500 and never a stored paused row
    const secretless = await webhooks.subscriptions
      .create("t1", { url: `${base}/hooks`, eventTypes: ["*"], secret: null })
      .catch((e: unknown) => e);
    expect(HooklineError.is(secretless, "validation_failed")).toBe(true);
    expect((secretless as HooklineError).issues[0]).toMatchObject({ code: "endpoint_unverified" });
    expect((await webhooks.subscriptions.list("t1")).total).toBe(0);
    await webhooks.close();
  });

  it("verifies again before resuming a paused subscription", async () => {
    const webhooks = hooklineWithHandshake();
    const sub = await webhooks.subscriptions.create("t1", {
      url: `${base}/hooks`,
      eventTypes: ["*"],
      secret,
      status: "paused",
    });
    expect(sub.status).toBe("paused");
    // the endpoint now holds another secret: it can no longer answer, so resume is refused
    await webhooks.subscriptions.rotateSecret("t1", sub.id, { secret: scheme.generateSecret(), graceMs: 0 });
    const err = await webhooks.subscriptions.resume("t1", sub.id).catch((e: unknown) => e);
    expect((err as HooklineError).issues[0]).toMatchObject({ code: "endpoint_unverified" });
    expect((await webhooks.subscriptions.get("t1", sub.id)).status).toBe("paused");
    await webhooks.close();
  });

  it("is off by default: no request is made at subscribe time", async () => {
    const webhooks = createHookline({ delivery: { ssrf: { allow: ["127.0.0.1"] } } });
    const before = handshakes;
    const sub = await webhooks.subscriptions.create("t1", { url: `${base}/silent`, eventTypes: ["*"] });
    expect(sub.status).toBe("active");
    expect(handshakes).toBe(before);
    await webhooks.close();
  });
});
