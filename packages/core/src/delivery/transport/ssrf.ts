/**
 * The SSRF guard. Delivery URLs come from customers, so a request must never reach the deployment's own
 * network: loopback, private ranges, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast,
 * reserved and documentation ranges, and the IPv6 forms that embed one of those IPv4 addresses.
 *
 * Checked twice:
 * - at subscribe time, {@link validateDeliveryUrl} refuses literal addresses and `localhost` names with a
 *   clear validation error;
 * - at connect time, {@link SsrfGuard.lookup} is the `lookup` of the HTTP client's sockets: it resolves every
 *   address of the host and refuses the connection if ANY of them is blocked. Resolution happens on every new
 *   connection, so DNS rebinding (a public answer at subscribe time, a private one later) fails.
 *
 * Odd notations (`http://2130706433/`, `0177.0.0.1`, `0x7f.1`, `[::ffff:127.0.0.1]`) are normalised by the
 * WHATWG URL parser — the same parser the HTTP client uses — before the check, so they are refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { HooklineError, ValidationError } from "../../errors.ts";
import { templateLiteralOrigin } from "../../model/url-template.ts";
import { bareAddress, embeddedIpv4 } from "./ip.ts";

/** Resolves a host name to all its addresses (default: `dns.lookup` with `all: true`). */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export interface SsrfGuardOptions {
  /**
   * Exceptions: CIDRs (`10.1.0.0/16`, `fd00::/8`), single addresses (`127.0.0.1`, `::1`) or host names
   * (`hooks.internal`, `*.dev.example`). An allow-listed host name skips the address check entirely.
   */
  allow?: readonly string[];
  /**
   * Permit the private ranges (10/8, 172.16/12, 192.168/16, CGNAT 100.64/10, unique-local fc00::/7), for
   * deployments that deliver inside their own network. Loopback, link-local (cloud metadata), unspecified,
   * multicast and reserved ranges stay refused unless allow-listed. Default `false`.
   */
  allowPrivate?: boolean;
  /** Host resolver (tests inject one to simulate rebinding). Default: `dns.lookup(host, { all: true })`. */
  resolve?: HostResolver;
}

/** The verdict on one address or host. */
export type SsrfVerdict = { allowed: true } | { allowed: false; reason: string };

export interface SsrfGuard {
  /** Whether a connection to this IP address is allowed. Non-addresses are refused. */
  checkAddress(ip: string): SsrfVerdict;
  /**
   * Whether a URL host may be used before resolution: literal addresses (in any notation) are checked,
   * `localhost` names are refused, other names are allowed here and checked when they resolve.
   */
  checkHost(host: string): SsrfVerdict;
  /** A `lookup` for `net.connect` / undici's `connect` option that refuses blocked resolutions. */
  lookup: LookupFunction;
}

interface Range {
  label: string;
  family: "ipv4" | "ipv6";
  list: BlockList;
  /** Permitted by `allowPrivate`. */
  private: boolean;
}

