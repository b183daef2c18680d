/**
 * Envelope builders: the JSON body of a delivery when the subscription has no body template.
 */
import type { JsonValue, Message } from "../../model/types.ts";
import type { EnvelopeBuilder } from "../types.ts";

/** The last timestamp rendered (epoch ms) and its ISO 8601 text. */
let lastMs = Number.NaN;
let lastIso = "";

/**
 * `date.toISOString()`, remembered for the last instant: formatting costs more than the rest of an envelope,
 * and the messages emitted in the same millisecond (common under load) share their timestamp. An invalid
 * date (NaN) never matches, so it throws as `toISOString()` does.
 */
function isoString(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastIso = date.toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/** Standard Webhooks envelope: `{ type, timestamp, data }` with an ISO 8601 timestamp. The default. */
export const standardEnvelope: EnvelopeBuilder = (message: Message) => ({
  type: message.type,
  timestamp: isoString(message.timestamp),
  data: message.data,
});

/** Flat envelope of seed 003: `{ id, eventType, timestamp, data }` with an ISO 8601 timestamp. */
export const flatEnvelope: EnvelopeBuilder = (message: Message) => ({
  id: message.id,
  eventType: message.type,
  timestamp: isoString(message.timestamp),
  data: message.data as JsonValue,
});
