import { sign as octokitSign, verify as octokitVerify } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import { hmacHeader, hubSignature } from "./hmac-header.ts";
import { codeOf } from "./test-support.ts";

const hub = hubSignature();
const body = JSON.stringify({ id: "evt_1", eventType: "pud:status_update", data: { ok: true } });
const opts = (secrets: string[]) => ({ secrets });

describe("hub (X-Hub-Signature-256)", () => {
  it("round-trips with @octokit/webhooks-methods both ways", async () => {
    const secret = hub.generateSecret();
    const ours = hub.sign({ id: "m", timestamp: 1, body, secrets: [secret] });
    expect(Object.keys(ours)).toEqual(["x-hub-signature-256"]);
    expect(await octokitVerify(secret, body, ours["x-hub-signature-256"]!)).toBe(true);
    expect(await octokitVerify(secret, body + "x", ours["x-hub-signature-256"]!)).toBe(false);

    const theirs = await octokitSign("It's a Secret to Everybody", body);
    expect(hub.verify({ "X-Hub-Signature-256": theirs }, body, opts(["It's a Secret to Everybody"]))).toEqual(
      {
        id: null,
        timestamp: null,
      },
    );
    expect(codeOf(() => hub.verify({ "x-hub-signature-256": theirs }, body, opts(["other"])))).toBe(
      "signature_mismatch",
    );
  });

  it("verifies against any of several secrets and over raw bytes", () => {
    const bytes = new Uint8Array([0xc0, 0xff, 0xee, 0x00]);
    const h = hub.sign({ id: "m", timestamp: 1, body: bytes, secrets: ["new"] });
    expect(hub.verify(h, bytes, opts(["old", "new"])).id).toBeNull();
    expect(codeOf(() => hub.verify(h, Buffer.from(bytes).toString("latin1"), opts(["new"])))).toBe(
      "signature_mismatch",
    );
  });

  it("rejects wrong prefixes, lengths and encodings, and a missing header", () => {
    const good = hub.sign({ id: "m", timestamp: 1, body, secrets: ["s"] })["x-hub-signature-256"]!;
    for (const bad of [
      "sha256=",
      "sha1=" + good.slice(7),
      good.slice(0, -2),
      good.slice(7),
      good.replace(/.$/, "g"),
    ]) {
      expect(codeOf(() => hub.verify({ "x-hub-signature-256": bad }, body, opts(["s"])))).toBe(
        "invalid_signature_format",
      );
    }
    expect(codeOf(() => hub.verify({}, body, opts(["s"])))).toBe("missing_header");
    expect(codeOf(() => hub.verify({ "x-hub-signature-256": good }, body, opts([""])))).toBe(
      "invalid_secret",
    );
    expect(hub.signsTimestamp).toBe(false);
  });

  it("generates 64-hex secrets", () => {
    expect(hub.generateSecret()).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("hmacHeader", () => {
  it("signs base64 digests in a custom header with no prefix", () => {
    const scheme = hmacHeader({ header: "X-Shop-Hmac", encoding: "base64", name: "shop" });
    const h = scheme.sign({ id: "m", timestamp: 1, body: "hello", secrets: ["k1", "k2"] });
    // One header holds one signature: the first (primary) secret signs.
    expect(h).toEqual({ "x-shop-hmac": "lYqR0IV2ir5xmCiMXlsuGTmEmO0z4g2DU+ws9cvTNyk=" });
    expect(scheme.verify({ "x-shop-hmac": h["x-shop-hmac"]! }, "hello", opts(["k2", "k1"])).id).toBeNull();
    expect(codeOf(() => scheme.verify(h, "hello!", opts(["k1"])))).toBe("signature_mismatch");
    expect(scheme.name).toBe("shop");
  });

  it("matches its prefix literally", () => {
    const scheme = hmacHeader({ header: "x-sig", prefix: "v1.", name: "dotted" });
    const value = scheme.sign({ id: "m", timestamp: 1, body: "b", secrets: ["k"] })["x-sig"]!;
    expect(value.startsWith("v1.")).toBe(true);
    expect(scheme.verify({ "x-sig": value }, "b", opts(["k"])).id).toBeNull();
    expect(codeOf(() => scheme.verify({ "x-sig": "v1X" + value.slice(3) }, "b", opts(["k"])))).toBe(
      "invalid_signature_format",
    );
  });
});
