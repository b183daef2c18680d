import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memoryStore } from "../store/memory.ts";
import { fixtureSubscription } from "../testing/store-suite.ts";
import { eventTypeKeys, matchesEventType } from "./match.ts";
import { isValidEventPattern } from "./pattern.ts";

// Event types built from a small alphabet so that prefixes and separators collide often.
const segment = fc.constantFrom("a", "b", "ab", "pud", "product");
const sep = fc.constantFrom(".", ":", "/");
const eventType = fc
  .tuple(segment, fc.array(fc.tuple(sep, segment), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([s, x]) => s + x).join(""));
const pattern = fc.oneof(
  eventType,
  fc.constant("*"),
  fc.tuple(eventType, sep).map(([t, s]) => `${t}${s}*`),
);

describe("indexed matching agrees with the reference matcher", () => {
  it("eventTypeKeys(type) contains exactly the valid patterns that match", () => {
    fc.assert(
      fc.property(pattern, eventType, (p, t) => {
        expect(isValidEventPattern(p)).toBe(true);
        expect(eventTypeKeys(t).includes(p)).toBe(matchesEventType(p, t));
      }),
    );
  });

  it("the memory store's lookup returns exactly the matching subscriptions", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(pattern, { minLength: 1, maxLength: 3 }), { maxLength: 12 }),
        eventType,
        async (subs, t) => {
          const store = memoryStore();
          const expected: string[] = [];
          for (const [i, patterns] of subs.entries()) {
            const sub = fixtureSubscription("t", { id: `s${i}`, eventTypes: [...new Set(patterns)] });
            await store.createSubscription(sub);
            if (sub.eventTypes.some((p) => matchesEventType(p, t))) expected.push(sub.id);
          }
          expect((await store.matchSubscriptions("t", t)).map((s) => s.id)).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
