import { describe, expect, it } from "vitest";
import { eventTypeKeys, matchesEventType } from "./match.ts";

describe("event type matching", () => {
  it.each([
    ["product.deleted", "product.deleted", true],
    ["*", "anything", true],
    ["product", "product.deleted", true],
    ["product", "productline.deleted", false],
    ["product", "product", true],
    ["pud:*", "pud:status_update", true],
    ["pud:*", "pudding:x", false],
    ["pud", "pud:price_update", true],
    ["goods-out-note", "goods-out-note.created", true],
    ["invoice.paid", "invoice.failed", false],
  ])("%s matches %s: %s", (pattern, type, expected) => {
    expect(matchesEventType(pattern, type)).toBe(expected);
    // the indexed lookup agrees with the reference matcher
    expect(eventTypeKeys(type).includes(pattern)).toBe(expected);
  });
});
