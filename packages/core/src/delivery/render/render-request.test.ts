// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${…} placeholders of seed 002 templates are the subject here
import { describe, expect, it } from "vitest";
import type { Message, Subscription } from "../../model/types.ts";
import { plainSubscription } from "../../testing/rows.ts";
import type { RenderContext } from "../types.ts";
import { flatEnvelope, standardEnvelope } from "./envelope.ts";
import { isFormContentType, isJsonContentType, renderRequest, splitEventType } from "./render-request.ts";
import { RenderError, templatePlaceholders } from "./template.ts";

const T0 = new Date("2026-03-04T05:06:07.089Z");

function subscription(partial: Partial<Subscription> = {}): Subscription {
  return plainSubscription("acme", { url: "https://hooks.example.com/in", secrets: [], ...partial }, T0);
}

function message(partial: Partial<Message> = {}): Message {
  return {
    id: "msg_1",
    tenant: "acme",
    type: "product.deleted",
    data: { sku: "A-1", price: 12.5, tags: ["x", "y"], nested: { quote: 'say "hi"' } },
    timestamp: T0,
    resourceId: "1",
    createdAt: T0,
    ...partial,
  };
}

const ctx: RenderContext = { envelope: standardEnvelope };
const text = (body: Uint8Array | null) => (body === null ? null : new TextDecoder().decode(body));

function renderError(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (err) {
    if (RenderError.is(err)) return err;
    throw err;
  }
  throw new Error("expected a RenderError");
}

describe("renderRequest: envelope bodies", () => {
  it("sends the standard envelope as JSON with the subscription's headers", () => {
    const req = renderRequest(
      subscription({ headers: { "X-Team": "core", "Content-Type": "text/evil" } }),
      [message()],
      ctx,
    );
    expect(req.method).toBe("POST");
    expect(req.url).toBe("https://hooks.example.com/in");
    expect(req.headers).toEqual({ "x-team": "core", "content-type": "application/json" });
    expect(JSON.parse(text(req.body)!)).toEqual({
      type: "product.deleted",
      timestamp: "2026-03-04T05:06:07.089Z",
      data: message().data,
    });
  });

  it("uses the configured envelope (seed 003 flat envelope)", () => {
    const req = renderRequest(subscription(), [message()], { envelope: flatEnvelope });
    expect(JSON.parse(text(req.body)!)).toEqual({
      id: "msg_1",
      eventType: "product.deleted",
      timestamp: "2026-03-04T05:06:07.089Z",
      data: message().data,
    });
  });

  it("sends an array of envelopes for an id set", () => {
    const req = renderRequest(subscription(), [message(), message({ id: "msg_2", resourceId: "2" })], ctx);
    expect(JSON.parse(text(req.body)!)).toHaveLength(2);
  });

  it("GET carries no body and no content-type", () => {
    const req = renderRequest(
      subscription({ method: "GET", headers: { "content-type": "x/y" } }),
      [message()],
      ctx,
    );
    expect(req.body).toBeNull();
    expect(req.headers).toEqual({});
  });

  it("refuses custom headers that would inject lines", () => {
    expect(
      renderError(() => renderRequest(subscription({ headers: { "x-a": "1\r\nx-b: 2" } }), [message()], ctx))
        .message,
    ).toMatch(/invalid custom header "x-a"/);
    for (const value of ["€", "a\u0001b"]) {
      expect(
        renderError(() => renderRequest(subscription({ headers: { "x-b": value } }), [message()], ctx))
          .message,
      ).toMatch(/invalid custom header "x-b"/);
    }
  });
});

