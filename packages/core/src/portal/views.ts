/**
 * What the portal's JSON API shows of the canonical model: subscriptions without secret material (the current
 * secret is revealed only on request), attempts with sensitive request headers redacted (again — stores redact
 * already), and the pick of writable subscription fields from a request body.
 */
import type { SubscriptionInput } from "../contracts.ts";
import { ValidationError } from "../errors.ts";
import type { Attempt, Subscription } from "../model/types.ts";
import { redactHeaders } from "../model/validate.ts";

/** A subscription as the portal shows it: secrets listed by id and dates only. */
export function subscriptionView(sub: Subscription): Record<string, unknown> {
  const { secrets, ...rest } = sub;
  return {
    ...rest,
    secrets: secrets.map((s) => ({ id: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt })),
  };
}

/** An attempt as the portal shows it. */
export function attemptView(attempt: Attempt): Attempt {
  return { ...attempt, requestHeaders: redactHeaders(attempt.requestHeaders) };
}

/** Fields of a subscription the portal lets a tenant set (everything else keeps its default or value). */
const WRITABLE = [
  "url",
  "eventTypes",
  "description",
  "method",
  "contentType",
  "headers",
  "rateLimit",
] as const;

/** The writable fields of a JSON body; the subscription service validates their values. */
export function subscriptionInput(body: unknown): Partial<SubscriptionInput> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("[hookline] [portal] the body must be a JSON object", [
      { field: "", message: "must be a JSON object", code: "invalid" },
    ]);
  }
  const source = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of WRITABLE) if (field in source) out[field] = source[field];
  return out as Partial<SubscriptionInput>;
}