// label, CIDR, private?
const BLOCKED: ReadonlyArray<readonly [string, string, boolean]> = [
  ["'this network' (0.0.0.0/8)", "0.0.0.0/8", false],
  ["private (10.0.0.0/8)", "10.0.0.0/8", true],
  ["carrier-grade NAT (100.64.0.0/10)", "100.64.0.0/10", true],
  ["loopback (127.0.0.0/8)", "127.0.0.0/8", false],
  ["link-local / cloud metadata (169.254.0.0/16)", "169.254.0.0/16", false],
  ["private (172.16.0.0/12)", "172.16.0.0/12", true],
  ["IETF protocol assignments (192.0.0.0/24)", "192.0.0.0/24", false],
  ["documentation (192.0.2.0/24)", "192.0.2.0/24", false],
  ["6to4 relay anycast (192.88.99.0/24)", "192.88.99.0/24", false],
  ["private (192.168.0.0/16)", "192.168.0.0/16", true],
  ["benchmarking (198.18.0.0/15)", "198.18.0.0/15", false],
  ["documentation (198.51.100.0/24)", "198.51.100.0/24", false],
  ["documentation (203.0.113.0/24)", "203.0.113.0/24", false],
  ["multicast (224.0.0.0/4)", "224.0.0.0/4", false],
  ["reserved / broadcast (240.0.0.0/4)", "240.0.0.0/4", false],
  ["unspecified / loopback / IPv4-compatible (::/96)", "::/96", false],
  ["NAT64 local-use (64:ff9b:1::/48)", "64:ff9b:1::/48", false],
  ["discard-only (100::/64)", "100::/64", false],
  ["documentation (2001:db8::/32)", "2001:db8::/32", false],
  // Tunnels that carry an IPv4 address inside: refused outright rather than decoded.
  ["Teredo (2001::/32)", "2001::/32", false],
  ["IPv4-translated (::ffff:0:0:0/96)", "::ffff:0:0:0/96", false],
  ["unique-local (fc00::/7)", "fc00::/7", true],
  ["link-local (fe80::/10)", "fe80::/10", false],
  ["site-local (fec0::/10)", "fec0::/10", false],
  ["multicast (ff00::/8)", "ff00::/8", false],
];

const RANGES: readonly Range[] = BLOCKED.map(([label, cidr, isPrivate]) => {
  const parsed = parseCidr(cidr)!;
  const list = new BlockList();
  list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  return { label, family: parsed.family, list, private: isPrivate };
});

function parseCidr(text: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const slash = text.indexOf("/");
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = slash === -1 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** Lower-cases and drops one trailing dot: `LocalHost.` → `localhost`. */
function normaliseName(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

function isLocalhostName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost") || name === "localhost.localdomain";
}

/**
 * Normalises a URL host the way the HTTP client will see it (`0x7f.1` → `127.0.0.1`, `[::FFFF:7f00:1]`
 * → `::ffff:7f00:1`), without brackets. `null` when it is not a valid host.
 */
export function normaliseHost(host: string): string | null {
  const bare = bareAddress(host);
  try {
    const hostname = new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : bare}/`).hostname;
    return normaliseName(bareAddress(hostname));
  } catch {
    return null;
  }
}

/** The error a refused connection fails with (`code: "ssrf_blocked"`). */
export function ssrfBlockedError(target: string, reason: string): HooklineError {
  return new HooklineError("ssrf_blocked", `[hookline] SSRF guard refused ${target}: ${reason}`);
}

const defaultResolve: HostResolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** Creates an SSRF guard. The HTTP client uses one by default; tests and local development allow-list. */
export function createSsrfGuard(options: SsrfGuardOptions = {}): SsrfGuard {
  const allowAddresses = new BlockList();
  const allowNames = new Set<string>();
  const allowSuffixes: string[] = [];
  (options.allow ?? []).forEach((entry, i) => {
    const cidr = parseCidr(entry.trim());
    if (cidr !== null) {
      allowAddresses.addSubnet(cidr.address, cidr.prefix, cidr.family);
      return;
    }
    const name = normaliseName(entry.trim());
    if (name.startsWith("*.") && name.length > 2) allowSuffixes.push(name.slice(1));
    else if (/^[a-z0-9_.-]+$/.test(name)) allowNames.add(name);
    else
      throw new ValidationError(`[hookline] invalid SSRF allow-list entry "${entry}"`, [
        { field: `allow.${i}`, message: "expected a CIDR, an IP address or a host name", code: "invalid" },
      ]);
  });
  const allowPrivate = options.allowPrivate === true;
  const resolve = options.resolve ?? defaultResolve;

  const isAllowedName = (name: string) =>
    allowNames.has(name) || allowSuffixes.some((suffix) => name.endsWith(suffix));

  function checkAddress(ip: string): SsrfVerdict {
    const address = bareAddress(ip).toLowerCase();
    const version = isIP(address);
    if (version === 0) return { allowed: false, reason: "not an IP address" };
    const family = version === 4 ? "ipv4" : "ipv6";
    if (allowAddresses.check(address, family)) return { allowed: true };
    if (family === "ipv6") {
      const embedded = embeddedIpv4(address);
      if (embedded !== null) {
        const inner = checkAddress(embedded.ipv4);
        return inner.allowed
          ? inner
          : { allowed: false, reason: `${embedded.via} of ${embedded.ipv4}: ${inner.reason}` };
      }
    }
    for (const range of RANGES) {
      if (range.family !== family || (range.private && allowPrivate)) continue;
      if (range.list.check(address, family)) return { allowed: false, reason: range.label };
    }
    return { allowed: true };
  }

  function checkHost(host: string): SsrfVerdict {
    const name = normaliseHost(host);
    if (name === null || name === "") return { allowed: false, reason: "not a valid host" };
    if (isIP(name) !== 0) return checkAddress(name);
    if (isAllowedName(name)) return { allowed: true };
    if (isLocalhostName(name)) return { allowed: false, reason: "localhost" };
    return { allowed: true };
  }

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const name = normaliseName(hostname);
    const nameVerdict = checkHost(name);
    if (!nameVerdict.allowed) {
      callback(ssrfBlockedError(hostname, nameVerdict.reason), "", 0);
      return;
    }
    const trusted = isAllowedName(name);
    resolve(name).then(
      (addresses) => {
        if (addresses.length === 0) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
          callback(err, "", 0);
          return;
        }
        if (!trusted) {
          for (const { address } of addresses) {
            const verdict = checkAddress(address);
            if (!verdict.allowed) {
              callback(ssrfBlockedError(`${hostname} (resolved to ${address})`, verdict.reason), "", 0);
              return;
            }
          }
        }
        const wanted = familyNumber(lookupOptions.family);
        const usable = wanted === 0 ? addresses : addresses.filter((a) => a.family === wanted);
        if (usable.length === 0) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (IPv${wanted})`), {
            code: "ENOTFOUND",
          });
          callback(err, "", 0);
        } else if (lookupOptions.all) {
          callback(null, usable);
        } else {
          callback(null, usable[0]!.address, usable[0]!.family);
        }
      },
      (err: unknown) => callback(err as NodeJS.ErrnoException, "", 0),
    );
  };

  return { checkAddress, checkHost, lookup };
}

