/**
 * Small IP helpers for the SSRF guard: IPv6 text → bytes, and the IPv4 address some IPv6 forms embed
 * (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`).
 */
import { isIP } from "node:net";

/** Strips `[…]` brackets and an IPv6 zone id (`fe80::1%eth0`). */
export function bareAddress(address: string): string {
  let bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const zone = bare.indexOf("%");
  if (zone !== -1 && bare.includes(":")) bare = bare.slice(0, zone);
  return bare;
}

/** The 16 bytes of an IPv6 address in text form, or `null` when it is not one. */
export function ipv6Bytes(address: string): Uint8Array | null {
  if (isIP(address) !== 6) return null;
  let text = address;
  const bytes = new Uint8Array(16);
  // A trailing dotted quad (`::ffff:127.0.0.1`) becomes two hextets.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const q = tail.split(".").map(Number);
    text = `${text.slice(0, lastColon + 1)}${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const headParts = head === "" ? [] : head.split(":");
  const restParts = rest === undefined || rest === "" ? [] : rest.split(":");
  const parts =
    rest === undefined
      ? headParts
      : [...headParts, ...new Array<string>(8 - headParts.length - restParts.length).fill("0"), ...restParts];
  parts.forEach((part, i) => {
    const value = Number.parseInt(part, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

const NAT64_PREFIX = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** The IPv4 address embedded in an IPv4-mapped, NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) address. */
export function embeddedIpv4(address: string): { ipv4: string; via: string } | null {
  const b = ipv6Bytes(address);
  if (b === null) return null;
  const quad = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  if (MAPPED_PREFIX.every((v, i) => b[i] === v)) return { ipv4: quad(12), via: "IPv4-mapped IPv6" };
  if (NAT64_PREFIX.every((v, i) => b[i] === v)) return { ipv4: quad(12), via: "NAT64 (64:ff9b::/96)" };
  if (b[0] === 0x20 && b[1] === 0x02) return { ipv4: quad(2), via: "6to4 (2002::/16)" };
  return null;
}
