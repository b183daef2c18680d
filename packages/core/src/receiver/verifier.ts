import { HooklineError, WebhookVerificationError } from "../errors.ts";
import type { ProblemDetails } from "../router/problem.ts";
import { standardWebhooks } from "../signing/standard.ts";
import { assertToleranceFor } from "../signing/timestamp.ts";
import type { HeaderSource, SigningScheme } from "../signing/types.ts";
import type { DedupeStore } from "../store/types.ts";
import { assertContentLength, bodyTooLarge, collectBody, DEFAULT_BODY_LIMIT_BYTES } from "./body.ts";
import { handshakeChallenge } from "./handshake.ts";
import { jsonReply, problemOf, problemReply, type WebhookReply } from "./problem.ts";

/** A verified, parsed webhook, as the receiver's handler gets it. */
export interface WebhookEvent<TData = unknown> {
  /** Message id (`webhook-id`, or the payload's `id`); stable across retries. `null` when neither exists. */
  id: string | null;
  /** Event type (the payload's `type`, or `eventType`). */
  type: string | null;
  /** Signed timestamp, else the payload's `timestamp`. */
  timestamp: Date | null;
  /** The payload's `data` member when it is an envelope, else the whole parsed payload. */
  data: TData;
  /** The whole parsed payload. */
  payload: unknown;
  /** The exact bytes that were verified. */
  raw: Uint8Array;
}

export interface VerifierOptions {
  /** Signing scheme. Default `standardWebhooks()`. */
  scheme?: SigningScheme;
  /** Accepted secret(s); several during rotation. */
  secrets: string | readonly string[];
  /** Two-sided tolerance in seconds (scheme default: 300). `false` only for schemes that sign no timestamp. */
  toleranceSeconds?: number | false;
  /**
   * Dedupe on the message id: each id is processed once within `dedupeTtlMs`. A repeat is answered
   * `duplicateStatus` (default 200 `{ "duplicate": true }`, so the sender stops retrying) without calling
   * the handler. The id is claimed when verification succeeds, before the handler runs; when the handler
   * then fails, the adapter calls the result's `release()` (with a store that implements
   * `DedupeStore.release`), so a retry after a failed handler is processed again (at-least-once).
   */
  dedupe?: DedupeStore;
  /** How long an id is remembered. Default 72 h (longer than the default retry schedule). */
  dedupeTtlMs?: number;
  /** Status for a duplicate: 200 (default: acknowledged, not processed again) or 409. */
  duplicateStatus?: 200 | 409;
  /** Payload parser over the verified UTF-8 text. Default `JSON.parse`; a throw becomes 400 `invalid_body`. */
  parse?: (text: string) => unknown;
  /** Largest body read, in bytes (default 1 MiB); larger ones are answered 413. */
  bodyLimitBytes?: number;
  /** Answer the endpoint verification handshake automatically (default `true`). */
  handshake?: boolean;
  /** Clock for tests, ms since the epoch. */
  now?: () => number;
}

/** What `verify()` decided. Adapters act on it without deciding anything themselves. */
export type VerifyResult<TData = unknown> =
  /**
   * Authentic and new: call the handler with `event`. If the handler fails (throws, or answers ≥ 400),
   * call `release()` so the sender's retry is processed again instead of being acknowledged as a duplicate.
   */
  | { ok: true; kind: "event"; event: WebhookEvent<TData>; release: ReleaseClaim }
  /** Rejected (400 bad header/body, 401 bad signature/stale, 413 too large): send `reply`. */
  | { ok: false; kind: "rejected"; status: number; problem: ProblemDetails; reply: WebhookReply }
  /** Authentic but already processed: send `reply` (200 `{duplicate:true}` or 409), skip the handler. */
  | { ok: false; kind: "duplicate"; status: 200 | 409; event: WebhookEvent<TData>; reply: WebhookReply }
  /** An endpoint verification handshake: send `reply` (200 `{challenge}`), skip the handler. */
  | { ok: false; kind: "handshake"; status: 200; challenge: string; reply: WebhookReply };

/**
 * Forgets the dedupe claim of a verified event (`DedupeStore.release`), so its retry is processed again.
 * Idempotent, and never rejects: a no-op without `dedupe`, without an id, or with a store that has no
 * `release`; if the store fails, the id stays claimed until its TTL passes (the retry is then acknowledged
 * as a duplicate, as without `release`).
 */
export type ReleaseClaim = () => Promise<void>;

export interface Verifier<TData = unknown> {
  /** Verifies raw bytes. Never throws for bad input; a bug or a failing dedupe store does throw. */
  verify(input: { headers: HeaderSource; body: Uint8Array }): Promise<VerifyResult<TData>>;
  /**
   * {@link Verifier.verify} without a promise where none is needed: the result itself, or a promise only
   * while a dedupe claim is pending (with `dedupe` and a message id). For adapters on the hot path, which
   * would otherwise pay for a promise per request. Throws (or rejects) only where `verify` rejects.
   */
  check(headers: HeaderSource, body: Uint8Array): VerifyResult<TData> | Promise<VerifyResult<TData>>;
  /** Reads a web `Request` body (bounded by `bodyLimitBytes`) and verifies it. */
  verifyRequest(request: Request): Promise<VerifyResult<TData>>;
  /** The body limit adapters must apply when they read the body themselves. */
  readonly bodyLimitBytes: number;
}

const DEFAULT_DEDUPE_TTL_MS = 72 * 60 * 60 * 1000;
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Turns an error thrown while reading or verifying into a `rejected` result; rethrows anything else. */
export function rejection(err: unknown): VerifyResult<never> {
  if (!HooklineError.is(err) || err.status >= 500) throw err;
  const problem = problemOf(err);
  return { ok: false, kind: "rejected", status: problem.status, problem, reply: problemReply(problem) };
}

