import {
  collectBody,
  memoryDedupeStore,
  problemOf,
  problemReply,
  replyToResponse,
  standardWebhooks,
} from "@hookline/core";
import type { FetchApp } from "@hookline/node";
import type { ServerSetup } from "./types.ts";

export const scheme = standardWebhooks();
export const secret = scheme.generateSecret();
export const BODY_LIMIT = 4096;

/**
 * A stand-in provider app that echoes what it received (method, path relative to the mount, query, exact
 * body), reading the body with the same bounded reader as hookline. Proves the adapters' translation.
 */
export function echoApp(limit = BODY_LIMIT): FetchApp {
  return {
    async fetch(request) {
      try {
        const url = new URL(request.url);
        const body = request.body ? await collectBody(request.body, limit) : new Uint8Array();
        return Response.json({
          method: request.method,
          path: url.pathname,
          search: url.search,
          contentType: request.headers.get("content-type"),
          body: new TextDecoder().decode(body),
        });
      } catch (err) {
        return replyToResponse(problemReply(problemOf(err)));
      }
    },
  };
}

/** The standard setup: echo provider, a receiver, and a receiver with dedupe. */
export function defaultSetup(overrides: Partial<ServerSetup> = {}): ServerSetup {
  return {
    hookline: echoApp(),
    receiver: { secrets: [secret], bodyLimitBytes: BODY_LIMIT },
    receiverDedupe: { secrets: [secret], dedupe: memoryDedupeStore() },
    receiverRetry: { secrets: [secret], dedupe: memoryDedupeStore() },
    bodyLimitBytes: BODY_LIMIT,
    ...overrides,
  };
}

/** How `/receiver-retry`'s handler answers a call: fail by throwing, fail with 503, or succeed. */
export type RetryAnswer = "throw" | "status" | "ok";

/**
 * The `/receiver-retry` handler's decision (one per server): the first call for a message id fails the way
 * the payload's `fail` member says (`"throw"` or `"status"`); every later call for that id succeeds.
 */
export function failsFirst(): (event: { id: string | null; payload: unknown }) => RetryAnswer {
  const called = new Set<string | null>();
  return (event) => {
    if (called.has(event.id)) return "ok";
    called.add(event.id);
    const fail = (event.payload as { fail?: unknown }).fail;
    return fail === "throw" || fail === "status" ? fail : "ok";
  };
}

/** A signed Standard Webhooks request init. */
export function signedInit(
  payload: unknown,
  opts: { id?: string; secret?: string; atSeconds?: number; headers?: Record<string, string> } = {},
): RequestInit {
  const body = JSON.stringify(payload);
  const headers = scheme.sign({
    id: opts.id ?? `msg_${Math.random().toString(36).slice(2)}`,
    timestamp: opts.atSeconds ?? Math.floor(Date.now() / 1000),
    body,
    secrets: [opts.secret ?? secret],
  });
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers, ...opts.headers },
    body,
  };
}
