/**
 * Property: whatever a sender puts in headers, body and timestamp, a verifier either accepts the untouched
 * signed request or throws a `WebhookVerificationError` with a known code — never another error, never a pass.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type HooklineErrorCode, WebhookVerificationError } from "../errors.ts";
import { hubSignature } from "./hmac-header.ts";
import { standardWebhooks } from "./standard.ts";
import { standardWebhooksEd25519 } from "./standard-ed25519.ts";
import { stripeSignature } from "./stripe.ts";
import { at } from "./test-support.ts";
import { tokenHeader } from "./token.ts";
import type { HeaderSource, RawBody, SigningScheme } from "./types.ts";

const KNOWN: readonly HooklineErrorCode[] = [
  "missing_header",
  "invalid_header",
  "invalid_signature_format",
  "signature_mismatch",
  "timestamp_too_old",
  "timestamp_in_future",
  "invalid_timestamp",
  "invalid_body",
];

const SCHEMES: readonly SigningScheme[] = [
  standardWebhooks(),
  standardWebhooksEd25519(),
  hubSignature(),
  stripeSignature(),
  tokenHeader(),
];
const SECRETS = new Map(SCHEMES.map((s) => [s.name, s.generateSecret()]));
const HEADER_NAMES = [
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "svix-id",
  "svix-timestamp",
  "svix-signature",
  "x-hub-signature-256",
  "stripe-signature",
  "x-webhook-token",
];
const NOW = 1_700_000_000;

/** Verifies and reports the outcome: "pass", or the error code of a well-typed rejection. */
function outcome(scheme: SigningScheme, headers: unknown, body: unknown, nowSeconds = NOW): string {
  try {
    scheme.verify(headers as HeaderSource, body as RawBody, {
      secrets: [SECRETS.get(scheme.name)!],
      now: at(nowSeconds),
    });
    return "pass";
  } catch (err) {
    if (!WebhookVerificationError.is(err)) throw err;
    expect(KNOWN).toContain(err.code);
    return err.code;
  }
}

const schemeArb = fc.constantFrom(...SCHEMES);
const textArb = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.constantFrom("", "v1,", "v1a,", "sha256=", "t=,v1=", "t=1,v1=", " ", "v1, v1,", "0", "-1", "1e9"),
  fc.constant("v1,".repeat(3000)),
);
const headerValueArb = fc.oneof(
  textArb,
  fc.array(textArb, { maxLength: 3 }),
  fc.integer(),
  fc.constant(null),
);
const headersArb = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 20 })), headerValueArb, {
    maxKeys: 8,
  }),
  fc.constantFrom(null, undefined, "webhook-id: x", 42),
);
const bodyArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.object({ maxDepth: 2 }),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.constantFrom(null, undefined, 0, true),
);

/** A change to one header value that is guaranteed to alter it. */
const mutationArb = fc.record({
  header: fc.nat(),
  kind: fc.constantFrom("replace-char", "truncate", "append", "prefix", "empty", "delete"),
  at: fc.nat(),
  char: fc.constantFrom("A", "b", "0", "9", "+", "/", "=", ",", " ", "-", "_", "é"),
});

interface Mutation {
  kind: string;
  at: number;
  char: string;
}

function mutate(value: string, m: Mutation): string | undefined {
  const i = value.length === 0 ? 0 : m.at % value.length;
  switch (m.kind) {
    case "replace-char": {
      const c = value[i] === m.char ? (m.char === "A" ? "B" : "A") : m.char;
      return value.slice(0, i) + c + value.slice(i + 1);
    }
    case "truncate":
      return value.slice(0, i);
    case "append":
      return value + m.char;
    case "prefix":
      return m.char + value;
    case "empty":
      return "";
    default:
      return undefined;
  }
}

describe("verify under random input (fast-check)", () => {
  it("random headers and bodies are always rejected with a known code", () => {
    fc.assert(
      fc.property(
        schemeArb,
        headersArb,
        bodyArb,
        fc.integer({ min: 0, max: 2 * NOW }),
        (scheme, headers, body, now) => {
          expect(outcome(scheme, headers, body, now)).not.toBe("pass");
        },
      ),
      { numRuns: 600 },
    );
  });

  it("a signed request passes untouched and fails after any change to a header, the body or the clock", () => {
    fc.assert(
      fc.property(
        schemeArb,
        fc.oneof(fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 })),
        fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\r\n\0]/.test(s)),
        mutationArb,
        fc.constantFrom("header", "body", "late", "early"),
        (scheme, body, id, m, target) => {
          const secret = SECRETS.get(scheme.name)!;
          const headers = scheme.sign({ id, timestamp: NOW, body, secrets: [secret] });
          expect(outcome(scheme, headers, body)).toBe("pass");
          if (target === "late" || target === "early") {
            if (!scheme.signsTimestamp) return;
            const code = outcome(
              scheme,
              headers,
              body,
              target === "late" ? NOW + 301 + m.at : NOW - 301 - m.at,
            );
            expect(code).toBe(target === "late" ? "timestamp_too_old" : "timestamp_in_future");
            return;
          }
          if (target === "body") {
            // A static token proves the sender, not the body: body changes pass by design.
            if (scheme.name === "token") return;
            const changed =
              typeof body === "string"
                ? mutate(body, { ...m, kind: "append" })!
                : new Uint8Array([...body, m.at % 256]);
            expect(outcome(scheme, headers, changed)).not.toBe("pass");
            return;
          }
          const names = Object.keys(headers);
          const name = names[m.header % names.length]!;
          const value = mutate(headers[name]!, m);
          const changed = { ...headers };
          if (value === undefined) delete changed[name];
          else changed[name] = value;
          // A space appended or prepended is header whitespace, not a change of value (HTTP trims it).
          if (value !== undefined && value.trim() === headers[name]) return;
          expect(outcome(scheme, changed, body)).not.toBe("pass");
        },
      ),
      { numRuns: 600 },
    );
  });
});