/**
 * Creates the receiver's verifier: signature and timestamp check over the raw bytes with any scheme of
 * core, several secrets, optional dedupe on the message id, and the endpoint handshake. Every framework's
 * verify middleware is a thin translation of this. A new event comes with `release()`: the adapter calls
 * it when the handler fails, so a retry after a failed handler is processed again (see
 * `runVerifiedHandler()` for fetch-style handlers, `releaseOnFailedResponse()` in `@hookline/node`).
 */
export function createVerifier<TData = unknown>(options: VerifierOptions): Verifier<TData> {
  const secrets = typeof options.secrets === "string" ? [options.secrets] : [...options.secrets];
  if (secrets.length === 0)
    throw new HooklineError("no_secrets", "createVerifier() needs at least one secret");
  const { dedupe } = options;
  const scheme = options.scheme ?? standardWebhooks();
  // A bad secret or tolerance fails at start-up, not per request (where it would look like a bad request).
  for (const secret of secrets) scheme.assertSecret(secret, "verify");
  assertToleranceFor(scheme, options.toleranceSeconds);
  const parse = options.parse ?? JSON.parse;
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const ttl = options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS;
  const duplicateStatus = options.duplicateStatus ?? 200;
  const verifyOptions = {
    secrets,
    ...(options.toleranceSeconds !== undefined && { toleranceSeconds: options.toleranceSeconds }),
    ...(options.now && { now: options.now }),
  };

  /**
   * Everything up to the dedupe claim is synchronous, so a verifier without `dedupe` answers without
   * awaiting anything; only the claim (a store call) makes the result a promise.
   */
  function check(
    headers: HeaderSource,
    body: Uint8Array,
  ): VerifyResult<TData> | Promise<VerifyResult<TData>> {
    let event: WebhookEvent<TData>;
    try {
      if (body.byteLength > limit) throw bodyTooLarge(limit);
      const verified = scheme.verify(headers, body, verifyOptions);
      event = toEvent<TData>(parsePayload(parse, body), verified, body);
    } catch (err) {
      return rejection(err);
    }
    if (options.handshake !== false) {
      const challenge = handshakeChallenge(event.payload, headers);
      if (challenge !== null)
        return { ok: false, kind: "handshake", status: 200, challenge, reply: jsonReply(200, { challenge }) };
    }
    if (dedupe && event.id !== null) return claim(dedupe, event, event.id);
    return { ok: true, kind: "event", event, release: noRelease };
  }

  async function claim(
    store: DedupeStore,
    event: WebhookEvent<TData>,
    id: string,
  ): Promise<VerifyResult<TData>> {
    if (!(await store.claim(id, ttl))) {
      const reply =
        duplicateStatus === 200
          ? jsonReply(200, { duplicate: true, id })
          : problemReply(
              problemOf(new HooklineError("duplicate_message", `message ${id} was already processed`)),
            );
      return { ok: false, kind: "duplicate", status: duplicateStatus, event, reply };
    }
    return { ok: true, kind: "event", event, release: releaseOf(store, id) };
  }

  async function verify({
    headers,
    body,
  }: {
    headers: HeaderSource;
    body: Uint8Array;
  }): Promise<VerifyResult<TData>> {
    return check(headers, body);
  }

  return {
    bodyLimitBytes: limit,
    verify,
    check,
    async verifyRequest(request) {
      let body: Uint8Array;
      try {
        assertContentLength(request.headers.get("content-length"), limit);
        body = request.body ? await collectBody(request.body, limit) : new Uint8Array();
      } catch (err) {
        return rejection(err);
      }
      return verify({ headers: request.headers, body });
    },
  };
}

/**
 * The `release()` of a verified event that holds no claim (no `dedupe`, no message id, or a store without
 * `release`): does nothing. An adapter may compare `result.release` with it to skip watching the response.
 */
export const noRelease: ReleaseClaim = async () => {};

/** The `release()` of a claimed id: calls the store at most once, however often it is called. */
function releaseOf(dedupe: DedupeStore, id: string): ReleaseClaim {
  const release = dedupe.release?.bind(dedupe);
  if (!release) return noRelease;
  let released: Promise<void> | undefined;
  return () => {
    // A store failure leaves the id claimed until its TTL passes: the behaviour without `release`.
    released ??= release(id).catch(() => {});
    return released;
  };
}

function parsePayload(parse: (text: string) => unknown, body: Uint8Array): unknown {
  try {
    return parse(decoder.decode(body));
  } catch (cause) {
    throw new WebhookVerificationError(
      "invalid_body",
      "webhook body is not valid for the configured parser",
      {
        cause,
      },
    );
  }
}

function toEvent<TData>(
  payload: unknown,
  verified: { id: string | null; timestamp: number | null },
  raw: Uint8Array,
): WebhookEvent<TData> {
  const record = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : {};
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const bodyTime = record["timestamp"];
  const timestamp =
    verified.timestamp !== null
      ? new Date(verified.timestamp * 1000)
      : typeof bodyTime === "string"
        ? new Date(bodyTime)
        : typeof bodyTime === "number"
          ? new Date(bodyTime < 1e11 ? bodyTime * 1000 : bodyTime)
          : null;
  return {
    id: verified.id ?? str(record["id"]),
    type: str(record["type"]) ?? str(record["eventType"]),
    timestamp: timestamp !== null && !Number.isNaN(timestamp.getTime()) ? timestamp : null,
    data: ("data" in record ? record["data"] : payload) as TData,
    payload,
    raw,
  };
}
