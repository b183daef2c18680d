import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { HooklineError, ValidationError } from "../../errors.ts";
import { createSsrfGuard, type SsrfGuard, validateDeliveryUrl } from "./ssrf.ts";

const guard = createSsrfGuard();

// Every one of these must be refused at subscribe time and before connecting.
const REFUSED_URLS: readonly string[] = [
  "http://127.0.0.1/",
  "http://127.255.255.254:8080/hook",
  "http://localhost/",
  "http://LOCALHOST./",
  "http://api.localhost/",
  "http://localhost.localdomain/",
  "http://0.0.0.0/",
  "http://0/",
  "http://2130706433/", // decimal 127.0.0.1
  "http://017700000001/", // octal 127.0.0.1
  "http://0177.0.0.1/",
  "http://0x7f.1/",
  "http://0x7f000001/",
  "http://127.1/",
  "http://%31%32%37.0.0.1/", // percent-encoded
  "http://１２７.0.0.1/", // full-width digits
  "http://10.0.0.1/",
  "http://10.255.255.255/",
  "http://100.64.0.1/", // CGNAT
  "http://100.127.255.254/",
  "http://169.254.169.254/latest/meta-data/", // cloud metadata
  "http://169.254.0.1/",
  "http://172.16.0.1/",
  "http://172.31.255.255/",
  "http://192.0.0.8/",
  "http://192.0.2.1/",
  "http://192.168.1.1/",
  "http://198.18.0.1/",
  "http://198.19.255.255/",
  "http://198.51.100.7/",
  "http://203.0.113.9/",
  "http://224.0.0.1/",
  "http://239.255.255.250/",
  "http://240.0.0.1/",
  "http://255.255.255.255/",
  "http://[::]/",
  "http://[::1]/",
  "http://[0:0:0:0:0:0:0:1]/",
  "http://[::ffff:127.0.0.1]/", // IPv4-mapped
  "http://[::ffff:7f00:1]/",
  "http://[::ffff:169.254.169.254]/",
  "http://[::ffff:10.0.0.1]/",
  "http://[64:ff9b::127.0.0.1]/", // NAT64 embedding loopback
  "http://[64:ff9b::a00:1]/", // NAT64 embedding 10.0.0.1
  "http://[2002:7f00:1::]/", // 6to4 embedding 127.0.0.1
  "http://[::127.0.0.1]/", // IPv4-compatible
  "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", // Teredo
  "http://[::ffff:0:7f00:1]/", // IPv4-translated 127.0.0.1
  "http://[fc00::1]/",
  "http://[fd12:3456:789a::1]/",
  "http://[fe80::1]/",
  "http://[febf::1]/",
  "http://[ff02::1]/",
  "http://[2001:db8::1]/",
  "https://[::1]:8443/",
  "http://[::ffff:a9fe:a9fe]/", // mapped metadata address in hex
  "http://evil.example@127.0.0.1/", // userinfo trick: the host is 127.0.0.1
  "http://user:pass@10.0.0.1:8080/",
];

const ALLOWED_URLS: readonly string[] = [
  "https://example.com/webhooks",
  "http://hooks.example.org:8080/a?b=c",
  "https://93.184.216.34/",
  "http://8.8.8.8/",
  "http://1.1.1.1/",
  "http://172.32.0.1/", // just outside 172.16/12
  "http://100.128.0.1/", // just outside 100.64/10
  "http://[2606:4700:4700::1111]/",
  "http://[::ffff:8.8.8.8]/", // mapped, but public
  "http://[64:ff9b::808:808]/", // NAT64 of 8.8.8.8
  "http://localhost.example.com/", // a real name that merely contains 'localhost'
  "https://example.com/${account-code}/${resource-id}",
];

