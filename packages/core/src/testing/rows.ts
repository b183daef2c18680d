/** Minimal subscription and delivery rows for tests and benchmarks that write to a store or renderer directly. */
import { randomUUID } from "node:crypto";
import { newDelivery } from "../delivery/new-delivery.ts";
import type { Delivery, Subscription } from "../model/types.ts";

const DEFAULT_AT = new Date("2026-01-01T00:00:00.000Z");

/**
 * A valid, active subscription with every optional feature off (no template, headers, scheme, limits or
 * retry schedule; qos 1; one `whsec_` secret; event types `["*"]`), created, updated and its secret dated at
 * `at` (default a fixed instant); override any field.
 */
export function plainSubscription(
  tenant: string,
  over: Partial<Subscription> = {},
  at: Date = DEFAULT_AT,
): Subscription {
  return {
    id: "sub_1",
    tenant,
    url: "https://example.com/hook",
    method: "POST",
    contentType: "application/json",
    bodyTemplate: null,
    headers: {},
    eventTypes: ["*"],
    secrets: [
      { id: "sec_1", value: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", createdAt: at, expiresAt: null },
    ],
    scheme: null,
    qos: 1,
    idSetAccepted: false,
    rateLimit: null,
    concurrency: null,
    retrySchedule: null,
    status: "active",
    disabledReason: null,
    description: null,
    metadata: {},
    tags: null,
    failingSince: null,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    version: 1,
    ...over,
  };
}

/**
 * A delivery as `emit()` creates it at `at` (default a fixed instant) — pending, due then, never attempted —
 * with random ids and event type `invoice.paid` unless given; override any field.
 */
export function pendingDelivery(
  tenant: string,
  over: Partial<Delivery> = {},
  at: Date = DEFAULT_AT,
): Delivery {
  const fields = {
    id: over.id ?? randomUUID(),
    tenant,
    messageId: over.messageId ?? randomUUID(),
    subscriptionId: over.subscriptionId ?? randomUUID(),
    eventType: over.eventType ?? "invoice.paid",
  };
  return { ...newDelivery(fields, at), ...over };
}
