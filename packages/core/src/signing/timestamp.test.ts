import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.ts";
import { createVerifier } from "../receiver/verifier.ts";
import { hubSignature } from "./hmac-header.ts";
import { verifyWebhook } from "./registry.ts";
import { standardWebhooks } from "./standard.ts";
import { standardWebhooksEd25519 } from "./standard-ed25519.ts";
import { stripeSignature } from "./stripe.ts";
import { at, codeOf } from "./test-support.ts";
import { assertToleranceFor, checkTolerance, parseTimestamp } from "./timestamp.ts";
import { tokenHeader } from "./token.ts";

const timestamped = [standardWebhooks(), standardWebhooksEd25519(), stripeSignature()];
const untimestamped = [hubSignature(), tokenHeader()];

describe("toleranceSeconds: false", () => {
  it.each(timestamped)("is refused up front for $name, which signs a timestamp", (scheme) => {
    let caught: unknown;
    try {
      assertToleranceFor(scheme, false);
    } catch (err) {
      caught = err;
    }
    expect(ValidationError.is(caught)).toBe(true);
    expect((caught as ValidationError).code).toBe("validation_failed");
    expect((caught as ValidationError).issues).toEqual([
      expect.objectContaining({ field: "toleranceSeconds", code: "not_allowed" }),
    ]);
    expect((caught as ValidationError).message).toMatch(/not allowed for scheme /);
  });

  it.each(untimestamped)("is accepted for $name, which signs no timestamp", (scheme) => {
    expect(() => assertToleranceFor(scheme, false)).not.toThrow();
  });

  it("is refused by checkTolerance, which only timestamped schemes call", () => {
    expect(codeOf(() => checkTolerance(1_000_000_000, { secrets: ["x"], toleranceSeconds: false }))).toBe(
      "validation_failed",
    );
  });

  it("fails createVerifier at creation for a timestamped scheme, not per request", () => {
    const secret = standardWebhooks().generateSecret();
    expect(codeOf(() => createVerifier({ secrets: secret, toleranceSeconds: false }))).toBe(
      "validation_failed",
    );
    const hub = hubSignature();
    expect(() => createVerifier({ scheme: hub, secrets: "s3cret", toleranceSeconds: false })).not.toThrow();
  });

  it("fails verifyWebhook before looking at the request", () => {
    const secret = standardWebhooks().generateSecret();
    expect(codeOf(() => verifyWebhook({}, "{}", { secrets: [secret], toleranceSeconds: false }))).toBe(
      "validation_failed",
    );
  });
});

describe("assertToleranceFor", () => {
  it("accepts numbers and the default, refuses other values", () => {
    const scheme = standardWebhooks();
    for (const t of [undefined, 0, 300, 1.5]) expect(() => assertToleranceFor(scheme, t)).not.toThrow();
    for (const t of [-1, Number.NaN, Number.POSITIVE_INFINITY, "300" as unknown as number]) {
      expect(codeOf(() => assertToleranceFor(scheme, t))).toBe("validation_failed");
    }
  });

  it("leaves the window check itself unchanged", () => {
    const opts = { secrets: ["x"], toleranceSeconds: 5, now: at(1000) };
    expect(() => checkTolerance(995, opts)).not.toThrow();
    expect(codeOf(() => checkTolerance(994, opts))).toBe("timestamp_too_old");
    expect(codeOf(() => checkTolerance(1006, opts))).toBe("timestamp_in_future");
  });
});

describe("parseTimestamp", () => {
  /** The rule it implements: canonical decimal seconds, no sign, no leading zero, at most 12 digits. */
  const CANONICAL = /^(?:0|[1-9][0-9]{0,11})$/;
  const outcome = (text: string): number | string => {
    try {
      return parseTimestamp(text, "webhook-timestamp");
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  const expected = (text: string): number | string =>
    CANONICAL.test(text) ? Number(text) : "invalid_timestamp";

  it("accepts exactly canonical decimal seconds", () => {
    for (const text of ["0", "7", "1614265330", "999999999999"]) expect(outcome(text)).toBe(Number(text));
    for (const text of ["", "00", "01", "1000000000000", "-1", "+1", "1.5", "1e9", " 1", "1 ", "0x1", "١٢"]) {
      expect(outcome(text)).toBe("invalid_timestamp");
    }
  });

  it("agrees with the canonical pattern and Number() on any text", () => {
    const digitsArb = fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 14 });
    fc.assert(
      fc.property(fc.oneof(digitsArb, fc.string({ maxLength: 14 })), (text) => {
        expect(outcome(text)).toBe(expected(text));
      }),
      { numRuns: 2000 },
    );
  });
});
