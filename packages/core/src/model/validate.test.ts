import { describe, expect, it } from "vitest";
import { createCatalog } from "../catalog/catalog.ts";
import { HooklineError, ValidationError } from "../errors.ts";
import {
  isSendableHeaderValue,
  redactHeaders,
  targetUrlProblem,
  validateSubscriptionInput,
  validateTargetUrl,
} from "./validate.ts";

const catalog = createCatalog({
  types: { "invoice.paid": {}, "pud:status_update": {}, "product.deleted": {} },
});
const base = { url: "https://a.example/hook", eventTypes: ["invoice.paid"] };

function issuesOf(input: unknown, partial = false): { field: string; code?: string }[] {
  try {
    validateSubscriptionInput(input, { catalog, partial });
  } catch (err) {
    expect(ValidationError.is(err)).toBe(true);
    return (err as HooklineError).issues.map(({ field, code }) => ({ field, code }));
  }
  return [];
}

describe("validateTargetUrl", () => {
  it.each([
    "https://a.example/x?y=1#z",
    "http://127.0.0.1:8080/",
    "http://[::1]/x",
    "http://www.example.com/callback/${account-code}/${resource-type}/${resource-id}",
    "https://a.example?x=${data.x}#${tenant}",
    "https://a.example:8443/${tenant}/x.${resource-id}",
  ])("accepts %s", (url) => {
    expect(validateTargetUrl(url)).toBe(url);
  });

  it.each([
    ["ftp://a.example", "invalid_url"],
    ["javascript:alert(1)", "invalid_url"],
    ["https://user:pw@a.example", "invalid_url"],
    ["https://user@a.example", "invalid_url"],
    ["/relative", "invalid_url"],
    ["https://a.example/ space", "invalid_url"],
    [" https://a.example", "invalid_url"],
    ["https://a.example/\n", "invalid_url"],
    ["https://a.example/${oops", "invalid_url"],
    ["${scheme}://a.example", "invalid_url"],
    ["https://${tenant}.example.com/hook", "invalid_url"],
    ["https://api.example.com${data.host}/hook", "invalid_url"],
    ["https://api.example.com${data.host}", "invalid_url"],
    ["https://a.example:${data.port}/", "invalid_url"],
    ["https://${data.user}@a.example/", "invalid_url"],
    ["http${data.s}://a.example/", "invalid_url"],
    [`https://a.example/${"x".repeat(2048)}`, "too_long"],
    ["", "required"],
    [42, "invalid_type"],
    [null, "invalid_type"],
  ])("refuses %s (%s)", (url, code) => {
    expect(targetUrlProblem(url)?.code).toBe(code);
    let err: unknown;
    try {
      validateTargetUrl(url, "callbackUrl");
    } catch (e) {
      err = e;
    }
    expect(ValidationError.is(err)).toBe(true);
    expect((err as HooklineError).issues[0]).toMatchObject({ field: "callbackUrl", code });
  });

  it("says where placeholders may go", () => {
    expect(targetUrlProblem("https://api.example.com${data.host}/hook")?.message).toMatch(
      /placeholders only in the path and query/,
    );
  });

  it("accepts exactly 2 KiB", () => {
    const url = "https://a.example/";
    expect(targetUrlProblem(url + "x".repeat(2048 - url.length))).toBeNull();
    expect(targetUrlProblem(url + "x".repeat(2049 - url.length))?.code).toBe("too_long");
  });
});

