/**
 * The codec contract: how the router turns canonical subscriptions, deliveries and problems into wire
 * bodies, and wire bodies into canonical input. `defineCodec()` builds one from a declarative definition.
 */
import type { SubscriptionInput } from "../contracts.ts";
import type { JsonValue, Subscription } from "../model/types.ts";
import type { ProblemDetails } from "./problem.ts";

/** Counts and cursor of a list response. */
export interface ListInfo {
  /** Items in this response. */
  count: number;
  /** Items across all pages, when known. */
  total: number | null;
  nextCursor: string | null;
}

/** A rendered body with its content type. */
export interface WireBody {
  body: unknown;
  contentType: string;
}

/** JSON Schemas of a codec's shapes, for the OpenAPI document. */
export interface CodecSchemas {
  subscription: Record<string, unknown>;
  /** Create body: with a writable `id` when the codec takes client-supplied ids. */
  create: Record<string, unknown>;
  /** Replace (PUT) body: the create body without `id`. */
  replace: Record<string, unknown>;
  patch: Record<string, unknown>;
  error: Record<string, unknown>;
  /** Wraps a schema in the codec's single-object envelope. */
  one(item: Record<string, unknown>): Record<string, unknown>;
  /** Wraps an item schema in the codec's list envelope. */
  list(item: Record<string, unknown>): Record<string, unknown>;
}

/** Query parameter names of list routes. */
export interface CodecQueryNames {
  eventType: string;
  status: string;
  limit: string;
  cursor: string;
  /** Lower time bound of delivery lists and of recover (`?since=`). */
  since: string;
  /** Subscription filter of the tenant-wide delivery list. */
  subscriptionId: string;
}

/** Maps the canonical model to and from one wire format. */
export interface Codec {
  readonly name: string;
  /** Status of a successful create: 201 (default) or 200. */
  readonly createStatus: 200 | 201;
  /** Status of a successful delete: 204 (default, no body) or 200. */
  readonly deleteStatus: 200 | 204;
  /** With `deleteStatus` 200: answer with the deleted subscription, or an empty body. */
  readonly deleteResponse: "empty" | "subscription";
  /** Unknown input members: `reject` (400 naming them) or `ignore`. Applies to every request body. */
  readonly unknownFields: "reject" | "ignore";
  /** Ids are integers on the wire (and id sets may hold ranges `1-3`). */
  readonly integerIds: boolean;
  /** A create body may carry the subscription's `id` (the service must allow client ids too). */
  readonly clientIds: boolean;
  readonly query: CodecQueryNames;
  /** Content type of error bodies (`application/problem+json` by default). */
  readonly errorContentType: string;
  readonly schemas: CodecSchemas;
  /** Whether a path value is a well-formed id (malformed → 400 before any lookup). */
  isValidId(id: string): boolean;
  /**
   * Decodes a create or replace body. Throws a 400 (unknown/read-only field) or 422 (bad value) naming wire
   * fields. `id` is writable only for `create` with {@link Codec.clientIds}. Default `replace`.
   */
  decodeInput(body: unknown, purpose?: "create" | "replace"): SubscriptionInput;
  /** Decodes a PATCH body: only the given fields. */
  decodePatch(body: unknown): Partial<SubscriptionInput>;
  /** The wire object of one subscription (no envelope). */
  encodeSubscription(sub: Subscription): Record<string, unknown>;
  /** Any other record (delivery, attempt, event type, action result): key naming and time format applied. */
  encodeRecord(value: object): Record<string, unknown>;
  /** Wire name of a canonical field or key (`url` → `hook_address`, `graceMs` → `grace_ms`). */
  key(canonical: string): string;
  formatTime(date: Date): JsonValue;
  /** `null` when the value is not a time in this codec's format. */
  parseTime(value: unknown): Date | null;
  /** Wraps one object in the envelope. */
  one(data: unknown): unknown;
  /** Wraps a list in the envelope. */
  list(items: unknown[], info: ListInfo): unknown;
  /** The error body of a problem. */
  error(problem: ProblemDetails): WireBody;
}
