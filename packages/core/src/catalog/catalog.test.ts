import { type } from "arktype";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { HooklineError, ValidationError } from "../errors.ts";
import { createCatalog } from "./catalog.ts";

async function rejection(p: Promise<unknown>): Promise<HooklineError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!HooklineError.is(err)) throw new Error(`expected a HooklineError, got ${String(err)}`);
  return err;
}

const catalog = createCatalog({
  types: {
    "pud:status_update": { description: "Status changes on a PUD", example: { pudId: "p1" } },
    "pud:price_update": {},
    "product.deleted": {},
    "product.created": {},
    "invoice.paid": { internal: true },
    Showings: {},
  },
});

describe("createCatalog", () => {
  it("accepts exact names, *, separator wildcards and resource-level names of known types", () => {
    for (const p of ["pud:status_update", "*", "pud:*", "product.*", "product", "Showings", "invoice.paid"]) {
      expect(catalog.accepts(p), p).toBe(true);
    }
    for (const p of [
      "pud:status",
      "nope",
      "pud:nope",
      "product.updated",
      "invoice.*.x",
      "pu*",
      "pud*",
      "**",
      "product.",
      "",
    ]) {
      expect(catalog.accepts(p), p).toBe(false);
    }
    expect(catalog.accepts("pud")).toBe(true);
    expect(catalog.accepts(42 as unknown as string)).toBe(false);
  });

  it("allows unknown types when asked, but still checks pattern syntax", () => {
    const open = createCatalog({ types: {}, allowUnknown: true });
    expect(open.accepts("anything.goes")).toBe(true);
    expect(open.accepts("any*")).toBe(false);
    expect(open.accepts("with space")).toBe(false);
    expect(open.has("anything.goes")).toBe(false);
  });

  it("refuses invalid type names in its definition", () => {
    expect(() => createCatalog({ types: { "a*": {} } })).toThrowError(/event type/);
    expect(() => createCatalog({ types: { ".a": {} } })).toThrowError(/separator/);
  });

  it("lists public types with description, example and null schema", () => {
    expect(catalog.list()).toEqual([
      {
        name: "pud:status_update",
        description: "Status changes on a PUD",
        example: { pudId: "p1" },
        jsonSchema: null,
      },
      { name: "pud:price_update", description: null, example: null, jsonSchema: null },
      { name: "product.deleted", description: null, example: null, jsonSchema: null },
      { name: "product.created", description: null, example: null, jsonSchema: null },
      { name: "Showings", description: null, example: null, jsonSchema: null },
    ]);
    expect(catalog.has("invoice.paid")).toBe(true);
    expect(catalog.has("invoice")).toBe(false);
  });

  it("validates schema-less payloads as JSON and refuses unknown types", async () => {
    expect(await catalog.validate("Showings", { at: new Date(0), n: 1, skip: undefined })).toEqual({
      at: "1970-01-01T00:00:00.000Z",
      n: 1,
    });
    const unknown = await rejection(catalog.validate("nope", {}));
    expect(unknown.code).toBe("unknown_event_type");
    expect(unknown.issues[0]!.field).toBe("type");
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect((await rejection(catalog.validate("Showings", cyclic))).issues[0]!.field).toBe("data");
    expect((await rejection(catalog.validate("Showings", undefined))).issues[0]!.field).toBe("data");
    expect((await rejection(catalog.validate("Showings", { n: 1n }))).issues[0]!.field).toBe("data");
  });

  const vendors = {
    zod: z.object({ pudId: z.string(), price: z.object({ amount: z.number().int() }) }),
    valibot: v.object({ pudId: v.string(), price: v.object({ amount: v.pipe(v.number(), v.integer()) }) }),
    arktype: type({ pudId: "string", price: { amount: "number.integer" } }),
  };

  for (const [vendor, schema] of Object.entries(vendors)) {
    it(`validates payloads with ${vendor} through Standard Schema`, async () => {
      const c = createCatalog({ types: { "pud:price_update": { schema } } });
      const ok = { pudId: "p1", price: { amount: 529 } };
      expect(await c.validate("pud:price_update", ok)).toEqual(ok);
      const err = await rejection(c.validate("pud:price_update", { pudId: 7, price: { amount: 1.5 } }));
      expect(ValidationError.is(err)).toBe(true);
      expect(err.issues.map((i) => i.field).sort()).toEqual(["data.price.amount", "data.pudId"]);
      const info = c.list()[0]!;
      if (vendor === "valibot") expect(info.jsonSchema).toBeNull();
      else
        expect(info.jsonSchema).toMatchObject({
          type: "object",
          required: expect.arrayContaining(["pudId", "price"]),
        });
    });
  }

  it("awaits async schemas and returns their output", async () => {
    const schema = z.object({ n: z.string().transform(async (s) => Number(s)) });
    const c = createCatalog({ types: { t: { schema } } });
    expect(await c.validate("t", { n: "5" })).toEqual({ n: 5 });
    expect((await rejection(c.validate("t", { n: 5 }))).issues[0]!.field).toBe("data.n");
  });
});
