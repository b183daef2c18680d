import { createHmac } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { standardWebhooks } from "./standard.ts";
import { at, codeOf } from "./test-support.ts";
import type { HeaderSource, RawBody, VerifyOptions } from "./types.ts";

const scheme = standardWebhooks();

/**
 * Test vectors of the Standard Webhooks reference libraries: standard-webhooks/standard-webhooks,
 * libraries/javascript/src/webhook.test.ts ("sign function works", defaultMsgID / defaultPayload /
 * defaultSecret) — the same vector appears in the Go, Python and Rust libraries' tests.
 */
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
/** From the same file ("multi sig payload is valid"): signatures that must be skipped, not matched. */
const FOREIGN_SIGS = [
  "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
  "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
];

const vectorHeaders = (signature = VECTOR.signature): Record<string, string> => ({
  "webhook-id": VECTOR.id,
  "webhook-timestamp": String(VECTOR.timestamp),
  "webhook-signature": signature,
});
const vectorOpts = (extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
  secrets: [VECTOR.secret],
  now: at(VECTOR.timestamp),
  ...extra,
});

describe("standard (v1): Standard Webhooks test vectors", () => {
  it("signs the reference vector byte for byte", () => {
    const h = scheme.sign({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
      body: VECTOR.body,
      secrets: [VECTOR.secret],
    });
    expect(h).toEqual(vectorHeaders());
  });

  it("verifies the reference vector, with and without the whsec_ prefix", () => {
    expect(scheme.verify(vectorHeaders(), VECTOR.body, vectorOpts())).toEqual({
      id: VECTOR.id,
      timestamp: VECTOR.timestamp,
    });
    const bare = VECTOR.secret.slice("whsec_".length);
    expect(scheme.verify(vectorHeaders(), VECTOR.body, vectorOpts({ secrets: [bare] })).id).toBe(VECTOR.id);
  });

  it("finds the valid signature among foreign ones (multi sig payload)", () => {
    const line = [...FOREIGN_SIGS, VECTOR.signature, FOREIGN_SIGS[0]].join(" ");
    expect(scheme.verify(vectorHeaders(line), VECTOR.body, vectorOpts()).id).toBe(VECTOR.id);
  });

  it("rejects the reference's invalid and partial signatures", () => {
    expect(
      codeOf(() => scheme.verify(vectorHeaders("v1,dawfeoifkpqwoekfpqoekf"), VECTOR.body, vectorOpts())),
    ).toBe("invalid_signature_format");
    expect(
      codeOf(() => scheme.verify(vectorHeaders(VECTOR.signature.slice(0, 8)), VECTOR.body, vectorOpts())),
    ).toBe("invalid_signature_format");
    expect(codeOf(() => scheme.verify(vectorHeaders("v1,"), VECTOR.body, vectorOpts()))).toBe(
      "invalid_signature_format",
    );
    expect(
      codeOf(() => scheme.verify(vectorHeaders(FOREIGN_SIGS.join(" ")), VECTOR.body, vectorOpts())),
    ).toBe("signature_mismatch");
  });

  it("rejects missing headers, bad and stale timestamps like the reference", () => {
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const h = vectorHeaders();
      delete h[name];
      expect(codeOf(() => scheme.verify(h, VECTOR.body, vectorOpts()))).toBe("missing_header");
    }
    const bad = { ...vectorHeaders(), "webhook-timestamp": "hello" };
    expect(codeOf(() => scheme.verify(bad, VECTOR.body, vectorOpts()))).toBe("invalid_timestamp");
    expect(
      codeOf(() =>
        scheme.verify(vectorHeaders(), VECTOR.body, vectorOpts({ now: at(VECTOR.timestamp + 301) })),
      ),
    ).toBe("timestamp_too_old");
    expect(
      codeOf(() =>
        scheme.verify(vectorHeaders(), VECTOR.body, vectorOpts({ now: at(VECTOR.timestamp - 301) })),
      ),
    ).toBe("timestamp_in_future");
  });
});

