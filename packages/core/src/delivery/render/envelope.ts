/**
 * Envelope builders: the JSON body of a delivery when the subscription has no body template.
 */
import type { JsonValue, Message } from "../../model/types.ts";
import type { EnvelopeBuilder } from "../types.ts";

/** Standard Webhooks envelope: `{ type, timestamp, data }` with an ISO 8601 timestamp. The default. */
export const standardEnvelope: EnvelopeBuilder = (message: Message) => ({
  type: message.type,
  timestamp: message.timestamp.toISOString(),
  data: message.data,
});

/** Flat envelope of seed 003: `{ id, eventType, timestamp, data }` with an ISO 8601 timestamp. */
export const flatEnvelope: EnvelopeBuilder = (message: Message) => ({
  id: message.id,
  eventType: message.type,
  timestamp: message.timestamp.toISOString(),
  data: message.data as JsonValue,
});
