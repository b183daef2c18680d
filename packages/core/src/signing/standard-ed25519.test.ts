import { describe, expect, it } from "vitest";
import { createCatalog } from "../catalog/catalog.ts";
import { createVerifier } from "../receiver/verifier.ts";
import { memoryStore } from "../store/memory.ts";
import { createSubscriptionService } from "../subscriptions/service.ts";
import { publicKeyFor, standardWebhooksEd25519 } from "./standard-ed25519.ts";
import { at, codeOf } from "./test-support.ts";

const scheme = standardWebhooksEd25519();

/**
 * Test vector of the Standard Webhooks reference Go library: standard-webhooks/standard-webhooks,
 * libraries/go/webhook_asymmetric_test.go (TestAsymmetricWebhookSign). The Go test passes the bare base64
 * seed; hookline writes signing keys with their `whsk_` prefix.
 */
const VECTOR = {
  key: "whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==",
};

describe("standard-v1a (ed25519)", () => {
  it("signs the reference vector byte for byte", () => {
    const h = scheme.sign({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: VECTOR.body,
      secrets: [VECTOR.key],
    });
    expect(h["webhook-signature"]).toBe(VECTOR.signature);
  });

  it("verifies the vector with the public key (and with the signing key's public half)", () => {
    const headers = {
      "webhook-id": VECTOR.id,
      "webhook-timestamp": String(VECTOR.timestamp),
      "webhook-signature": `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${VECTOR.signature}`,
    };
    const pub = publicKeyFor(VECTOR.key);
    expect(pub).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const opts = { now: at(VECTOR.timestamp) };
    expect(scheme.verify(headers, VECTOR.body, { ...opts, secrets: [pub] })).toEqual({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
    });
    expect(scheme.verify(headers, VECTOR.body, { ...opts, secrets: [VECTOR.key] }).id).toBe(VECTOR.id);
  });

  it("round-trips generated keys and rejects every tampering", () => {
    const sk = scheme.generateSecret();
    expect(sk).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    const pk = publicKeyFor(sk);
    const other = publicKeyFor(scheme.generateSecret());
    const body = new Uint8Array([1, 2, 3, 0xff]);
    const h = scheme.sign({ id: "msg_a", timestamp: 5000, body, secrets: [sk] });
    const opts = { secrets: [other, pk], now: at(5000) };
    expect(scheme.verify(h, body, opts).id).toBe("msg_a");

    expect(codeOf(() => scheme.verify(h, new Uint8Array([1, 2, 3, 0xfe]), opts))).toBe("signature_mismatch");
    expect(codeOf(() => scheme.verify({ ...h, "webhook-id": "msg_b" }, body, opts))).toBe(
      "signature_mismatch",
    );
    expect(codeOf(() => scheme.verify({ ...h, "webhook-timestamp": "5001" }, body, opts))).toBe(
      "signature_mismatch",
    );
    expect(codeOf(() => scheme.verify(h, body, { ...opts, secrets: [other] }))).toBe("signature_mismatch");
    const sig = h["webhook-signature"]!;
    const flipped = sig.slice(0, 10) + (sig[10] === "A" ? "B" : "A") + sig.slice(11);
    expect(codeOf(() => scheme.verify({ ...h, "webhook-signature": flipped }, body, opts))).toBe(
      "signature_mismatch",
    );
    expect(codeOf(() => scheme.verify({ ...h, "webhook-signature": "v1a," }, body, opts))).toBe(
      "invalid_signature_format",
    );
    expect(codeOf(() => scheme.verify({ ...h, "webhook-signature": sig.slice(0, 40) }, body, opts))).toBe(
      "invalid_signature_format",
    );
    expect(codeOf(() => scheme.verify(h, body, { ...opts, now: at(5000 + 301) }))).toBe("timestamp_too_old");
  });

  it("takes only whsk_/whpk_ keys of 32 bytes", () => {
    for (const bad of ["", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whpk_AAAA", "whsk_!!!"]) {
      expect(codeOf(() => scheme.assertSecret(bad))).toBe("invalid_secret");
    }
    expect(codeOf(() => publicKeyFor("whpk_" + "A".repeat(43) + "="))).toBe("invalid_secret");
    expect(() => scheme.assertSecret(publicKeyFor(scheme.generateSecret()), "verify")).not.toThrow();
  });

  it("signs only with a whsk_ key: a whpk_ public key is refused as a signing secret", () => {
    const whsk = scheme.generateSecret();
    const whpk = publicKeyFor(whsk);
    expect(() => scheme.assertSecret(whsk)).not.toThrow();
    expect(() => scheme.assertSecret(whsk, "sign")).not.toThrow();
    for (const use of [undefined, "sign"] as const) {
      expect(codeOf(() => scheme.assertSecret(whpk, use))).toBe("invalid_secret");
      expect(() => scheme.assertSecret(whpk, use)).toThrow(/whpk_" public key cannot sign/);
    }
    expect(() => scheme.assertSecret(whpk, "verify")).not.toThrow();
    expect(() => scheme.assertSecret(whsk, "verify")).not.toThrow();
  });

  it("gives receivers a verifier from the whpk_ key, and subscriptions refuse it", async () => {
    const whsk = scheme.generateSecret();
    const verifier = createVerifier({ scheme, secrets: publicKeyFor(whsk), now: at(5000) });
    const body = new TextEncoder().encode("{}");
    const headers = scheme.sign({ id: "msg_1", timestamp: 5000, body, secrets: [whsk] });
    expect((await verifier.verify({ headers, body })).kind).toBe("event");
    const service = createSubscriptionService({
      store: memoryStore(),
      catalog: createCatalog({ types: { "a.b": {} } }),
      schemes: { [scheme.name]: scheme },
      defaultScheme: scheme.name,
    });
    const base = { url: "https://a.example/hook", eventTypes: ["a.b"] };
    await expect(service.create("t", { ...base, secret: publicKeyFor(whsk) })).rejects.toMatchObject({
      code: "validation_failed",
      issues: [expect.objectContaining({ field: "secret", code: "invalid_secret" })],
    });
    await expect(service.create("t", { ...base, secret: whsk })).resolves.toMatchObject({ url: base.url });
  });
});
