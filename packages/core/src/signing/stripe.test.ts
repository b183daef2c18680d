import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { stripeSignature } from "./stripe.ts";
import { at, codeOf } from "./test-support.ts";

const scheme = stripeSignature();
const stripe = new Stripe("sk_test_hookline");
const NOW = 1_700_000_000;
const body = JSON.stringify({ id: "evt_1", object: "event", type: "invoice.paid", data: { object: {} } });

describe("stripe (t=…,v1=…)", () => {
  it("what hookline signs, stripe.webhooks.constructEvent accepts", () => {
    const secret = scheme.generateSecret();
    const h = scheme.sign({ id: "evt_1", timestamp: NOW, body, secrets: [secret] });
    const event = stripe.webhooks.constructEvent(body, h["stripe-signature"]!, secret, 300, undefined, NOW);
    expect(event.id).toBe("evt_1");
    expect(() =>
      stripe.webhooks.constructEvent(body + " ", h["stripe-signature"]!, secret, 300, undefined, NOW),
    ).toThrow();
  });

  it("what stripe.webhooks.generateTestHeaderString signs, hookline verifies", () => {
    const secret = "whsec_test_secret_from_dashboard";
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: NOW });
    expect(scheme.verify({ "Stripe-Signature": header }, body, { secrets: [secret], now: at(NOW) })).toEqual({
      id: null,
      timestamp: NOW,
    });
    expect(
      codeOf(() =>
        scheme.verify({ "stripe-signature": header }, body, { secrets: ["whsec_other"], now: at(NOW) }),
      ),
    ).toBe("signature_mismatch");
  });

  it("signs one v1 per secret and verifies with any", () => {
    const h = scheme.sign({ id: "e", timestamp: NOW, body, secrets: ["a", "b"] });
    expect(h["stripe-signature"]).toMatch(/^t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(scheme.verify(h, body, { secrets: ["b"], now: at(NOW) }).timestamp).toBe(NOW);
  });

  it("enforces the two-sided tolerance and rejects malformed headers", () => {
    const h = scheme.sign({ id: "e", timestamp: NOW, body, secrets: ["a"] });
    const v = (header: string, now = NOW) =>
      codeOf(() => scheme.verify({ "stripe-signature": header }, body, { secrets: ["a"], now: at(now) }));
    const line = h["stripe-signature"]!;
    expect(v(line, NOW + 301)).toBe("timestamp_too_old");
    expect(v(line, NOW - 301)).toBe("timestamp_in_future");
    expect(v(line.replace(/^t=\d+/, "t=abc"))).toBe("invalid_timestamp");
    expect(v(line.replace(/^t=\d+,/, ""))).toBe("invalid_header");
    expect(v(`t=${NOW},v0=abc`)).toBe("invalid_signature_format");
    expect(v(`t=${NOW},v1=`)).toBe("invalid_signature_format");
    expect(v(`t=${NOW},t=${NOW},${line.split(",")[1]}`)).toBe("invalid_header");
    expect(v("garbage")).toBe("invalid_header");
    expect(codeOf(() => scheme.verify({}, body, { secrets: ["a"], now: at(NOW) }))).toBe("missing_header");
  });
});
