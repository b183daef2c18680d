import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainJsonCopy } from "./json.ts";

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe("plainJsonCopy", () => {
  it("equals the JSON round trip on plain JSON trees, sharing no object with the source", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = plainJsonCopy(value);
        expect(copy).toStrictEqual(roundTrip(value));
        if (value !== null && typeof value === "object") expect(copy).not.toBe(value);
      }),
    );
    const source = { a: { b: [1, { c: "x" }] } };
    const copy = plainJsonCopy(source) as typeof source;
    expect(copy.a).not.toBe(source.a);
    expect(copy.a.b[1]).not.toBe(source.a.b[1]);
  });

  it("writes -0 as 0, keeps key order and an own __proto__ key as data, accepts null prototypes", () => {
    expect(Object.is(plainJsonCopy(-0), 0)).toBe(true);
    expect(Object.is((plainJsonCopy([-0]) as number[])[0], 0)).toBe(true);
    const ordered = { b: 1, 2: "two", a: 2, 1: "one" };
    expect(Object.keys(plainJsonCopy(ordered) as object)).toEqual(Object.keys(roundTrip(ordered) as object));
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "k": 1}') as object;
    const copy = plainJsonCopy(proto) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "k"]);
    expect(copy).toStrictEqual(roundTrip(proto));
    const bare = Object.assign(Object.create(null) as object, { x: 1 });
    const bareCopy = plainJsonCopy(bare);
    expect(Object.getPrototypeOf(bareCopy)).toBe(Object.prototype);
    expect(bareCopy).toStrictEqual({ x: 1 });
  });

  it("gives up (undefined) on whatever the round trip would convert or refuse", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const holey: number[] = [];
    holey[0] = 1;
    holey[2] = 3;
    const throwing = {
      get boom(): number {
        throw new Error("getter");
      },
    };
    const cases: unknown[] = [
      undefined,
      () => 1,
      Symbol("s"),
      10n,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date(0),
      { when: new Date(0) },
      { toJSON: () => "x" },
      { a: undefined },
      [undefined],
      holey,
      new Map(),
      new (class Thing {})(),
      Object.assign([1], { toJSON: () => "x" }),
      new Number(1),
      cyclic,
      deep,
      throwing,
    ];
    for (const value of cases) expect(plainJsonCopy(value)).toBeUndefined();
  });
});
