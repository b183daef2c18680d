import { describe, expect, it } from "vitest";
import type { HttpClient, OutgoingRequest } from "../delivery/types.ts";
import type { Subscription } from "../model/types.ts";
import { hubSignature } from "../signing/hmac-header.ts";
import { standardWebhooks } from "../signing/standard.ts";
import { memoryDedupeStore as memoryDedupe } from "../store/dedupe-memory.ts";
import { collectBody } from "./body.ts";
import { HANDSHAKE_HEADER, verifyEndpoint } from "./handshake.ts";
import { createVerifier, noRelease } from "./verifier.ts";

const scheme = standardWebhooks();
const secret = scheme.generateSecret();
const NOW = 1_750_000_000_000;
const now = () => NOW;
const enc = (s: string) => new TextEncoder().encode(s);

function signed(payload: unknown, opts: { id?: string; at?: number; secret?: string } = {}) {
  const body = enc(JSON.stringify(payload));
  const headers = scheme.sign({
    id: opts.id ?? "msg_1",
    timestamp: Math.floor((opts.at ?? NOW) / 1000),
    body,
    secrets: [opts.secret ?? secret],
  });
  return { headers, body };
}

describe("createVerifier", () => {
  it("hands back the parsed, typed event", async () => {
    const v = createVerifier<{ n: number }>({ secrets: secret, now });
    const r = await v.verify(signed({ type: "a.b", timestamp: "2025-01-01T00:00:00Z", data: { n: 1 } }));
    if (!r.ok) throw new Error(`expected ok, got ${r.kind}`);
    expect(r.event).toMatchObject({ id: "msg_1", type: "a.b", data: { n: 1 } });
    expect(r.event.timestamp?.getTime()).toBe(Math.floor(NOW / 1000) * 1000);
  });

  it.each([
    ["missing header", (s: ReturnType<typeof signed>) => ({ ...s, headers: {} }), 400, "missing_header"],
    [
      "bad signature",
      (s: ReturnType<typeof signed>) => ({ ...s, body: enc('{"tampered":true}') }),
      401,
      "signature_mismatch",
    ],
  ])("rejects %s", async (_name, mutate, status, code) => {
    const r = await createVerifier({ secrets: secret, now }).verify(mutate(signed({ type: "x" })));
    expect(r).toMatchObject({ ok: false, kind: "rejected", status, problem: { code } });
    if (r.ok) return;
    expect(r.reply.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(r.reply.body)).toMatchObject({ status, code });
  });

  it("rejects a stale timestamp and a wrong secret with 401", async () => {
    const v = createVerifier({ secrets: [secret], now });
    const stale = await v.verify(signed({}, { at: NOW - 301_000 }));
    expect(stale).toMatchObject({ kind: "rejected", status: 401, problem: { code: "timestamp_too_old" } });
    const wrong = await v.verify(signed({}, { secret: scheme.generateSecret() }));
    expect(wrong).toMatchObject({ kind: "rejected", status: 401, problem: { code: "signature_mismatch" } });
  });

  it("accepts any of several secrets (rotation)", async () => {
    const old = scheme.generateSecret();
    const r = await createVerifier({ secrets: [secret, old], now }).verify(signed({}, { secret: old }));
    expect(r.ok).toBe(true);
  });

  it("rejects a body that is not JSON with 400 invalid_body", async () => {
    const body = enc("not json");
    const headers = scheme.sign({ id: "m", timestamp: NOW / 1000, body, secrets: [secret] });
    const r = await createVerifier({ secrets: secret, now }).verify({ headers, body });
    expect(r).toMatchObject({ kind: "rejected", status: 400, problem: { code: "invalid_body" } });
  });

  it("processes a message id once with dedupe; a duplicate is acknowledged 200 (or 409)", async () => {
    const v = createVerifier({ secrets: secret, now, dedupe: memoryDedupe() });
    const first = await v.verify(signed({ type: "x" }, { id: "dup" }));
    const again = await v.verify(signed({ type: "x" }, { id: "dup" }));
    expect(first.kind).toBe("event");
    expect(again).toMatchObject({ kind: "duplicate", status: 200 });
    if (again.kind === "duplicate")
      expect(JSON.parse(again.reply.body)).toEqual({ duplicate: true, id: "dup" });
    const strict = createVerifier({ secrets: secret, now, dedupe: memoryDedupe(), duplicateStatus: 409 });
    await strict.verify(signed({}, { id: "d2" }));
    expect(await strict.verify(signed({}, { id: "d2" }))).toMatchObject({ kind: "duplicate", status: 409 });
  });

  it("release() forgets the claimed id once, so the retry is an event again", async () => {
    const store = memoryDedupe();
    const released: string[] = [];
    const v = createVerifier({
      secrets: secret,
      now,
      dedupe: { claim: (k, ttl) => store.claim(k, ttl), release: async (k) => void released.push(k) },
    });
    const first = await v.verify(signed({}, { id: "r1" }));
    if (first.kind !== "event") throw new Error(`expected an event, got ${first.kind}`);
    await Promise.all([first.release(), first.release()]);
    await first.release();
    expect(released).toEqual(["r1"]);
    const real = createVerifier({ secrets: secret, now, dedupe: store });
    const claimed = await real.verify(signed({}, { id: "r2" }));
    expect((await real.verify(signed({}, { id: "r2" }))).kind).toBe("duplicate");
    if (claimed.kind === "event") await claimed.release();
    expect((await real.verify(signed({}, { id: "r2" }))).kind).toBe("event");
    expect((await real.verify(signed({}, { id: "r2" }))).kind).toBe("duplicate");
  });

  it("release() is a no-op without dedupe or a store release, and never rejects", async () => {
    const plain = await createVerifier({ secrets: secret, now }).verify(signed({}));
    const claimOnly = createVerifier({ secrets: secret, now, dedupe: { claim: async () => true } });
    const failing = createVerifier({
      secrets: secret,
      now,
      dedupe: {
        claim: async () => true,
        release: () => Promise.reject(new Error("store down")),
      },
    });
    for (const r of [plain, await claimOnly.verify(signed({})), await failing.verify(signed({}))]) {
      if (r.kind !== "event") throw new Error(`expected an event, got ${r.kind}`);
      await expect(r.release()).resolves.toBeUndefined();
    }
  });

  it("hands out noRelease when nothing was claimed, so adapters can skip watching the response", async () => {
    const plain = await createVerifier({ secrets: secret, now }).verify(signed({}));
    const claimOnly = await createVerifier({
      secrets: secret,
      now,
      dedupe: { claim: async () => true },
    }).verify(signed({}));
    const hub = hubSignature();
    const hubSecret = hub.generateSecret();
    const body = enc('{"type":"x"}'); // no id in the headers nor in the payload: nothing to claim
    const noId = await createVerifier({ scheme: hub, secrets: hubSecret, dedupe: memoryDedupe() }).verify({
      headers: hub.sign({ id: "ignored", timestamp: 0, body, secrets: [hubSecret] }),
      body,
    });
    for (const r of [plain, claimOnly, noId]) {
      if (r.kind !== "event") throw new Error(`expected an event, got ${r.kind}`);
      expect(r.release).toBe(noRelease);
    }
    const claimed = await createVerifier({ secrets: secret, now, dedupe: memoryDedupe() }).verify(signed({}));
    if (claimed.kind !== "event") throw new Error(`expected an event, got ${claimed.kind}`);
    expect(claimed.release).not.toBe(noRelease);
  });

  it("never claims an id for a request that failed verification", async () => {
    const v = createVerifier({ secrets: secret, now, dedupe: memoryDedupe() });
    await v.verify(signed({}, { id: "x", secret: scheme.generateSecret() }));
    expect((await v.verify(signed({}, { id: "x" }))).kind).toBe("event");
  });

  it("reads a Request body within the limit and answers 413 above it", async () => {
    const v = createVerifier({ secrets: secret, now, bodyLimitBytes: 64 });
    const ok = signed({ a: 1 });
    const req = new Request("http://h/", { method: "POST", headers: ok.headers, body: ok.body });
    expect((await v.verifyRequest(req)).ok).toBe(true);
    const big = signed({ a: "x".repeat(100) });
    const res = await v.verifyRequest(
      new Request("http://h/", { method: "POST", headers: big.headers, body: big.body }),
    );
    expect(res).toMatchObject({ kind: "rejected", status: 413, problem: { code: "payload_too_large" } });
  });

  it("needs at least one secret, each in the scheme's format", () => {
    expect(() => createVerifier({ secrets: [] })).toThrow(/secret/);
    expect(() => createVerifier({ secrets: ["not-a-whsec"] })).toThrow(
      expect.objectContaining({ code: "invalid_secret" }),
    );
  });
});