describe("renderRequest: seed 002 templates", () => {
  const seedBody =
    '{"accountCode": "${account-code}", "resourceType": "${resource-type}", "id": "${resource-id}", "lifecycleEvent": "${lifecycle-event}", "fullEvent": "${full-event}" }';

  it("expands the seed 002 body template into valid JSON", () => {
    const req = renderRequest(
      subscription({ bodyTemplate: seedBody, idSetAccepted: true }),
      [message()],
      ctx,
    );
    const body = JSON.parse(text(req.body)!);
    expect(body).toEqual({
      accountCode: "acme",
      resourceType: "product",
      id: "1",
      lifecycleEvent: "deleted",
      fullEvent: JSON.stringify(standardEnvelope(message())),
    });
  });

  it("joins an id set in the body and in the URI", () => {
    const ids = [
      message(),
      message({ id: "m2", resourceId: "2" }),
      message({ id: "m3", resourceId: "3" }),
    ] as const;
    const body = renderRequest(subscription({ bodyTemplate: seedBody }), ids, ctx);
    expect(JSON.parse(text(body.body)!).id).toBe("1,2,3");
    const get = renderRequest(
      subscription({
        method: "GET",
        url: "http://www.example.com/callback/${account-code}/${resource-type}/${resource-id}/${lifecycle-event}",
      }),
      ids,
      ctx,
    );
    expect(get.url).toBe("http://www.example.com/callback/acme/product/1,2,3/deleted");
    expect(get.body).toBeNull();
  });

  it("percent-encodes URI values, each id of a set separately", () => {
    const req = renderRequest(
      subscription({ url: "https://h.example/${account-code}/${resource-id}?e=${event-type}" }),
      [message({ tenant: "a/b?c#d", resourceId: "x,y z" }), message({ resourceId: "../2" })],
      ctx,
    );
    expect(req.url).toBe("https://h.example/a%2Fb%3Fc%23d/x%2Cy%20z,..%2F2?e=product.deleted");
  });

  it("JSON-escapes values inside strings and inserts JSON values outside them", () => {
    const template =
      '{"q": "${data.nested.quote}", "price": ${data.price}, "tags": ${data.tags}, "event": ${full-event}, "t": "${timestamp}", "tenant": ${tenant}}';
    const req = renderRequest(
      subscription({ bodyTemplate: template, contentType: "application/vnd.acme+json; charset=utf-8" }),
      [message({ tenant: 'ac"me\\' })],
      ctx,
    );
    expect(req.headers["content-type"]).toBe("application/vnd.acme+json; charset=utf-8");
    expect(JSON.parse(text(req.body)!)).toEqual({
      q: 'say "hi"',
      price: 12.5,
      tags: ["x", "y"],
      event: standardEnvelope(message({ tenant: 'ac"me\\' })),
      t: "2026-03-04T05:06:07.089Z",
      tenant: 'ac"me\\',
    });
  });

  it("keeps values verbatim for non-JSON content types", () => {
    const req = renderRequest(
      subscription({
        bodyTemplate: "id=${resource-id}&q=${data.nested.quote}&m=${message-id}",
        contentType: "text/plain",
      }),
      [message()],
      ctx,
    );
    expect(text(req.body)).toBe('id=1&q=say "hi"&m=msg_1');
    expect(req.headers["content-type"]).toBe("text/plain");
  });

  it("lets context variables define and override placeholders", () => {
    const withVars: RenderContext = {
      envelope: standardEnvelope,
      variables: (m, s) => ({ "account-code": `ACC-${m.tenant}`, region: s.metadata["region"] ?? "eu" }),
    };
    const req = renderRequest(
      subscription({ url: "https://h.example/${account-code}/${region}", method: "GET" }),
      [message()],
      withVars,
    );
    expect(req.url).toBe("https://h.example/ACC-acme/eu");
  });
});

describe("renderRequest: render errors", () => {
  it.each([
    [
      { bodyTemplate: '{"x": "${nope}"}' },
      /unknown placeholder \$\{nope\} in the body template of subscription sub_1/,
    ],
    [{ url: "https://h.example/${nope}" }, /unknown placeholder \$\{nope\} in the URL of subscription sub_1/],
    [{ bodyTemplate: '{"x": "${data.missing.path}"}' }, /\$\{data\.missing\.path\} not found in the payload/],
    [{ bodyTemplate: '{"x": "${resource-id' }, /unterminated placeholder/],
    [{ bodyTemplate: '{"x": "${resource-id"}' }, /malformed placeholder/],
    [{ bodyTemplate: '{"x": "${not valid}"}' }, /malformed placeholder/],
    [{ url: "${tenant}" }, /renders an invalid URL/],
    [{ url: "ftp://h.example/${tenant}" }, /renders a non-HTTP URL/],
  ] as const)("%o fails with a clear message", (partial, message_) => {
    const err = renderError(() => renderRequest(subscription(partial), [message()], ctx));
    expect(err.kind).toBe("render");
    expect(err.message).toMatch(message_);
    expect(err.message.startsWith("[hookline]")).toBe(true);
  });

  it("needs a resourceId when ${resource-id} is used", () => {
    const err = renderError(() =>
      renderRequest(subscription({ bodyTemplate: '"${resource-id}"' }), [message({ resourceId: null })], ctx),
    );
    expect(err.message).toMatch(/message msg_1 has no resourceId/);
  });
});

