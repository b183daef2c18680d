import { describe, expect, it } from "vitest";
import * as z from "zod";
import type { EventCatalog } from "../contracts.ts";
import { ValidationError } from "../errors.ts";
import { createCatalog, validateNow } from "./catalog.ts";

const catalog = createCatalog({
  types: {
    "plain.event": {},
    "sync.event": { schema: z.object({ id: z.string() }) },
    "async.event": { schema: z.object({ id: z.string() }).refine(async (o) => o.id !== "no") },
  },
  allowUnknown: true,
});

describe("validateNow", () => {
  it("answers without a promise for types without a schema or with a synchronous one", () => {
    expect(validateNow(catalog, "plain.event", { when: new Date(0) })).toEqual({
      when: "1970-01-01T00:00:00.000Z",
    });
    expect(validateNow(catalog, "other.unknown", [1, 2])).toEqual([1, 2]);
    expect(validateNow(catalog, "sync.event", { id: "a", extra: 1 })).toEqual({ id: "a" });
  });

  it("throws where validate() rejects, with the same error", async () => {
    const now = (() => {
      try {
        validateNow(catalog, "sync.event", { id: 1 });
      } catch (err) {
        return err;
      }
      return null;
    })();
    const later = await catalog.validate("sync.event", { id: 1 }).catch((err: unknown) => err);
    expect(now).toBeInstanceOf(ValidationError);
    expect(now).toEqual(later);
    expect(() => validateNow(createCatalog({ types: {} }), "x.y", {})).toThrow(ValidationError);
  });

  it("answers with a promise for an asynchronous schema, and for a catalog it did not build", async () => {
    const pending = validateNow(catalog, "async.event", { id: "a" });
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual({ id: "a" });
    await expect(
      validateNow(catalog, "async.event", { id: "no" }) as Promise<unknown>,
    ).rejects.toBeInstanceOf(ValidationError);
    const foreign: EventCatalog = {
      accepts: () => true,
      has: () => true,
      list: () => [],
      validate: async (_type, data) => ({ wrapped: data as string }),
    };
    const answer = validateNow(foreign, "a.b", "x");
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toEqual({ wrapped: "x" });
  });
});
