/**
 * Test helpers of the router: a JSON client over a fetch handler, and a small app over the real services
 * (`createHookline` with a memory store). Test-only; not exported from the barrel.
 */
import { createHookline, type HooklineOptions } from "../hookline.ts";
import { memoryStore } from "../store/memory.ts";
import { apiKeyAuth } from "./auth.ts";
import type { ApiOptions } from "./options.ts";

/** A request helper over a fetch handler: JSON in, parsed JSON (or `null`) out. */
export function client(fetch: (r: Request) => Promise<Response>, base = "http://api.test") {
  return async (
    method: string,
    path: string,
    opts: { body?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...opts.headers };
    let body: BodyInit | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(new Request(base + path, { method, headers, body }));
    const text = await res.text();
    let json: unknown = null;
    if (text !== "") json = JSON.parse(text);
    return {
      status: res.status,
      headers: res.headers,
      json: json as Record<string, unknown> & unknown[],
      text,
    };
  };
}

/** Tenants of the test app by API key. */
export const TEST_KEYS: Record<string, string> = { "key-a": "tenant-a", "key-b": "tenant-b" };

/** A hookline instance over a memory store with `x-api-key` auth and a two-type catalog; `api` overrides the API. */
export function testApp(api: Partial<ApiOptions> = {}, options: Omit<HooklineOptions, "api" | "store"> = {}) {
  const store = memoryStore();
  const hookline = createHookline({
    store,
    catalog: {
      types: {
        "invoice.paid": { description: "An invoice was paid", example: { invoice: "in_1" } },
        "invoice.voided": {},
      },
    },
    ...options,
    api: {
      auth: apiKeyAuth({ resolve: (key) => TEST_KEYS[key] ?? null }),
      logger: { error: () => {} },
      ...api,
    },
  });
  const fetch = (request: Request) => hookline.fetch(request);
  return { fetch, store, hookline, subscriptions: hookline.subscriptions, call: client(fetch) };
}