describe("SSRF guard: subscribe-time URL validation", () => {
  it("has a table of at least 30 refused targets", () => {
    expect(REFUSED_URLS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(REFUSED_URLS)("refuses %s", (url) => {
    let caught: unknown;
    try {
      validateDeliveryUrl(url, guard);
    } catch (err) {
      caught = err;
    }
    expect(ValidationError.is(caught)).toBe(true);
    const error = caught as ValidationError;
    expect(error.message).toMatch(/^\[hookline\] invalid delivery URL: host ".*" is not allowed/);
    expect(error.issues).toEqual([expect.objectContaining({ field: "url", code: "ssrf_blocked" })]);
  });

  it.each(ALLOWED_URLS)("allows %s", (url) => {
    expect(() => validateDeliveryUrl(url, guard)).not.toThrow();
  });

  it.each([
    ["ftp://example.com/", /unsupported scheme "ftp"/],
    ["file:///etc/passwd", /unsupported scheme "file"/],
    ["/relative/path", /not an absolute URL/],
    ["http://exa mple.com/", /not an absolute URL/],
  ])("rejects %s with a clear message", (url, message) => {
    expect(() => validateDeliveryUrl(url, guard)).toThrow(message);
  });

  it.each([
    "https://api.example.com${data.host}/hook",
    "https://${tenant}.example.com/",
    "https://example.com:${data.port}/",
    "https://${data.user}@example.com/",
  ])("refuses placeholders outside the path and query: %s", (url) => {
    let caught: unknown;
    try {
      validateDeliveryUrl(url, guard);
    } catch (err) {
      caught = err;
    }
    expect(ValidationError.is(caught)).toBe(true);
    expect((caught as ValidationError).message).toMatch(
      /placeholders are allowed only in the path and query/,
    );
    expect((caught as ValidationError).issues).toEqual([
      expect.objectContaining({ field: "url", code: "invalid_url" }),
    ]);
  });

  it("names the blocked range in the error", () => {
    expect(() => validateDeliveryUrl("http://169.254.169.254/", guard)).toThrow(/cloud metadata/);
    expect(() => validateDeliveryUrl("http://[::ffff:127.0.0.1]/", guard)).toThrow(
      /IPv4-mapped IPv6 of 127\.0\.0\.1: loopback/,
    );
  });
});

describe("SSRF guard: addresses", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "::1",
    "::",
    "::ffff:192.168.0.1",
    "fe80::1%eth0",
    "[fd00::1]",
    "not-an-ip",
    "",
  ])("refuses %s", (ip) => {
    expect(guard.checkAddress(ip).allowed).toBe(false);
  });

  it.each(["8.8.8.8", "2606:4700:4700::1111", "::ffff:1.1.1.1"])("allows %s", (ip) => {
    expect(guard.checkAddress(ip)).toEqual({ allowed: true });
  });

  it("allow-lists CIDRs, single addresses and host names", () => {
    const dev = createSsrfGuard({
      allow: ["127.0.0.1", "::1", "10.20.0.0/16", "hooks.internal", "*.dev.test"],
    });
    expect(dev.checkAddress("127.0.0.1").allowed).toBe(true);
    expect(dev.checkAddress("127.0.0.2").allowed).toBe(false);
    expect(dev.checkAddress("::1").allowed).toBe(true);
    expect(dev.checkAddress("::ffff:127.0.0.1").allowed).toBe(true);
    expect(dev.checkAddress("10.20.9.9").allowed).toBe(true);
    expect(dev.checkAddress("10.21.0.1").allowed).toBe(false);
    expect(dev.checkHost("hooks.internal").allowed).toBe(true);
    expect(dev.checkHost("a.b.dev.test").allowed).toBe(true);
    expect(dev.checkHost("localhost").allowed).toBe(false);
  });

  it("allowPrivate permits private ranges but never loopback or metadata", () => {
    const internal = createSsrfGuard({ allowPrivate: true });
    for (const ip of ["10.0.0.1", "172.20.0.1", "192.168.1.1", "100.64.1.1", "fd00::1"]) {
      expect(internal.checkAddress(ip).allowed).toBe(true);
    }
    for (const ip of ["127.0.0.1", "169.254.169.254", "::1", "fe80::1", "0.0.0.0", "224.0.0.1"]) {
      expect(internal.checkAddress(ip).allowed).toBe(false);
    }
  });

  it("rejects malformed allow-list entries", () => {
    expect(() => createSsrfGuard({ allow: ["10.0.0.0/40"] })).toThrow(/invalid SSRF allow-list entry/);
    expect(() => createSsrfGuard({ allow: ["http://x/"] })).toThrow(/invalid SSRF allow-list entry/);
  });
});

