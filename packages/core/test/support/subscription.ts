/** A complete subscription row for tests that write to the store directly. */
import type { Subscription } from "../../src/model/types.ts";

let counter = 0;

/** A valid, active subscription; override any field. */
export function subscriptionRow(overrides: Partial<Subscription> & { url: string }): Subscription {
  const at = new Date();
  counter++;
  return {
    id: `sub_${counter}`,
    tenant: "t1",
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
    ...overrides,
  };
}
