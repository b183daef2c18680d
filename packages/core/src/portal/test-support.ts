/** Test helpers for the portal's unit tests: a hookline instance, a portal on it, and browser-like requests. */
import { createHookline, type Hookline } from "../hookline.ts";
import type { Delivery } from "../model/types.ts";
import type { AuthHook } from "../router/auth.ts";
import { CSRF_HEADER } from "./csrf.ts";
import { createPortal, type Portal } from "./portal.ts";

export const ORIGIN = "http://portal.test";
export const SECRET = "portal-test-secret-0123456789abcdef";

/** A settable clock. */
export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
}

export function testClock(start = Date.parse("2026-11-24T12:30:00Z")): TestClock {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

/** A hookline instance (not started: nothing is delivered) and a portal over it. */
export function setup(opts: { auth?: AuthHook; clock?: TestClock } = {}): {
  hookline: Hookline;
  portal: Portal;
  clock: TestClock;
} {
  const clock = opts.clock ?? testClock();
  const hookline = createHookline({
    catalog: {
      types: {
        "invoice.paid": { description: "An invoice was paid", example: { id: "in_1", amount: 100 } },
        "invoice.voided": {},
      },
    },
  });
  const portal = createPortal({
    subscriptions: hookline.subscriptions,
    deliveries: hookline.deliveries,
    catalog: hookline.catalog,
    store: hookline.store,
    auth: opts.auth,
    linkSecret: SECRET,
    now: clock.now,
  });
  return { hookline, portal, clock };
}

/** A logged-in browser: the session cookie and the CSRF token. */
export interface Browser {
  cookie: string;
  csrf: string;
  /** A request as the portal's own page would send it. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Opens a portal link for `tenant` and reads the session, as the UI does. */
export async function login(portal: Portal, tenant: string): Promise<Browser> {
  const link = portal.createLink(tenant, { baseUrl: ORIGIN });
  const res = await portal.fetch(new Request(link));
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  const session = await portal.fetch(new Request(`${ORIGIN}/portal/api/session`, { headers: { cookie } }));
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  return browser(portal, cookie, csrfToken);
}

export function browser(portal: Portal, cookie: string, csrf: string): Browser {
  return {
    cookie,
    csrf,
    call(method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: {
          cookie,
          ...(method === "GET"
            ? {}
            : { origin: ORIGIN, "sec-fetch-site": "same-origin", [CSRF_HEADER]: csrf }),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      };
      return portal.fetch(new Request(`${ORIGIN}/portal/api/${path}`, init));
    },
  };
}

/** `n` deliveries of `tenant` straight into the store (newest last), alternating succeeded / failed / pending. */
export function deliveries(tenant: string, n: number, start: Date): Delivery[] {
  const statuses = ["succeeded", "failed", "pending"] as const;
  const out: Delivery[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(start.getTime() + i * 1000);
    const status = statuses[i % 3]!;
    out.push({
      id: `${tenant}-d${i}`,
      tenant,
      messageId: `${tenant}-m${i}`,
      subscriptionId: `${tenant}-s`,
      eventType: i % 2 === 0 ? "invoice.paid" : "invoice.voided",
      status,
      attempts: status === "pending" ? 0 : 1,
      nextAttemptAt: status === "pending" ? at : null,
      leaseUntil: null,
      lastStatus: status === "succeeded" ? 200 : status === "failed" ? 500 : null,
      lastError: status === "failed" ? "http_500" : null,
      createdAt: at,
      updatedAt: at,
      completedAt: status === "pending" ? null : at,
    });
  }
  return out;
}
