/** Small shared pieces of the SQL store: batch sizes and status sets. */
import type { DeliveryStatus } from "@hookline/core";

/** Rows per multi-row insert / `IN (…)` list: far below every dialect's parameter limit. */
export const CHUNK = 500;

export const FINAL: DeliveryStatus[] = ["succeeded", "failed"];
export const UNFINISHED: DeliveryStatus[] = ["pending", "delivering"];

/** `items` in slices of at most `size`. */
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
