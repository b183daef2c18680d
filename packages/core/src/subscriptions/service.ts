/**
 * The subscriptions service: validation, ids, secrets and rotation, soft or hard delete, status changes —
 * everything between a decoded request and the store.
 */
import type {
  EventCatalog,
  IdGenerator,
  ListSubscriptionsInput,
  SubscriptionInput,
  SubscriptionService,
} from "../contracts.ts";
import { HooklineError, ValidationError } from "../errors.ts";
import { uuidIds } from "../model/ids.ts";
import { liveSecrets } from "../model/secrets.ts";
import type { Secret, Subscription } from "../model/types.ts";
import { validateSubscriptionInput, validateSubscriptionShape } from "../model/validate.ts";
import type { Store, SubscriptionPatch } from "../store/types.ts";

/** What the service needs of a signing scheme (a `SigningScheme` satisfies it). */
export interface SecretScheme {
  generateSecret(): string;
  /** Throws (`invalid_secret`) when the secret is not in a format the scheme can use. */
  assertSecret(secret: string): void;
  signsTimestamp?: boolean;
}

/** Options of {@link createSubscriptionService}. */
export interface SubscriptionServiceOptions {
  store: Store;
  catalog: EventCatalog;
  /** Id generator. Default {@link uuidIds}. */
  ids?: IdGenerator;
  /** Signing schemes by name; a subscription's `scheme` must be one of them (or `none`). */
  schemes: Record<string, SecretScheme>;
  /** Scheme of subscriptions that name none. `none` = unsigned. */
  defaultScheme: string;
  /** `delete` sets `deletedAt` (hidden from reads, lists and matching) instead of removing. Default `false`. */
  softDelete?: boolean;
  /** How long a rotated-out secret keeps signing. Default 24 h. */
  secretGraceMs?: number;
  /** Accept a client-supplied `id` on create. Default `false`. */
  allowClientIds?: boolean;
  /** Clock. Default `() => new Date()`. */
  now?: () => Date;
}

const DAY_MS = 24 * 3600 * 1000;
/** Most secrets live at once on one subscription (the current one and those still in their grace period). */
export const MAX_LIVE_SECRETS = 5;
/** Longest grace period of a rotated secret. */
export const MAX_GRACE_MS = 30 * DAY_MS;
const DEFAULT_PAGE = 50;
const MAX_RETRIES = 25;

