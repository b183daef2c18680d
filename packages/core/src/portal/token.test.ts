import { describe, expect, it } from "vitest";
import { portalKey, signToken, verifyToken } from "./token.ts";

const key = portalKey("k".repeat(32));
const NOW = 1_800_000_000_000;

function flip(text: string, at: number): string {
  const c = text[at] === "A" ? "B" : "A";
  return text.slice(0, at) + c + text.slice(at + 1);
}

describe("portal tokens", () => {
  it("round-trips tenant and expiry", () => {
    const token = signToken(key, "link", "acme", NOW + 1000);
    expect(verifyToken(key, "link", token, NOW)).toMatchObject({ tenant: "acme", expiresAt: NOW + 1000 });
  });

  it("rejects an expired token, at and after its expiry", () => {
    const token = signToken(key, "link", "acme", NOW + 1000);
    expect(verifyToken(key, "link", token, NOW + 1000)).toBeNull();
    expect(verifyToken(key, "link", token, NOW + 5000)).toBeNull();
  });

  it("rejects a token signed with another secret", () => {
    const token = signToken(portalKey("x".repeat(32)), "link", "acme", NOW + 1000);
    expect(verifyToken(key, "link", token, NOW)).toBeNull();
  });

  it("rejects a tampered payload (another tenant, a later expiry) and a tampered signature", () => {
    const token = signToken(key, "link", "acme", NOW + 1000);
    const [, sig] = token.split(".") as [string, string];
    const forged = Buffer.from(JSON.stringify({ tenant: "evil", expiresAt: NOW + 1000, id: "x" })).toString(
      "base64url",
    );
    expect(verifyToken(key, "link", `${forged}.${sig}`, NOW)).toBeNull();
    expect(verifyToken(key, "link", flip(token, token.length - 3), NOW)).toBeNull();
    expect(verifyToken(key, "link", flip(token, 2), NOW)).toBeNull();
  });

  it("accepts one spelling of the signature only: other final characters, padding and stray characters are refused", () => {
    // base64url decoding ignores the unused low bits of the last character, padding and characters outside the
    // alphabet: a check on the decoded bytes accepted several spellings of one MAC.
    const token = signToken(key, "link", "acme", NOW + 1000);
    const body = token.slice(0, -1);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const accepted = [...alphabet].filter((c) => verifyToken(key, "link", body + c, NOW) !== null);
    expect(accepted).toEqual([token.at(-1)]);
    for (const variant of [
      `${token}=`,
      `${token}==`,
      `${body} ${token.at(-1)}`,
      `${token}\n`,
      `${body}+${token.at(-1)}`,
    ]) {
      expect(verifyToken(key, "link", variant, NOW), JSON.stringify(variant)).toBeNull();
    }
  });

  it("never accepts a link as a session or the other way round", () => {
    const link = signToken(key, "link", "acme", NOW + 1000);
    const session = signToken(key, "session", "acme", NOW + 1000);
    expect(verifyToken(key, "session", link, NOW)).toBeNull();
    expect(verifyToken(key, "link", session, NOW)).toBeNull();
  });

  it("rejects malformed input without throwing", () => {
    for (const bad of ["", ".", "a.b.c", "abc", `${"a".repeat(3000)}.b`, "e30.", "not json.sig"]) {
      expect(verifyToken(key, "link", bad, NOW)).toBeNull();
    }
  });

  it("refuses a secret shorter than 32 bytes", () => {
    expect(() => portalKey("short")).toThrow(/at least 32 bytes/);
  });
});
