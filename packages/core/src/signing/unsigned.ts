/**
 * No signature at all, named `none`. Requests carry no proof of origin and `verify` ALWAYS PASSES — it
 * checks only that the body is raw bytes. Use it for receivers on a trusted network or that authenticate
 * another way; never as a default.
 */
import { assertRawBody } from "./input.ts";
import type { SigningScheme } from "./types.ts";

/** The `none` scheme: adds no headers, accepts every request, has no secrets (generateSecret returns ""). */
export function unsigned(): SigningScheme {
  return {
    name: "none",
    signsTimestamp: false,
    sign({ body }) {
      assertRawBody(body);
      return {};
    },
    verify(_headers, body) {
      assertRawBody(body);
      return { id: null, timestamp: null };
    },
    generateSecret() {
      return "";
    },
    assertSecret() {},
  };
}
