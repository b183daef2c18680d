/**
 * Wire timestamp formats: ISO 8601 with milliseconds (seed 003), RFC 3339 with nanoseconds (seed 000),
 * epoch seconds as a float (seed 001), epoch milliseconds.
 */

/** How a codec writes timestamps. */
export type TimeFormat = "iso" | "rfc3339-nanos" | "epoch-seconds" | "epoch-millis";

/** Recently formatted instants: lists re-render the same `createdAt`/`updatedAt` on every read. */
const isoCache = new Map<number, string>();
const ISO_CACHE_SIZE = 1024;

/** `date.toISOString()` through a small bounded cache (a pure function of the instant). */
function isoString(date: Date): string {
  const ms = date.getTime();
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    iso = date.toISOString();
    if (isoCache.size >= ISO_CACHE_SIZE) isoCache.clear();
    isoCache.set(ms, iso);
  }
  return iso;
}

/** Formats a date for the wire. `rfc3339-nanos` pads the millisecond date to 9 fraction digits. */
export function formatTime(date: Date, format: TimeFormat): string | number {
  switch (format) {
    case "iso":
      return isoString(date);
    case "rfc3339-nanos":
      return `${isoString(date).slice(0, -1)}000000Z`;
    case "epoch-seconds":
      return date.getTime() / 1000;
    case "epoch-millis":
      return date.getTime();
  }
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses a wire timestamp: an RFC 3339 string (any fraction up to 9 digits), or, for the epoch formats,
 * a number. `null` when the value is not a valid time.
 */
export function parseTime(value: unknown, format: TimeFormat): Date | null {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    if (format === "epoch-seconds") return validDate(value * 1000);
    if (format === "epoch-millis") return validDate(value);
    return null;
  }
  if (typeof value !== "string") return null;
  const m = RFC3339.exec(value);
  if (!m) return null;
  const fraction = (m[3] ?? "").padEnd(3, "0").slice(0, 3);
  return validDate(Date.parse(`${m[1]}T${m[2]}.${fraction}${m[4]!.toUpperCase()}`));
}

function validDate(ms: number): Date | null {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms) : null;
}

/** JSON Schema of a timestamp in `format`. */
export function timeSchema(format: TimeFormat): Record<string, unknown> {
  switch (format) {
    case "epoch-seconds":
      return { type: "number", description: "Seconds since the Unix epoch (fractional)." };
    case "epoch-millis":
      return { type: "integer", description: "Milliseconds since the Unix epoch." };
    case "rfc3339-nanos":
      return { type: "string", format: "date-time", description: "RFC 3339 with 9 fraction digits." };
    case "iso":
      return { type: "string", format: "date-time" };
  }
}
