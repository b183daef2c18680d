/** Delivery rows for tests, written straight into a store (no subscription or message needed). */
import type { Delivery, Store } from "@hookline/core";

/** A pending delivery due now, with `row` overriding any field. */
export function deliveryRow(row: Partial<Delivery> & { id: string }): Delivery {
  const at = new Date();
  return {
    tenant: "t1",
    messageId: `m-${row.id}`,
    subscriptionId: "s1",
    eventType: "invoice.paid",
    status: "pending",
    attempts: 0,
    nextAttemptAt: at,
    leaseUntil: null,
    lastStatus: null,
    lastError: null,
    createdAt: at,
    updatedAt: at,
    completedAt: null,
    ...row,
  };
}

/** Inserts the rows and returns them. */
export async function addDeliveries(store: Store, rows: readonly (Partial<Delivery> & { id: string })[]) {
  const full = rows.map(deliveryRow);
  await store.insertDeliveries(full);
  return full;
}