describe("validateSubscriptionInput", () => {
  it("returns canonical fields", () => {
    const v = validateSubscriptionInput(
      {
        ...base,
        method: "put",
        eventTypes: ["invoice.paid", "invoice.paid", "pud:*", "product"],
        headers: { "X-Team": "blue" },
        retrySchedule: [0, 5000],
        rateLimit: 5,
        concurrency: null,
        metadata: { a: "1" },
        tags: ["x"],
        description: null,
        qos: 0,
        idSetAccepted: true,
        status: "paused",
        contentType: "application/x-www-form-urlencoded; charset=utf-8",
        extraField: "ignored",
      },
      { catalog },
    );
    expect(v).toEqual({
      url: base.url,
      method: "PUT",
      eventTypes: ["invoice.paid", "pud:*", "product"],
      headers: { "X-Team": "blue" },
      retrySchedule: [0, 5000],
      rateLimit: 5,
      concurrency: null,
      metadata: { a: "1" },
      tags: ["x"],
      description: null,
      qos: 0,
      idSetAccepted: true,
      status: "paused",
      contentType: "application/x-www-form-urlencoded; charset=utf-8",
    });
  });

  it("requires url and eventTypes unless partial", () => {
    expect(issuesOf({})).toEqual([
      { field: "url", code: "required" },
      { field: "eventTypes", code: "required" },
    ]);
    expect(issuesOf({}, true)).toEqual([]);
    expect(issuesOf({ ...base, eventTypes: [] })).toEqual([{ field: "eventTypes", code: "required" }]);
  });

  it("names every bad field at once", () => {
    const issues = issuesOf({
      url: 5,
      eventTypes: ["invoice.paid", 3, "nope", "inv*", "pud:*"],
      method: "DELETE",
      qos: "1",
      rateLimit: 0,
      concurrency: 1.5,
      retrySchedule: [-1],
      headers: { Host: "x", "Content-Length": "1", "webhook-signature": "x", "bad name": "x", ok: 5 },
      status: "disabled",
      idSetAccepted: "yes",
      description: 7,
      tags: "a",
      secret: 12,
      scheme: 3,
      contentType: "json",
      bodyTemplate: 4,
      id: "has space",
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: "url", code: "invalid_type" },
        { field: "eventTypes.1", code: "invalid_type" },
        { field: "eventTypes.2", code: "unknown_event_type" },
        { field: "eventTypes.3", code: "invalid_pattern" },
        { field: "method", code: "invalid_enum" },
        { field: "qos", code: "invalid_enum" },
        { field: "rateLimit", code: "invalid" },
        { field: "concurrency", code: "invalid" },
        { field: "retrySchedule", code: "invalid" },
        { field: "headers.Host", code: "reserved_header" },
        { field: "headers.Content-Length", code: "reserved_header" },
        { field: "headers.webhook-signature", code: "reserved_header" },
        { field: "headers.bad name", code: "invalid_header_name" },
        { field: "headers.ok", code: "invalid_type" },
        { field: "status", code: "invalid_enum" },
        { field: "idSetAccepted", code: "invalid_type" },
        { field: "description", code: "invalid_type" },
        { field: "tags", code: "invalid_type" },
        { field: "secret", code: "invalid" },
        { field: "scheme", code: "invalid_type" },
        { field: "contentType", code: "invalid" },
        { field: "bodyTemplate", code: "invalid_type" },
        { field: "id", code: "invalid" },
      ]),
    );
    expect(issues).toHaveLength(23);
  });

  it("reports only unknown event types with the unknown_event_type code", () => {
    let err: unknown;
    try {
      validateSubscriptionInput({ ...base, eventTypes: ["nope", "invoice.*"] }, { catalog });
    } catch (e) {
      err = e;
    }
    expect(HooklineError.is(err, "unknown_event_type")).toBe(true);
    expect((err as HooklineError).status).toBe(422);
  });

  it("enforces size limits", () => {
    const many = (n: number, size = 1) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v".repeat(size)]));
    expect(issuesOf({ ...base, metadata: many(50) })).toEqual([]);
    expect(issuesOf({ ...base, metadata: many(51) })).toEqual([{ field: "metadata", code: "too_many" }]);
    expect(issuesOf({ ...base, metadata: many(10, 2000) })).toEqual([
      { field: "metadata", code: "too_large" },
    ]);
    expect(issuesOf({ ...base, metadata: { a: 1 } })).toEqual([
      { field: "metadata.a", code: "invalid_type" },
    ]);
    expect(issuesOf({ ...base, metadata: JSON.parse('{"__proto__":"x"}') })).toEqual([
      { field: "metadata", code: "invalid" },
    ]);
    expect(issuesOf({ ...base, description: "é".repeat(513) })).toEqual([
      { field: "description", code: "too_long" },
    ]);
    expect(issuesOf({ ...base, tags: Array.from({ length: 51 }, () => "t") })).toEqual([
      { field: "tags", code: "too_many" },
    ]);
    expect(issuesOf({ ...base, tags: ["ok", ""] })).toEqual([{ field: "tags.1", code: "invalid" }]);
    expect(issuesOf({ ...base, retrySchedule: Array.from({ length: 21 }, () => 0) })).toEqual([
      { field: "retrySchedule", code: "too_many" },
    ]);
    expect(issuesOf({ ...base, headers: { "x-a": "v".repeat(4097) } })).toEqual([
      { field: "headers.x-a", code: "too_long" },
    ]);
    expect(issuesOf({ ...base, headers: { "x-a": "a\r\nInjected: 1" } })).toEqual([
      { field: "headers.x-a", code: "invalid_header_value" },
    ]);
    expect(issuesOf({ ...base, headers: { "x-a": "1", "X-A": "2" } })).toEqual([
      { field: "headers.X-A", code: "duplicate" },
    ]);
  });

  it.each([
    ["€", "above U+00FF"],
    ["a\u0001b", "a control character"],
    ["a\u007fb", "DEL"],
    ["a\rb", "CR"],
    ["a\nb", "LF"],
    ["a\u0000b", "NUL"],
    ["😀", "an astral character"],
  ])("refuses header value %j (%s), which no HTTP client would send", (value) => {
    expect(issuesOf({ ...base, headers: { "x-a": value } })).toEqual([
      { field: "headers.x-a", code: "invalid_header_value" },
    ]);
  });

  it("accepts header values of visible ASCII, space, tab and Latin-1", () => {
    const headers = { "x-a": "Bearer abc.DEF~!@#$%^&*()", "x-b": "a\tb c", "x-c": "café ÿ\u0080", "x-d": "" };
    expect(validateSubscriptionInput({ ...base, headers }, { catalog }).headers).toEqual(headers);
    expect(isSendableHeaderValue("€")).toBe(false);
  });

  it("refuses a body template on GET", () => {
    expect(issuesOf({ ...base, method: "GET", bodyTemplate: "{}" })).toEqual([
      { field: "bodyTemplate", code: "not_allowed" },
    ]);
    expect(issuesOf({ ...base, method: "GET", bodyTemplate: null })).toEqual([]);
  });

  it("never throws a TypeError on wrong shapes", () => {
    for (const input of [null, undefined, 1, "s", [], true]) {
      expect(issuesOf(input)).toEqual([{ field: "$", code: "invalid_type" }]);
    }
    for (const key of ["headers", "metadata"]) {
      for (const bad of [[], "x", 1, null]) expect(issuesOf({ ...base, [key]: bad })[0]!.field).toBe(key);
    }
  });
});

describe("redactHeaders", () => {
  it("redacts sensitive values only", () => {
    expect(
      redactHeaders({ Authorization: "Bearer x", "x-api-key": "k", Cookie: "c", "x-team": "blue" }),
    ).toEqual({
      Authorization: "[redacted]",
      "x-api-key": "[redacted]",
      Cookie: "[redacted]",
      "x-team": "blue",
    });
  });
});