describe("standard (v1): rules", () => {
  it("accepts exactly the 300 s window on both sides by default", () => {
    expect(() =>
      scheme.verify(vectorHeaders(), VECTOR.body, vectorOpts({ now: at(VECTOR.timestamp + 300) })),
    ).not.toThrow();
    expect(() =>
      scheme.verify(vectorHeaders(), VECTOR.body, vectorOpts({ now: at(VECTOR.timestamp - 300) })),
    ).not.toThrow();
  });

  it("honours a custom tolerance, and refuses to turn the check off (false) for this timestamped scheme", () => {
    const late = vectorOpts({ now: at(VECTOR.timestamp + 10) });
    expect(codeOf(() => scheme.verify(vectorHeaders(), VECTOR.body, { ...late, toleranceSeconds: 5 }))).toBe(
      "timestamp_too_old",
    );
    const ancient = vectorOpts({ now: at(VECTOR.timestamp + 10 ** 7) });
    expect(
      codeOf(() => scheme.verify(vectorHeaders(), VECTOR.body, { ...ancient, toleranceSeconds: undefined })),
    ).toBe("timestamp_too_old");
    expect(
      codeOf(() => scheme.verify(vectorHeaders(), VECTOR.body, { ...ancient, toleranceSeconds: false })),
    ).toBe("validation_failed");
  });

  it("refuses a parsed body with a clear message", () => {
    const parsed = JSON.parse(VECTOR.body) as unknown as RawBody;
    expect(() => scheme.verify(vectorHeaders(), parsed, vectorOpts())).toThrow(
      /pass the raw body, not a parsed object/,
    );
    expect(codeOf(() => scheme.verify(vectorHeaders(), parsed, vectorOpts()))).toBe("invalid_body");
  });

  it("verifies Uint8Array bodies, and non-UTF-8 bytes byte-exactly", () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7b]);
    const secret = scheme.generateSecret();
    const h = scheme.sign({ id: "msg_1", timestamp: 1000, body: bytes, secrets: [secret] });
    const opts = { secrets: [secret], now: at(1000) };
    expect(scheme.verify(h, bytes, opts).id).toBe("msg_1");
    // Decoding the bytes as UTF-8 changes them (replacement characters): that must not verify.
    expect(codeOf(() => scheme.verify(h, new TextDecoder().decode(bytes), opts))).toBe("signature_mismatch");
    const flipped = bytes.slice();
    flipped[0] = 0xfe;
    expect(codeOf(() => scheme.verify(h, flipped, opts))).toBe("signature_mismatch");
  });

  it("signs with every live secret and verifies with any of several (rotation)", () => {
    const [a, b, c] = [scheme.generateSecret(), scheme.generateSecret(), scheme.generateSecret()];
    const h = scheme.sign({ id: "msg_2", timestamp: 2000, body: "{}", secrets: [a, b] });
    expect(h["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(scheme.verify(h, "{}", { secrets: [c, b], now: at(2000) }).id).toBe("msg_2");
    expect(codeOf(() => scheme.verify(h, "{}", { secrets: [c], now: at(2000) }))).toBe("signature_mismatch");
  });

  it("signs with the prepared pads exactly as createHmac does: every secret, key size and body", () => {
    /** The `v1` signature of createHmac, keyed with the secret's decoded bytes. */
    const reference = (secret: string, id: string, timestamp: number, body: string | Uint8Array) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
      const mac = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64");
      return `v1,${mac}`;
    };
    const keyOf = (bytes: number, prefix = "whsec_") =>
      prefix +
      Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37 + bytes) & 0xff)).toString("base64");
    // 1 byte, a typical 24/32, exactly one block (64), longer than a block (hashed first), bare base64.
    const secrets = [keyOf(1), keyOf(24), keyOf(32), keyOf(64), keyOf(65), keyOf(100), keyOf(32, "")];
    const bodies: (string | Uint8Array)[] = [
      "",
      '{"type":"invoice.paid","data":{"amount":4200}}',
      "é ✓ 🚀 non-ASCII text",
      new Uint8Array([0xff, 0x00, 0x80, 0xc3, 0x28]),
      "x".repeat(70_000), // past the scratch buffer: hashed as a stream
    ];
    for (const body of bodies) {
      const h = scheme.sign({ id: "msg_pads", timestamp: 1_700_000_000, body, secrets });
      const expected = secrets.map((s) => reference(s, "msg_pads", 1_700_000_000, body));
      expect(h["webhook-signature"]).toBe(expected.join(" "));
      // And again with the cached pads (the second signature of a secret reuses them).
      const again = scheme.sign({ id: "msg_pads", timestamp: 1_700_000_000, body, secrets });
      expect(again).toEqual(h);
    }
    // A non-ASCII id changes the prefix encoding path.
    const h = scheme.sign({ id: "msg_é", timestamp: 5, body: "{}", secrets: [secrets[2]!] });
    expect(h["webhook-signature"]).toBe(reference(secrets[2]!, "msg_é", 5, "{}"));
  });

  it("reads Headers objects, mixed-case records and Node array values", () => {
    const h = vectorHeaders();
    const asHeaders: HeaderSource = new Headers(h);
    expect(scheme.verify(asHeaders, VECTOR.body, vectorOpts()).id).toBe(VECTOR.id);
    const mixed: HeaderSource = {
      "Webhook-Id": VECTOR.id,
      "WEBHOOK-TIMESTAMP": String(VECTOR.timestamp),
      "Webhook-Signature": [FOREIGN_SIGS[0]!, VECTOR.signature],
    };
    expect(scheme.verify(mixed, VECTOR.body, vectorOpts()).id).toBe(VECTOR.id);
  });

  it("refuses huge headers, empty secrets and malformed secrets", () => {
    const huge = vectorHeaders(`${VECTOR.signature} ${"v1,x".repeat(3000)}`);
    expect(codeOf(() => scheme.verify(huge, VECTOR.body, vectorOpts()))).toBe("invalid_header");
    expect(codeOf(() => scheme.verify(vectorHeaders(), VECTOR.body, vectorOpts({ secrets: [] })))).toBe(
      "no_secrets",
    );
    for (const bad of ["", "whsec_", "whsec_not base64!", "whsec_abc=def"]) {
      expect(codeOf(() => scheme.verify(vectorHeaders(), VECTOR.body, vectorOpts({ secrets: [bad] })))).toBe(
        "invalid_secret",
      );
      expect(codeOf(() => scheme.assertSecret(bad))).toBe("invalid_secret");
    }
  });

  it("generates whsec_ secrets of 32 random bytes", () => {
    const s = scheme.generateSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), "base64")).toHaveLength(32);
    expect(s).not.toBe(scheme.generateSecret());
    expect(() => scheme.assertSecret(s)).not.toThrow();
  });
});