type LookupResult = { err: NodeJS.ErrnoException | null; addresses: LookupAddress[] };

function lookupAll(g: SsrfGuard, host: string, family = 0): Promise<LookupResult> {
  return new Promise((resolve) => {
    g.lookup(host, { all: true, family }, (err, addresses) =>
      resolve({ err, addresses: Array.isArray(addresses) ? addresses : [] }),
    );
  });
}

function resolverOf(...answers: string[][]) {
  let call = 0;
  return async (): Promise<LookupAddress[]> => {
    const answer = answers[Math.min(call++, answers.length - 1)]!;
    return answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

describe("SSRF guard: resolution-time lookup", () => {
  it("refuses when ANY resolved address is blocked", async () => {
    const g = createSsrfGuard({ resolve: resolverOf(["93.184.216.34", "10.0.0.7"]) });
    const { err } = await lookupAll(g, "mixed.example");
    expect(HooklineError.is(err, "ssrf_blocked")).toBe(true);
    expect(err?.message).toMatch(/mixed\.example \(resolved to 10\.0\.0\.7\)/);
  });

  it("DNS rebinding: public at subscribe time and on the first lookup, private later → refused", async () => {
    const g = createSsrfGuard({ resolve: resolverOf(["93.184.216.34"], ["169.254.169.254"]) });
    expect(() => validateDeliveryUrl("https://rebind.example/hook", g)).not.toThrow();
    const first = await lookupAll(g, "rebind.example");
    expect(first.err).toBeNull();
    expect(first.addresses).toEqual([{ address: "93.184.216.34", family: 4 }]);
    const second = await lookupAll(g, "rebind.example");
    expect(HooklineError.is(second.err, "ssrf_blocked")).toBe(true);
  });

  it("refuses localhost names before resolving, and passes single-answer lookups through", async () => {
    const g = createSsrfGuard({ resolve: resolverOf(["8.8.8.8", "2001:4860:4860::8888"]) });
    expect(HooklineError.is((await lookupAll(g, "localhost")).err, "ssrf_blocked")).toBe(true);
    const single = await new Promise<unknown[]>((resolve) =>
      g.lookup("dns.example", { family: 6 }, (...args) => resolve(args)),
    );
    expect(single).toEqual([null, "2001:4860:4860::8888", 6]);
  });

  it("maps an empty answer to ENOTFOUND and passes resolver errors through", async () => {
    const empty = createSsrfGuard({ resolve: async () => [] });
    expect((await lookupAll(empty, "nothing.example")).err?.code).toBe("ENOTFOUND");
    const failing = createSsrfGuard({
      resolve: async () => {
        throw Object.assign(new Error("queryA EAI_AGAIN"), { code: "EAI_AGAIN" });
      },
    });
    expect((await lookupAll(failing, "flaky.example")).err?.code).toBe("EAI_AGAIN");
  });

  it("trusts allow-listed host names whatever they resolve to", async () => {
    const g = createSsrfGuard({ allow: ["hooks.internal"], resolve: resolverOf(["10.0.0.9"]) });
    expect((await lookupAll(g, "hooks.internal")).err).toBeNull();
    expect(HooklineError.is((await lookupAll(g, "other.internal")).err, "ssrf_blocked")).toBe(true);
  });
});
