/** A complete subscription row for tests that write to the store directly. */
import type { Subscription } from "../../src/model/types.ts";
import { plainSubscription } from "../../src/testing/rows.ts";

let counter = 0;

/** A valid, active subscription of tenant `t1` created now; override any field. */
export function subscriptionRow(overrides: Partial<Subscription> & { url: string }): Subscription {
  counter++;
  return plainSubscription("t1", { id: `sub_${counter}`, ...overrides }, new Date());
}