describe("standard (v1): interoperability", () => {
  const NOW = 1_700_000_000;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW * 1000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const body = JSON.stringify({
    type: "invoice.paid",
    data: { id: "inv_1", amount: 4200, note: "ünïcødé ✓" },
  });

  it("what hookline signs verifies with standardwebhooks and svix", () => {
    const secret = scheme.generateSecret();
    const h = scheme.sign({ id: "msg_interop", timestamp: NOW, body, secrets: [secret] });
    expect(new StandardWebhook(secret).verify(body, h)).toEqual(JSON.parse(body));
    expect(() => new SvixWebhook(secret).verify(body, h)).not.toThrow();
    // And a tampered body does not, so the interop check can fail.
    expect(() => new StandardWebhook(secret).verify(body + " ", h)).toThrow();
  });

  it("what standardwebhooks and svix sign, hookline verifies (svix-* headers too)", () => {
    const secret = scheme.generateSecret();
    const stamp = new Date(NOW * 1000);
    const opts = { secrets: [secret], now: () => Date.now() };
    const std = new StandardWebhook(secret).sign("msg_std", stamp, body);
    expect(
      scheme.verify(
        { "webhook-id": "msg_std", "webhook-timestamp": String(NOW), "webhook-signature": std },
        Buffer.from(body),
        opts,
      ),
    ).toEqual({ id: "msg_std", timestamp: NOW });
    const svix = new SvixWebhook(secret).sign("msg_svix", stamp, body);
    expect(
      scheme.verify(
        { "svix-id": "msg_svix", "svix-timestamp": String(NOW), "svix-signature": svix },
        body,
        opts,
      ),
    ).toEqual({ id: "msg_svix", timestamp: NOW });
    expect(
      codeOf(() =>
        scheme.verify(
          { "svix-id": "msg_other", "svix-timestamp": String(NOW), "svix-signature": svix },
          body,
          opts,
        ),
      ),
    ).toBe("signature_mismatch");
  });
});
