/** The one shape of a delivery as `emit()` creates it. */
import type { Delivery } from "../model/types.ts";

/** What identifies a new delivery: which message goes to which subscription. */
export type NewDeliveryFields = Pick<
  Delivery,
  "id" | "tenant" | "messageId" | "subscriptionId" | "eventType"
>;

/** A delivery that is pending, due at `at` and never attempted. */
export function newDelivery(fields: NewDeliveryFields, at: Date): Delivery {
  // Fields copied one by one (not spread): every delivery gets the same property order and hidden class.
  return {
    id: fields.id,
    tenant: fields.tenant,
    messageId: fields.messageId,
    subscriptionId: fields.subscriptionId,
    eventType: fields.eventType,
    status: "pending",
    attempts: 0,
    nextAttemptAt: at,
    leaseUntil: null,
    lastStatus: null,
    lastError: null,
    createdAt: at,
    updatedAt: at,
    completedAt: null,
  };
}
