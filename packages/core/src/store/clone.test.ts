import { describe, expect, it } from "vitest";
import { cloneJson } from "./clone.ts";

describe("cloneJson", () => {
  it("copies a JSON tree deeply: no object or array is shared with the source", () => {
    const source = { a: { b: [1, { c: "x" }, null] }, n: 1.5, t: true };
    const copy = cloneJson(source);
    expect(copy).toEqual(source);
    expect(copy.a).not.toBe(source.a);
    expect(copy.a.b).not.toBe(source.a.b);
    expect(copy.a.b[1]).not.toBe(source.a.b[1]);
    (copy.a.b[1] as { c: string }).c = "mutated";
    expect((source.a.b[1] as { c: string }).c).toBe("x");
  });

  it("keeps an own __proto__ key as data without changing the copy's prototype", () => {
    const source = JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as Record<string, unknown>;
    const copy = cloneJson(source);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "k"]);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(structuredClone(source)).toEqual(copy);
  });

  it("matches structuredClone for holes, null-prototype objects, Dates, Maps and cycles", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = cyclic;
    let deep: unknown = "leaf";
    for (let i = 0; i < 1000; i++) deep = [deep];
    const cases: unknown[] = [
      // biome-ignore lint/suspicious/noSparseArray: a hole must stay a hole
      [, 1],
      Object.assign(Object.create(null) as object, { a: 1 }),
      { at: new Date(5) },
      { m: new Map([[1, 2]]) },
      cyclic,
      deep,
    ];
    for (const value of cases) {
      const copy = cloneJson(value);
      expect(copy).toStrictEqual(structuredClone(value));
      expect(copy).not.toBe(value);
    }
    const copied = cloneJson(cyclic);
    expect(copied["self"]).toBe(copied);
  });

  it("refuses functions and symbols inside a value, like structuredClone", () => {
    expect(() => cloneJson({ f: () => 1 })).toThrow(/could not be cloned/);
    expect(() => cloneJson([Symbol("s")])).toThrow(/could not be cloned/);
  });

  it("returns primitives as they are", () => {
    for (const v of [null, 0, "s", false]) expect(cloneJson(v)).toBe(v);
  });
});
