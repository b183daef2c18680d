/**
 * Endpoint verification handshake (opt-in on the provider, answered automatically by the receiver).
 *
 * Protocol: the provider sends a POST signed with the subscription's scheme and secrets, whose JSON body
 * is `{ "type": "webhook.verification", "challenge": "<random>" }` and which also carries the challenge in
 * the `webhook-challenge` header. A receiver that verifies the signature answers `200` with
 * `{ "challenge": "<the same value>" }`. Only then is the subscription activated. Because the request is
 * signed, a correct answer proves the endpoint both exists and holds the secret.
 */
import { randomBytes } from "node:crypto";
import type { HttpClient } from "../delivery/types.ts";
import { liveSecrets } from "../model/secrets.ts";
import type { Subscription } from "../model/types.ts";
import type { HeaderSource, SigningScheme } from "../signing/types.ts";

/** The event type of a handshake request. */
export const HANDSHAKE_EVENT_TYPE = "webhook.verification";
/** The header that repeats the challenge. */
export const HANDSHAKE_HEADER = "webhook-challenge";

function header(headers: HeaderSource, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/**
 * The challenge when `payload` (already verified) is a handshake whose body and header agree, else `null`.
 */
export function handshakeChallenge(payload: unknown, headers: HeaderSource): string | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { type, challenge } = payload as Record<string, unknown>;
  if (type !== HANDSHAKE_EVENT_TYPE || typeof challenge !== "string" || challenge === "") return null;
  return header(headers, HANDSHAKE_HEADER) === challenge ? challenge : null;
}

export interface VerifyEndpointOptions {
  httpClient: HttpClient;
  /** The subscription's signing scheme. */
  scheme: SigningScheme;
  /** Clock, ms since the epoch (tests). */
  now?: () => number;
  signal?: AbortSignal;
}

/**
 * Sends the handshake to `subscription.url` and resolves `true` only when the endpoint answered 200 with
 * the same challenge. Never throws for network failures (they resolve `false`).
 */
export async function verifyEndpoint(
  subscription: Subscription,
  opts: VerifyEndpointOptions,
): Promise<boolean> {
  const now = opts.now?.() ?? Date.now();
  const challenge = randomBytes(24).toString("base64url");
  const body = new TextEncoder().encode(JSON.stringify({ type: HANDSHAKE_EVENT_TYPE, challenge }));
  const secrets = liveSecrets(subscription.secrets, now).map((s) => s.value);
  const signature = opts.scheme.sign({
    id: `hsk_${randomBytes(12).toString("hex")}`,
    timestamp: Math.floor(now / 1000),
    body,
    secrets,
  });
  const result = await opts.httpClient.send(
    {
      url: subscription.url,
      method: "POST",
      headers: { "content-type": "application/json", [HANDSHAKE_HEADER]: challenge, ...signature },
      body,
    },
    opts.signal ? { signal: opts.signal } : {},
  );
  if (result.status !== 200 || result.body === null) return false;
  try {
    return (JSON.parse(result.body) as { challenge?: unknown }).challenge === challenge;
  } catch {
    return false;
  }
}
