import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hmacSha256Pads, hmacSha256WithPads, matchesAnyText } from "./crypto.ts";

/** What node:crypto's own HMAC says: the reference the prepared pads must match byte for byte. */
const reference = (key: Uint8Array, encoding: "hex" | "base64", prefix: string, body: string | Uint8Array) =>
  createHmac("sha256", key).update(prefix).update(body).digest(encoding);

describe("hmacSha256WithPads", () => {
  it("matches createHmac for short, block-sized and long keys, text and byte bodies", () => {
    const keys = [1, 24, 32, 63, 64, 65, 200].map((n) =>
      Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) % 256),
    );
    const bodies = ["", '{"a":1}', "héllo ✓ \u{1F600}", new Uint8Array([0, 255, 128, 10]), "x".repeat(5000)];
    for (const key of keys) {
      const pads = hmacSha256Pads(key);
      for (const body of bodies) {
        for (const encoding of ["hex", "base64"] as const) {
          for (const prefix of ["", "msg_1.1700000000.", "ü."]) {
            expect(hmacSha256WithPads(pads, encoding, prefix, body)).toBe(
              reference(key, encoding, prefix, body),
            );
          }
        }
      }
    }
  });

  it("matches createHmac on either side of its 64 KiB scratch space (past it, inputs are streamed)", () => {
    const key = new Uint8Array(32).fill(7);
    const pads = hmacSha256Pads(key);
    const prefix = "id.1.";
    // What fits: a 64-byte pad, then at most 3 bytes per UTF-16 unit of the prefix and of a text body.
    const room = 64 * 1024 - 64 - 3 * prefix.length;
    for (const size of [room, room + 1, 300_000]) {
      const bytes = new Uint8Array(size).map((_, i) => i % 251);
      expect(hmacSha256WithPads(pads, "base64", prefix, bytes)).toBe(reference(key, "base64", prefix, bytes));
    }
    for (const units of [Math.floor(room / 3), Math.floor(room / 3) + 1, 100_000]) {
      const text = "é".repeat(units);
      expect(hmacSha256WithPads(pads, "hex", prefix, text)).toBe(reference(key, "hex", prefix, text));
    }
  });

  it("gives the same digest on every call (no state left between calls), for any key, prefix and body", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 150 }),
        fc.string({ maxLength: 40 }),
        fc.oneof(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 })),
        (key, prefix, body) => {
          const pads = hmacSha256Pads(key);
          const first = hmacSha256WithPads(pads, "base64", prefix, body);
          hmacSha256WithPads(hmacSha256Pads(new Uint8Array([1])), "hex", "other.", "other body");
          expect(hmacSha256WithPads(pads, "base64", prefix, body)).toBe(first);
          expect(first).toBe(reference(key, "base64", prefix, body));
        },
      ),
    );
  });
});

describe("matchesAnyText", () => {
  const digest = reference(new Uint8Array([1, 2, 3]), "base64", "", "x");

  it("is true exactly when one received text equals the expected one", () => {
    const other = reference(new Uint8Array([9]), "base64", "", "x");
    expect(matchesAnyText(digest, [digest])).toBe(true);
    expect(matchesAnyText(digest, [other, digest, other])).toBe(true);
    expect(matchesAnyText(digest, [other])).toBe(false);
    expect(matchesAnyText(digest, [])).toBe(false);
    expect(matchesAnyText(digest, [digest.slice(0, -1), `${digest}A`, ""])).toBe(false);
  });

  it("tells apart texts that differ in any one character, or only above the low byte", () => {
    for (let i = 0; i < digest.length; i++) {
      const flipped =
        digest.slice(0, i) + String.fromCharCode(digest.charCodeAt(i) ^ 1) + digest.slice(i + 1);
      const high =
        digest.slice(0, i) + String.fromCharCode(digest.charCodeAt(i) + 0x100) + digest.slice(i + 1);
      expect(matchesAnyText(digest, [flipped, high])).toBe(false);
    }
  });
});
