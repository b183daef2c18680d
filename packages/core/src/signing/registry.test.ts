import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { hmacHeader } from "./hmac-header.ts";
import { defaultSchemes, resolveScheme, signWebhook, verifyWebhook } from "./registry.ts";
import { standardWebhooks } from "./standard.ts";
import { at, codeOf } from "./test-support.ts";
import { tokenHeader } from "./token.ts";
import type { RawBody } from "./types.ts";
import { unsigned } from "./unsigned.ts";

describe("registry", () => {
  it("holds the six built-in schemes under their names", () => {
    const all = defaultSchemes();
    expect(Object.keys(all).sort()).toEqual(["hub", "none", "standard", "standard-v1a", "stripe", "token"]);
    for (const [name, scheme] of Object.entries(all)) expect(scheme.name).toBe(name);
  });

  it("resolves names and passes schemes through; unknown names are validation errors", () => {
    expect(resolveScheme("hub").name).toBe("hub");
    const custom = hmacHeader({ header: "x-sig", name: "custom" });
    expect(resolveScheme(custom)).toBe(custom);
    expect(resolveScheme("custom", { custom }).name).toBe("custom");
    expect(codeOf(() => resolveScheme("nope"))).toBe("validation_failed");
    expect(codeOf(() => resolveScheme("toString"))).toBe("validation_failed");
  });

  it("every built-in scheme round-trips through signWebhook / verifyWebhook", () => {
    for (const scheme of Object.values(defaultSchemes())) {
      const secret = scheme.generateSecret();
      scheme.assertSecret(secret);
      const headers = signWebhook(scheme.name, {
        id: "msg_rt",
        timestamp: 777,
        body: "{}",
        secrets: [secret],
      });
      const verified = verifyWebhook(new Headers(headers), "{}", {
        scheme: scheme.name,
        secrets: [secret],
        now: at(777),
      });
      expect(verified.id).toBe(scheme.signsTimestamp && scheme.name !== "stripe" ? "msg_rt" : null);
    }
  });

  it("verifyWebhook defaults to Standard Webhooks v1 with the 5-minute window", () => {
    const secret = standardWebhooks().generateSecret();
    const h = signWebhook("standard", { id: "m", timestamp: 1000, body: "x", secrets: [secret] });
    expect(verifyWebhook(h, "x", { secrets: [secret], now: at(1300) }).id).toBe("m");
    expect(codeOf(() => verifyWebhook(h, "x", { secrets: [secret], now: at(1301) }))).toBe(
      "timestamp_too_old",
    );
    expect(
      codeOf(() => verifyWebhook(h, "x", { secrets: [secret], now: at(1300), toleranceSeconds: -1 })),
    ).toBe("validation_failed");
    expect(codeOf(() => verifyWebhook(h, "x", { secrets: [secret], now: () => Number.NaN }))).toBe(
      "validation_failed",
    );
  });

  it("reads Node IncomingHttpHeaders", () => {
    const secret = standardWebhooks().generateSecret();
    const h = signWebhook("standard", { id: "m", timestamp: 1000, body: "x", secrets: [secret] });
    const node: IncomingHttpHeaders = { ...h, host: "example.test", "set-cookie": ["a=1", "b=2"] };
    expect(verifyWebhook(node, "x", { secrets: [secret], now: at(1000) }).id).toBe("m");
  });
});

describe("token", () => {
  const scheme = tokenHeader({ header: "X-Verification-Token" });
  it("sends the token verbatim and verifies by equality with any accepted token", () => {
    const token = scheme.generateSecret();
    expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const h = scheme.sign({ id: "m", timestamp: 1, body: "{}", secrets: [token] });
    expect(h).toEqual({ "x-verification-token": token });
    expect(scheme.verify(h, "{}", { secrets: ["old-token", token] })).toEqual({ id: null, timestamp: null });
    expect(
      codeOf(() => scheme.verify({ "x-verification-token": token + "x" }, "{}", { secrets: [token] })),
    ).toBe("signature_mismatch");
    expect(codeOf(() => scheme.verify({}, "{}", { secrets: [token] }))).toBe("missing_header");
    expect(codeOf(() => scheme.assertSecret("has space"))).toBe("invalid_secret");
    expect(scheme.signsTimestamp).toBe(false);
  });
});

describe("none", () => {
  it("adds no headers and always passes, but still refuses parsed bodies", () => {
    const scheme = unsigned();
    expect(scheme.sign({ id: "m", timestamp: 1, body: "{}", secrets: [] })).toEqual({});
    expect(scheme.verify({}, "{}", { secrets: [] })).toEqual({ id: null, timestamp: null });
    expect(codeOf(() => scheme.verify({}, { a: 1 } as unknown as RawBody, { secrets: [] }))).toBe(
      "invalid_body",
    );
  });
});