describe("renderRequest: event data cannot move the request", () => {
  const evil = (data: Message["data"]) => [message({ data })] as [Message];

  it("refuses a rendered URL whose origin differs from the template's (a stored legacy template)", () => {
    const err = renderError(() =>
      renderRequest(
        subscription({ url: "https://api.example.com${data.host}/hook" }),
        evil({ host: ".evil.com" }),
        ctx,
      ),
    );
    expect(err.kind).toBe("render");
    expect(err.message).toMatch(/outside the template's origin/);
    for (const url of ["https://${data.host}/hook", "https://api.example.com:${data.port}/"]) {
      const e = renderError(() =>
        renderRequest(subscription({ url }), evil({ host: "api.example.com", port: "443" }), ctx),
      );
      expect(e.message).toMatch(/outside the template's origin/);
    }
  });

  it.each(["..", "."])("refuses a path segment rendered as %s", (value) => {
    const err = renderError(() =>
      renderRequest(subscription({ url: "https://h.example/api/${data.p}/items" }), evil({ p: value }), ctx),
    );
    expect(err.kind).toBe("render");
    expect(err.message).toMatch(/path segment from event data/);
  });

  it("refuses a dot segment assembled from two placeholders or a placeholder and a literal", () => {
    const two = renderError(() =>
      renderRequest(
        subscription({ url: "https://h.example/a/${data.x}${data.y}" }),
        evil({ x: ".", y: "." }),
        ctx,
      ),
    );
    expect(two.message).toMatch(/".." path segment/);
    const mixed = renderError(() =>
      renderRequest(subscription({ url: "https://h.example/a/.${data.x}" }), evil({ x: "." }), ctx),
    );
    expect(mixed.message).toMatch(/".." path segment/);
    const encoded = renderError(() =>
      renderRequest(subscription({ url: "https://h.example/a/%2E${data.x}" }), evil({ x: "." }), ctx),
    );
    expect(encoded.message).toMatch(/"%2E\." path segment/);
  });

  it("keeps dots inside a segment and in the query", () => {
    const req = renderRequest(
      subscription({ url: "https://h.example/a/${data.x}?q=${data.y}" }),
      evil({ x: "..x", y: ".." }),
      ctx,
    );
    expect(req.url).toBe("https://h.example/a/..x?q=..");
    const percent = renderRequest(
      subscription({ url: "https://h.example/a/${data.x}" }),
      evil({ x: "%2e%2e" }),
      ctx,
    );
    expect(percent.url).toBe("https://h.example/a/%252e%252e");
  });

  it("form-encodes values in application/x-www-form-urlencoded bodies", () => {
    const req = renderRequest(
      subscription({
        contentType: "application/x-www-form-urlencoded; charset=utf-8",
        bodyTemplate: "name=${data.name}&role=viewer&ids=${resource-id}",
      }),
      [message({ data: { name: "x&role=admin é" }, resourceId: "1" }), message({ resourceId: "2" })],
      ctx,
    );
    const body = text(req.body)!;
    expect(body).toBe("name=x%26role%3Dadmin%20%C3%A9&role=viewer&ids=1,2");
    expect(new URLSearchParams(body).getAll("role")).toEqual(["viewer"]);
    expect(new URLSearchParams(body).get("name")).toBe("x&role=admin é");
  });
});

describe("helpers", () => {
  it("splits event types at the last separator", () => {
    expect(splitEventType("product.deleted")).toEqual({ resourceType: "product", lifecycleEvent: "deleted" });
    expect(splitEventType("pud:status_update")).toEqual({
      resourceType: "pud",
      lifecycleEvent: "status_update",
    });
    expect(splitEventType("goods-out-note.created")).toEqual({
      resourceType: "goods-out-note",
      lifecycleEvent: "created",
    });
    expect(splitEventType("a.b.c")).toEqual({ resourceType: "a.b", lifecycleEvent: "c" });
    expect(splitEventType("ping")).toEqual({ resourceType: "ping", lifecycleEvent: "" });
  });

  it("recognises form content types", () => {
    expect(isFormContentType("application/x-www-form-urlencoded")).toBe(true);
    expect(isFormContentType(" Application/X-WWW-Form-Urlencoded ; charset=utf-8")).toBe(true);
    expect(isFormContentType("application/x-www-form-urlencodedx")).toBe(false);
    expect(isFormContentType("text/plain")).toBe(false);
  });

  it("recognises JSON content types", () => {
    for (const t of ["application/json", "application/json; charset=utf-8", "application/cloudevents+json"]) {
      expect(isJsonContentType(t)).toBe(true);
    }
    for (const t of ["text/plain", "application/x-www-form-urlencoded", "application/jsonp"]) {
      expect(isJsonContentType(t)).toBe(false);
    }
  });

  it("lists placeholders", () => {
    expect(templatePlaceholders("/${a}/${b}/${a}")).toEqual(["a", "b"]);
  });
});
