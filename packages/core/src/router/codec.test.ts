import { describe, expect, it } from "vitest";
import { HooklineError, ValidationError } from "../errors.ts";
import { plainSubscription } from "../testing/rows.ts";
import { defaultCodec } from "./codec-default.ts";
import { defineCodec } from "./codec-define.ts";
import { formatTime, parseTime } from "./codec-time.ts";
import { problemDetails } from "./problem.ts";

const at = new Date("2021-05-09T16:33:48.518Z");
const sub = plainSubscription(
  "acme",
  {
    id: "42",
    eventTypes: ["a.created", "a.deleted"],
    secrets: [{ id: "s1", value: "k".repeat(64), createdAt: at, expiresAt: null }],
  },
  at,
);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("codec time formats", () => {
  it("formats through its cache exactly as toISOString, across evictions and extreme years", () => {
    const instants = [0, -1, 8.64e15, -8.64e15, 253402300800000, at.getTime()];
    for (let i = 0; i < 3000; i++) instants.push(Math.floor(Math.sin(i + 1) * 4e12));
    for (const round of [1, 2]) {
      for (const ms of instants) {
        const d = new Date(ms);
        expect(formatTime(d, "iso"), `${round} ${ms}`).toBe(d.toISOString());
        expect(formatTime(d, "rfc3339-nanos")).toBe(d.toISOString().replace(/Z$/, "000000Z"));
      }
    }
    expect(() => formatTime(new Date(Number.NaN), "iso")).toThrow(RangeError);
  });

  it("formats and parses each format", () => {
    expect(formatTime(at, "iso")).toBe("2021-05-09T16:33:48.518Z");
    expect(formatTime(at, "rfc3339-nanos")).toBe("2021-05-09T16:33:48.518000000Z");
    expect(formatTime(at, "epoch-seconds")).toBe(1620578028.518);
    expect(formatTime(at, "epoch-millis")).toBe(1620578028518);
    expect(parseTime("2021-05-09T16:33:48.518547841Z", "rfc3339-nanos")).toEqual(at);
    expect(parseTime("2021-05-09T18:33:48.518+02:00", "iso")).toEqual(at);
    expect(parseTime(1620578028.518, "epoch-seconds")).toEqual(at);
    expect(parseTime(1620578028518, "epoch-millis")).toEqual(at);
    for (const bad of ["yesterday", "2021-13-09T16:33:48Z", "2021-05-09", 12, null, Number.NaN, {}]) {
      expect(parseTime(bad, "iso")).toBeNull();
    }
    expect(parseTime(1e20, "epoch-seconds")).toBeNull();
  });
});

