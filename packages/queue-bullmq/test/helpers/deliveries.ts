/** Delivery rows for tests, written straight into a store (no subscription or message needed). */
import type { Delivery, Store } from "@hookline/core";
import { pendingDelivery } from "@hookline/core/testing";

/** A pending delivery of tenant `t1` due now, with `row` overriding any field. */
export function deliveryRow(row: Partial<Delivery> & { id: string }): Delivery {
  return pendingDelivery("t1", { messageId: `m-${row.id}`, subscriptionId: "s1", ...row }, new Date());
}

/** Inserts the rows and returns them. */
export async function addDeliveries(store: Store, rows: readonly (Partial<Delivery> & { id: string })[]) {
  const full = rows.map(deliveryRow);
  await store.insertDeliveries(full);
  return full;
}