function familyNumber(family: number | string | undefined): 0 | 4 | 6 {
  if (family === 4 || family === "IPv4") return 4;
  if (family === 6 || family === "IPv6") return 6;
  return 0;
}

/**
 * Subscribe-time check of a delivery URL (or URI template): an absolute `http:`/`https:` URL whose host is
 * not a blocked literal address or a `localhost` name. `${…}` placeholders are allowed only in the path and
 * query (see {@link templateLiteralOrigin}) and are replaced by a neutral value for the check; hosts that are names are checked again, after resolution, on every delivery.
 * Throws a {@link ValidationError} (field `url`) with a clear message; returns the parsed URL.
 */
export function validateDeliveryUrl(url: string, guard: SsrfGuard): URL {
  const fail = (message: string, code: string) =>
    new ValidationError(`[hookline] invalid delivery URL: ${message}`, [{ field: "url", message, code }]);
  const concrete = url.replace(/\$\{[^}]*\}/g, "x");
  if (concrete !== url && templateLiteralOrigin(url) === null) {
    throw fail(
      "placeholders are allowed only in the path and query, not in the scheme, credentials, host or port",
      "invalid_url",
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(concrete);
  } catch {
    throw fail("not an absolute URL", "invalid_url");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw fail(`unsupported scheme "${parsed.protocol.slice(0, -1)}" (use http or https)`, "invalid_url");
  }
  const verdict = guard.checkHost(parsed.hostname);
  if (!verdict.allowed) {
    throw fail(`host "${parsed.hostname}" is not allowed (${verdict.reason})`, "ssrf_blocked");
  }
  return parsed;
}
