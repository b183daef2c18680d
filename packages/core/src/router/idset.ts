/**
 * Id sets in a path (seed 002): `2,4`, ranges `1-3` (integer ids only), or a mix `1-3,7`.
 */
import { badRequest } from "./problem.ts";

/** Most ids one id set may name (ranges count every id they cover). */
export const MAX_ID_SET = 100;

/** Whether a path value is an id set rather than one id. */
export function looksLikeIdSet(raw: string, integerIds: boolean): boolean {
  return raw.includes(",") || (integerIds && /^\d+-\d+$/.test(raw));
}

/**
 * Parses an id set into distinct ids in order. Throws a 400 naming the bad member on an empty member,
 * an id that fails `isValidId`, a reversed range, or more than {@link MAX_ID_SET} ids.
 */
export function parseIdSet(
  raw: string,
  opts: { integer: boolean; isValidId: (id: string) => boolean },
): string[] {
  const seen = new Set<string>();
  const add = (id: string) => {
    seen.add(id);
    if (seen.size > MAX_ID_SET) throw badRequest(`id set names more than ${MAX_ID_SET} ids`);
  };
  for (const member of raw.split(",")) {
    const range = opts.integer ? /^(\d{1,15})-(\d{1,15})$/.exec(member) : null;
    if (range) {
      const lo = Number(range[1]);
      const hi = Number(range[2]);
      if (lo > hi || lo < 1 || hi - lo >= MAX_ID_SET) throw badRequest(`invalid id range "${member}"`);
      for (let i = lo; i <= hi; i++) add(String(i));
      continue;
    }
    if (member === "" || !opts.isValidId(member)) throw badRequest(`invalid id "${member}" in id set`);
    add(member);
  }
  return [...seen];
}

/** A loose well-formedness check for ids the codec does not describe (deliveries). */
export function isPlausibleId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.:~-]{0,127}$/.test(id);
}