/** Builds the {@link SubscriptionService} over a store and a catalog. */
export function createSubscriptionService(opts: SubscriptionServiceOptions): SubscriptionService {
  const { store, catalog, schemes, defaultScheme } = opts;
  const ids = opts.ids ?? uuidIds();
  const softDelete = opts.softDelete ?? false;
  const graceMs = opts.secretGraceMs ?? DAY_MS;
  if (!Number.isSafeInteger(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS) {
    throw new HooklineError(
      "bad_request",
      `[hookline] secretGraceMs must be 0 to ${MAX_GRACE_MS} ms (30 days)`,
    );
  }
  const allowClientIds = opts.allowClientIds ?? false;
  const now = opts.now ?? (() => new Date());

  const notFound = (id: string) =>
    new HooklineError("not_found", `[hookline] subscription ${JSON.stringify(id)} not found`);

  function assertTenant(tenant: string): void {
    if (typeof tenant !== "string" || tenant.length === 0) {
      throw new HooklineError("bad_request", "[hookline] a tenant is required");
    }
  }

  /** The scheme object for a subscription's scheme name (`null` = default); `null` for unsigned. */
  function schemeOf(name: string | null): SecretScheme | null {
    const resolved = name ?? defaultScheme;
    if (resolved === "none") return null;
    // Own keys only: "constructor" or "__proto__" must be an unknown scheme, not Object.prototype's members.
    const scheme = Object.hasOwn(schemes, resolved) ? schemes[resolved] : undefined;
    if (scheme === undefined) {
      throw new ValidationError(`[hookline] unknown signing scheme ${JSON.stringify(resolved)}`, [
        {
          field: "scheme",
          message: `must be one of ${Object.keys(schemes).join(", ") || "none"}`,
          code: "invalid_enum",
        },
      ]);
    }
    return scheme;
  }

  async function newSecret(
    tenant: string,
    scheme: SecretScheme | null,
    supplied: string | undefined,
    at: Date,
  ) {
    if (scheme === null) {
      if (supplied !== undefined) {
        throw new ValidationError("[hookline] an unsigned subscription takes no secret", [
          { field: "secret", message: "is not used by the scheme none", code: "not_allowed" },
        ]);
      }
      return null;
    }
    let value: string;
    if (supplied === undefined) value = scheme.generateSecret();
    else {
      try {
        scheme.assertSecret(supplied);
      } catch (cause) {
        const message =
          cause instanceof Error ? cause.message.replace(/^\[hookline\]\s*/, "") : String(cause);
        throw new ValidationError(`[hookline] invalid secret: ${message}`, [
          { field: "secret", message: "is not valid for the signing scheme", code: "invalid_secret" },
        ]);
      }
      value = supplied;
    }
    const secret: Secret = {
      id: await ids("secret", { store, tenant }),
      value,
      createdAt: at,
      expiresAt: null,
    };
    return secret;
  }

  /**
   * Live secrets after adding `fresh`: older ones expire within the grace period, expired ones are dropped,
   * and at most {@link MAX_LIVE_SECRETS} stay live (the oldest go first), so rotation can never grow the
   * signature header past what receivers accept.
   */
  function rotated(secrets: readonly Secret[], fresh: Secret, at: Date, grace: number): Secret[] {
    const until = new Date(at.getTime() + grace);
    const older = live(secrets, at).map((s) => ({
      ...s,
      expiresAt: s.expiresAt === null || s.expiresAt > until ? until : s.expiresAt,
    }));
    return [fresh, ...older.filter((s) => s.expiresAt > at)].slice(0, MAX_LIVE_SECRETS);
  }

  function live(secrets: readonly Secret[], at: Date): Secret[] {
    return liveSecrets(secrets, at.getTime());
  }

  async function load(tenant: string, id: string): Promise<Subscription> {
    assertTenant(tenant);
    if (typeof id !== "string") throw notFound(String(id));
    const sub = await store.getSubscription(tenant, id);
    if (sub === null) throw notFound(id);
    return sub;
  }

  /**
   * Read-modify-write with optimistic concurrency: `change` computes a patch from the current row and is
   * re-run on a version conflict, so concurrent writers lose nothing. Expired secrets are dropped on the way.
   */
  async function modify(
    tenant: string,
    id: string,
    change: (current: Subscription, at: Date) => Promise<SubscriptionPatch> | SubscriptionPatch,
  ): Promise<Subscription> {
    for (let attempt = 0; ; attempt++) {
      const current = await load(tenant, id);
      const at = now();
      const patch = await change(current, at);
      const secrets = patch.secrets ?? current.secrets;
      const kept = live(secrets, at);
      if (patch.secrets !== undefined || kept.length !== secrets.length) patch.secrets = kept;
      try {
        const updated = await store.updateSubscription(
          tenant,
          id,
          { ...patch, updatedAt: at },
          { expectedVersion: current.version },
        );
        if (updated === null) throw notFound(id);
        return updated;
      } catch (err) {
        if (!HooklineError.is(err, "conflict") || attempt >= MAX_RETRIES) throw err;
      }
    }
  }

  /** The patch for config fields given in `input` (validated), including secret and scheme changes. */
  async function configPatch(
    tenant: string,
    current: Subscription,
    input: Partial<SubscriptionInput>,
    at: Date,
  ): Promise<SubscriptionPatch> {
    const { id: _id, secret, scheme, status, ...fields } = input;
    const patch: SubscriptionPatch = { ...fields };
    if (status !== undefined && status !== current.status) {
      patch.status = status;
      patch.disabledReason = null;
      if (status === "active") patch.failingSince = null;
    }
    const schemeChanged = scheme !== undefined && scheme !== current.scheme;
    const schemeObj = schemeOf(scheme === undefined ? current.scheme : scheme);
    if (scheme !== undefined) patch.scheme = scheme;
    if (schemeObj === null) {
      // Unsigned: a supplied secret is an error (newSecret throws), stored ones go.
      if (typeof secret === "string") await newSecret(tenant, null, secret, at);
      if (current.secrets.length > 0) patch.secrets = [];
    } else if (secret === null) {
      patch.secrets = [];
    } else if (secret !== undefined) {
      const fresh = (await newSecret(tenant, schemeObj, secret, at))!;
      patch.secrets = rotated(current.secrets, fresh, at, graceMs);
    } else if (schemeChanged && !secretsFit(schemeObj, current.secrets)) {
      // The old secrets cannot sign under the new scheme: start over with a fresh one.
      patch.secrets = [(await newSecret(tenant, schemeObj, undefined, at))!];
    }
    validateSubscriptionShape({
      method: patch.method ?? current.method,
      bodyTemplate: patch.bodyTemplate === undefined ? current.bodyTemplate : patch.bodyTemplate,
    });
    return patch;
  }

  function secretsFit(scheme: SecretScheme, secrets: readonly Secret[]): boolean {
    if (secrets.length === 0) return false;
    try {
      for (const s of secrets) scheme.assertSecret(s.value);
      return true;
    } catch {
      return false;
    }
  }

  const service: SubscriptionService = {
    async create(tenant, input) {
      assertTenant(tenant);
      const v = validateSubscriptionInput(input, { catalog });
      if (v.id !== undefined && !allowClientIds) {
        throw new ValidationError(
          "[hookline] invalid subscription: id: client-supplied ids are not allowed",
          [{ field: "id", message: "is assigned by the server", code: "not_allowed" }],
        );
      }
      const scheme = schemeOf(v.scheme ?? null);
      const at = now();
      const secret = v.secret === null ? null : await newSecret(tenant, scheme, v.secret, at);
      const sub: Subscription = {
        id: v.id ?? (await ids("subscription", { store, tenant })),
        tenant,
        url: v.url!,
        method: v.method ?? "POST",
        contentType: v.contentType ?? "application/json",
        bodyTemplate: v.bodyTemplate ?? null,
        headers: v.headers ?? {},
        eventTypes: v.eventTypes!,
        secrets: secret === null ? [] : [secret],
        scheme: v.scheme ?? null,
        qos: v.qos ?? 1,
        idSetAccepted: v.idSetAccepted ?? false,
        rateLimit: v.rateLimit ?? null,
        concurrency: v.concurrency ?? null,
        retrySchedule: v.retrySchedule ?? null,
        status: v.status ?? "active",
        disabledReason: null,
        description: v.description ?? null,
        metadata: v.metadata ?? {},
        tags: v.tags ?? null,
        failingSince: null,
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
        version: 1,
      };
      try {
        return await store.createSubscription(sub);
      } catch (err) {
        if (!HooklineError.is(err, "conflict")) throw err;
        throw new ValidationError(
          `[hookline] invalid subscription: id: ${JSON.stringify(sub.id)} already exists`,
          [{ field: "id", message: "already exists", code: "duplicate" }],
          "conflict",
        );
      }
    },

    get: load,

    async getMany(tenant, idList) {
      assertTenant(tenant);
      return store.getSubscriptions(
        tenant,
        idList.filter((id) => typeof id === "string"),
      );
    },

    async list(tenant, query = {}) {
      assertTenant(tenant);
      const limit = query.limit ?? DEFAULT_PAGE;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
        throw new ValidationError("[hookline] invalid limit", [
          { field: "limit", message: "must be an integer from 1 to 1000", code: "invalid" },
        ]);
      }
      const filter: Omit<ListSubscriptionsInput, "limit" | "cursor"> = {};
      if (query.eventType !== undefined) filter.eventType = query.eventType;
      if (query.status !== undefined) filter.status = query.status;
      const [page, total] = await Promise.all([
        store.listSubscriptions(tenant, { ...filter, limit, cursor: query.cursor ?? null }),
        store.countSubscriptions(tenant, filter),
      ]);
      return { ...page, total };
    },

    async update(tenant, id, input) {
      const v = validateSubscriptionInput(input, { catalog, partial: true });
      return modify(tenant, id, (current, at) => configPatch(tenant, current, v, at));
    },

    async replace(tenant, id, input) {
      const v = validateSubscriptionInput(input, { catalog });
      // PUT: configuration returns to defaults; secrets and status are state and change only when given.
      const full: Partial<SubscriptionInput> = {
        url: v.url!,
        method: v.method ?? "POST",
        contentType: v.contentType ?? "application/json",
        bodyTemplate: v.bodyTemplate ?? null,
        headers: v.headers ?? {},
        eventTypes: v.eventTypes!,
        scheme: v.scheme ?? null,
        qos: v.qos ?? 1,
        idSetAccepted: v.idSetAccepted ?? false,
        rateLimit: v.rateLimit ?? null,
        concurrency: v.concurrency ?? null,
        retrySchedule: v.retrySchedule ?? null,
        description: v.description ?? null,
        metadata: v.metadata ?? {},
        tags: v.tags ?? null,
      };
      if (v.secret !== undefined) full.secret = v.secret;
      if (v.status !== undefined) full.status = v.status;
      return modify(tenant, id, (current, at) => configPatch(tenant, current, full, at));
    },

    async delete(tenant, id) {
      if (softDelete) return modify(tenant, id, (_current, at) => ({ deletedAt: at }));
      const current = await load(tenant, id);
      if (!(await store.deleteSubscription(tenant, id))) throw notFound(id);
      return current;
    },

    async rotateSecret(tenant, id, o = {}) {
      const grace = o.graceMs ?? graceMs;
      if (!Number.isSafeInteger(grace) || grace < 0 || grace > MAX_GRACE_MS) {
        throw new ValidationError("[hookline] invalid graceMs", [
          {
            field: "graceMs",
            message: `must be an integer of milliseconds from 0 to ${MAX_GRACE_MS} (30 days)`,
            code: "invalid",
          },
        ]);
      }
      return modify(tenant, id, async (current, at) => {
        const scheme = schemeOf(current.scheme);
        if (scheme === null) {
          throw new HooklineError(
            "bad_request",
            "[hookline] an unsigned subscription has no secret to rotate",
          );
        }
        const fresh = (await newSecret(tenant, scheme, o.secret, at))!;
        return { secrets: rotated(current.secrets, fresh, at, grace) };
      });
    },

    async pause(tenant, id) {
      return modify(tenant, id, () => ({ status: "paused", disabledReason: null }));
    },

    async resume(tenant, id) {
      return modify(tenant, id, () => ({ status: "active", disabledReason: null, failingSince: null }));
    },

    async disable(tenant, id, reason) {
      return modify(tenant, id, () => ({ status: "disabled", disabledReason: reason }));
    },
  };
  return service;
}