describe("collectBody", () => {
  it("joins chunks and stops at the limit", async () => {
    async function* gen() {
      yield enc("ab");
      yield "cd";
    }
    expect(new TextDecoder().decode(await collectBody(gen(), 4))).toBe("abcd");
    await expect(collectBody(gen(), 3)).rejects.toMatchObject({ code: "payload_too_large", status: 413 });
  });
});

describe("handshake", () => {
  const subscription = {
    url: "https://example.test/hook",
    secrets: [{ id: "s", value: secret, createdAt: new Date(0), expiresAt: null }],
  } as unknown as Subscription;

  /** An HttpClient that hands the request to a verifier, like a receiver would. */
  function loopback(tamper?: (r: OutgoingRequest) => OutgoingRequest): HttpClient {
    const v = createVerifier({ secrets: secret, now });
    return {
      async send(request) {
        const r = tamper ? tamper(request) : request;
        const result = await v.verify({ headers: r.headers, body: r.body ?? new Uint8Array() });
        const reply = result.ok ? { status: 204, body: "" } : result.reply;
        return {
          status: reply.status,
          headers: {},
          body: reply.body,
          durationMs: 1,
          errorKind: null,
          error: null,
        };
      },
      async close() {},
    };
  }

  it("succeeds when the receiver middleware answers the challenge", async () => {
    expect(await verifyEndpoint(subscription, { httpClient: loopback(), scheme, now })).toBe(true);
  });

  it("fails when the challenge header does not match or the receiver holds another secret", async () => {
    const other = loopback((r) => ({ ...r, headers: { ...r.headers, [HANDSHAKE_HEADER]: "nope" } }));
    expect(await verifyEndpoint(subscription, { httpClient: other, scheme, now })).toBe(false);
    const wrongSecret = {
      ...subscription,
      secrets: [{ id: "s", value: scheme.generateSecret(), createdAt: new Date(0), expiresAt: null }],
    };
    expect(await verifyEndpoint(wrongSecret, { httpClient: loopback(), scheme, now })).toBe(false);
  });

  it("does not answer the handshake when disabled", async () => {
    const v = createVerifier({ secrets: secret, now, handshake: false });
    const s = signed({ type: "webhook.verification", challenge: "c" });
    const r = await v.verify({ headers: { ...s.headers, [HANDSHAKE_HEADER]: "c" }, body: s.body });
    expect(r.kind).toBe("event");
  });
});