describe("defineCodec", () => {
  it("the default codec: camelCase, ISO times, bare objects, {data, total, nextCursor} lists", () => {
    const wire = defaultCodec.encodeSubscription(sub);
    expect(wire).toMatchObject({
      id: "42",
      eventTypes: ["a.created", "a.deleted"],
      createdAt: "2021-05-09T16:33:48.518Z",
    });
    expect(wire).not.toHaveProperty("tenant");
    expect(defaultCodec.one(wire)).toBe(wire);
    expect(defaultCodec.list([wire], { count: 1, total: 5, nextCursor: "c" })).toEqual({
      data: [wire],
      total: 5,
      nextCursor: "c",
    });
    expect(defaultCodec.createStatus).toBe(201);
    expect(defaultCodec.deleteStatus).toBe(204);
  });

  it("renames, reshapes lists, adds constants, integer ids, snake_case records", () => {
    const codec = defineCodec({
      name: "t",
      naming: "snake_case",
      time: "epoch-seconds",
      ids: { type: "integer" },
      fields: {
        id: true,
        url: "hook_address",
        eventTypes: { name: "event_types", shape: "objects", itemKey: "event_type" },
        tenant: { name: "business_ids", shape: "objects", itemKey: "business_id" },
        secret: { name: "key", readOnly: true },
        createdAt: true,
        bodyTemplate: { omitNull: true },
      },
      constants: { type: "hook" },
    });
    expect(codec.encodeSubscription(sub)).toEqual({
      id: 42,
      hook_address: "https://example.com/hook",
      event_types: [{ event_type: "a.created" }, { event_type: "a.deleted" }],
      business_ids: [{ business_id: "acme" }],
      key: "k".repeat(64),
      created_at: 1620578028.518,
      type: "hook",
    });
    expect(codec.encodeRecord({ deliveryId: "d", startedAt: at })).toEqual({
      delivery_id: "d",
      started_at: 1620578028.518,
    });
    expect(codec.key("url")).toBe("hook_address");
    expect(codec.key("graceMs")).toBe("grace_ms");
    expect(codec.query.eventType).toBe("event_type");
    for (const eventTypes of ["a.created", ["a.created"], [{ event_type: "a.created" }]]) {
      expect(codec.decodeInput({ hook_address: "https://x.test", event_types: eventTypes })).toEqual({
        url: "https://x.test",
        eventTypes: ["a.created"],
      });
    }
    expect(
      codec.decodeInput({ hook_address: "https://x.test", event_types: "a", type: "hook" }),
    ).toBeTruthy();
    const wrongConst = thrown(() =>
      codec.decodeInput({ hook_address: "https://x.test", event_types: "a", type: "x" }),
    );
    expect(ValidationError.is(wrongConst)).toBe(true);
    expect(codec.isValidId("12")).toBe(true);
    expect(codec.isValidId("012")).toBe(false);
    expect(codec.isValidId("abc")).toBe(false);
  });

  it("single-valued lists, write-only fields, defaults, omitWhen", () => {
    const codec = defineCodec({
      name: "t",
      fields: {
        eventTypes: { name: "topic", shape: "single", default: ["*"] },
        url: true,
        secret: { writeOnly: true, default: null },
        contentType: { omitWhen: (s) => s.method === "GET" },
      },
    });
    expect(codec.encodeSubscription(sub)).toEqual({
      topic: "a.created",
      url: sub.url,
      contentType: "application/json",
    });
    expect(codec.encodeSubscription({ ...sub, method: "GET" })).toEqual({ topic: "a.created", url: sub.url });
    expect(codec.decodeInput({ url: "https://x.test", secret: "s" })).toEqual({
      url: "https://x.test",
      eventTypes: ["*"],
      secret: "s",
    });
    expect(codec.decodeInput({ url: "https://x.test" })).toMatchObject({ secret: null });
    expect(codec.decodePatch({ topic: "b" })).toEqual({ eventTypes: ["b"] });
    expect(codec.query.eventType).toBe("topic");
    const err = thrown(() => codec.decodeInput({ url: "https://x.test", topic: ["a"] })) as ValidationError;
    expect(err.issues).toEqual([expect.objectContaining({ field: "topic" })]);
    expect(
      codec.error(problemDetails(422, "bad", { errors: [{ field: "eventTypes.0", message: "m" }] })).body,
    ).toMatchObject({
      errors: [{ field: "topic", message: "m" }],
    });
  });

  it("rejects unknown and read-only fields with 400 naming them, or ignores them", () => {
    const err = thrown(() =>
      defaultCodec.decodeInput({ url: "https://x.test", eventTypes: ["a"], foo: 1, id: "x" }),
    );
    expect(HooklineError.is(err, "bad_request")).toBe(true);
    expect((err as HooklineError).status).toBe(400);
    expect((err as HooklineError).issues.map((i) => [i.field, i.code])).toEqual([
      ["foo", "unknown_field"],
      ["id", "read_only"],
    ]);
    const lenient = defineCodec({ name: "l", unknownFields: "ignore" });
    expect(lenient.decodeInput({ url: "https://x.test", eventTypes: ["a"], foo: 1, id: "x" })).toEqual({
      url: "https://x.test",
      eventTypes: ["a"],
    });
  });

  it("checks value types and required fields (422 naming each)", () => {
    const err = thrown(() =>
      defaultCodec.decodeInput({
        method: "DELETE",
        qos: 2,
        headers: { a: 1 },
        retrySchedule: [-1],
        rateLimit: 0,
      }),
    ) as ValidationError;
    expect(ValidationError.is(err)).toBe(true);
    expect(err.issues.map((i) => i.field).sort()).toEqual(
      ["eventTypes", "headers", "method", "qos", "rateLimit", "retrySchedule", "url"].sort(),
    );
    expect(defaultCodec.decodePatch({ method: "get", description: null })).toEqual({
      method: "GET",
      description: null,
    });
    for (const body of [null, [], "x", 3])
      expect(
        HooklineError.is(
          thrown(() => defaultCodec.decodePatch(body)),
          "bad_request",
        ),
      ).toBe(true);
  });

  it("envelopes: {code, data, info} and {response}", () => {
    const brand = defineCodec({
      name: "b",
      envelope: {
        key: "data",
        extra: { code: "OK" },
        listInfo: { at: "info", count: "count", total: "total" },
      },
    });
    expect(brand.one({ a: 1 })).toEqual({ code: "OK", data: { a: 1 } });
    expect(brand.list([1], { count: 1, total: 3, nextCursor: "x" })).toEqual({
      code: "OK",
      data: [1],
      info: { count: 1, total: 3 },
    });
    const bp = defineCodec({ name: "bp", envelope: { key: "response" } });
    expect(bp.list([1, 2], { count: 2, total: 2, nextCursor: null })).toEqual({ response: [1, 2] });
    const bare = defineCodec({ name: "bare" });
    expect(bare.list([1], { count: 1, total: 1, nextCursor: null })).toEqual([1]);
  });

  it("custom error shapes", () => {
    const codec = defineCodec({
      name: "e",
      error: { render: (p) => ({ error: p.detail, status: p.status }) },
    });
    expect(codec.error(problemDetails(404, "gone"))).toEqual({
      body: { error: "gone", status: 404 },
      contentType: "application/json",
    });
    expect(defaultCodec.error(problemDetails(404, "gone")).contentType).toBe("application/problem+json");
  });

  it("refuses inconsistent definitions", () => {
    expect(() => defineCodec({ name: "x", fields: { eventTypes: { shape: "objects" } } })).toThrow(/itemKey/);
    expect(() => defineCodec({ name: "x", fields: { url: { shape: "single" } } })).toThrow(/list fields/);
    expect(() => defineCodec({ name: "x", fields: { url: "a", description: "a" } })).toThrow(
      /share a wire name/,
    );
    expect(() => defineCodec({ name: "x", fields: { nope: true } as never })).toThrow(/unknown field/);
    const noUrl = defineCodec({ name: "x", fields: { eventTypes: true } });
    expect(() => noUrl.decodeInput({ eventTypes: ["a"] })).toThrow(/has no url field/);
  });
});
