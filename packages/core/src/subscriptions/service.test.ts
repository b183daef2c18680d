import { describe, expect, it } from "vitest";
import { createCatalog } from "../catalog/catalog.ts";
import { HooklineError, ValidationError } from "../errors.ts";
import { objectIds, sequentialIds } from "../model/ids.ts";
import { memoryStore } from "../store/memory.ts";
import type { Store } from "../store/types.ts";
import {
  createSubscriptionService,
  MAX_GRACE_MS,
  MAX_LIVE_SECRETS,
  type SubscriptionServiceOptions,
} from "./service.ts";

let counter = 0;
/** A fake scheme: secrets are `key_<n>`; anything else is refused. */
const fakeScheme = {
  generateSecret: () => `key_${++counter}`,
  assertSecret(s: string) {
    if (!s.startsWith("key_"))
      throw new HooklineError("invalid_secret", "[hookline] secret must start with key_");
  },
};
const hexScheme = {
  generateSecret: () => "a".repeat(64),
  assertSecret(s: string) {
    if (!/^[0-9a-f]{64}$/.test(s)) throw new HooklineError("invalid_secret", "[hookline] 64 hex digits");
  },
};

const catalog = createCatalog({
  types: {
    "invoice.paid": {},
    "invoice.voided": {},
    "pud:status_update": {},
    "product.deleted": {},
    "goods-out-note": {},
  },
});

function setup(over: Partial<SubscriptionServiceOptions> = {}) {
  let clock = Date.UTC(2030, 0, 1);
  const store: Store = over.store ?? memoryStore();
  const service = createSubscriptionService({
    store,
    catalog,
    schemes: { fake: fakeScheme, hex: hexScheme },
    defaultScheme: "fake",
    now: () => new Date(clock),
    ...over,
  });
  return { store, service, tick: (ms: number) => (clock += ms), now: () => new Date(clock) };
}

async function rejection(p: Promise<unknown>): Promise<HooklineError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!HooklineError.is(err)) throw new Error(`expected a HooklineError, got ${String(err)}`);
  return err;
}

describe("createSubscriptionService", () => {
  it("creates with defaults and a generated secret", async () => {
    const { service, now } = setup();
    const sub = await service.create("t1", { url: "https://a.example/hook", eventTypes: ["invoice.paid"] });
    expect(sub).toMatchObject({
      tenant: "t1",
      url: "https://a.example/hook",
      method: "POST",
      contentType: "application/json",
      bodyTemplate: null,
      headers: {},
      eventTypes: ["invoice.paid"],
      scheme: null,
      qos: 1,
      idSetAccepted: false,
      status: "active",
      metadata: {},
      tags: null,
      createdAt: now(),
      updatedAt: now(),
      deletedAt: null,
      version: 1,
    });
    expect(sub.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sub.secrets).toHaveLength(1);
    expect(sub.secrets[0]!.value).toMatch(/^key_/);
    expect(sub.secrets[0]!.expiresAt).toBeNull();
    expect(await service.get("t1", sub.id)).toEqual(sub);
  });

  it("checks supplied secrets with the scheme and creates unsigned subscriptions on secret: null", async () => {
    const { service } = setup();
    const supplied = await service.create("t1", {
      url: "https://a.example",
      eventTypes: ["invoice.paid"],
      secret: "key_mine",
    });
    expect(supplied.secrets.map((s) => s.value)).toEqual(["key_mine"]);
    const err = await rejection(
      service.create("t1", { url: "https://a.example", eventTypes: ["*"], secret: "supersecret" }),
    );
    expect(ValidationError.is(err)).toBe(true);
    expect(err.issues).toEqual([expect.objectContaining({ field: "secret", code: "invalid_secret" })]);
    const unsigned = await service.create("t1", {
      url: "https://a.example",
      eventTypes: ["*"],
      secret: null,
    });
    expect(unsigned.secrets).toEqual([]);
    const hex = await service.create("t1", { url: "https://a.example", eventTypes: ["*"], scheme: "hex" });
    expect(hex.secrets[0]!.value).toBe("a".repeat(64));
    const unknown = await rejection(
      service.create("t1", { url: "https://a.example", eventTypes: ["*"], scheme: "nope" }),
    );
    expect(unknown.issues[0]!.field).toBe("scheme");
  });

  it("makes no secret under the none scheme and refuses one", async () => {
    const { service } = setup({ defaultScheme: "none" });
    const sub = await service.create("t1", { url: "https://a.example", eventTypes: ["*"] });
    expect(sub.secrets).toEqual([]);
    const err = await rejection(
      service.create("t1", { url: "https://a.example", eventTypes: ["*"], secret: "key_1" }),
    );
    expect(err.issues[0]!.field).toBe("secret");
  });

  it("stores nothing when validation fails, naming each field", async () => {
    const { service, store } = setup();
    const err = await rejection(
      service.create("t1", {
        url: "ftp://a.example",
        eventTypes: ["invoice.paid", "nope.created"],
        qos: 2 as 0,
      }),
    );
    expect(ValidationError.is(err)).toBe(true);
    expect(err.issues.map((i) => i.field).sort()).toEqual(["eventTypes.1", "qos", "url"]);
    expect(await store.countSubscriptions("t1", { includeDeleted: true })).toBe(0);
    const unknown = await rejection(service.create("t1", { url: "https://a.example", eventTypes: ["nope"] }));
    expect(unknown.code).toBe("unknown_event_type");
    expect(unknown.status).toBe(422);
  });

  it("refuses client ids unless allowed, and duplicates with a validation error on id", async () => {
    const closed = setup();
    const refused = await rejection(
      closed.service.create("t1", { id: "x1", url: "https://a.example", eventTypes: ["*"] }),
    );
    expect(refused.issues[0]).toMatchObject({ field: "id", code: "not_allowed" });

    const open = setup({ allowClientIds: true });
    const sub = await open.service.create("t1", { id: "x1", url: "https://a.example", eventTypes: ["*"] });
    expect(sub.id).toBe("x1");
    const dup = await rejection(
      open.service.create("t1", { id: "x1", url: "https://b.example", eventTypes: ["*"] }),
    );
    expect(ValidationError.is(dup)).toBe(true);
    expect(dup.code).toBe("conflict");
    expect(dup.issues[0]).toMatchObject({ field: "id", code: "duplicate" });
    expect((await open.service.get("t1", "x1")).url).toBe("https://a.example");
  });

  it("hides other tenants' and missing subscriptions behind not_found", async () => {
    const { service } = setup();
    const sub = await service.create("t1", { url: "https://a.example", eventTypes: ["*"] });
    for (const call of [
      () => service.get("t2", sub.id),
      () => service.update("t2", sub.id, { url: "https://evil.example" }),
      () => service.replace("t2", sub.id, { url: "https://evil.example", eventTypes: ["*"] }),
      () => service.delete("t2", sub.id),
      () => service.rotateSecret("t2", sub.id),
      () => service.pause("t2", sub.id),
      () => service.resume("t2", sub.id),
      () => service.disable("t2", sub.id, "gone"),
      () => service.get("t1", "missing"),
    ]) {
      const err = await rejection(call());
      expect(err.code).toBe("not_found");
      expect(err.status).toBe(404);
    }
    expect(await service.getMany("t2", [sub.id])).toEqual([]);
    expect((await service.get("t1", sub.id)).url).toBe("https://a.example");
  });

  it("serves seed 002: sequential ids, id sets, templates, GET without a body", async () => {
    const { service } = setup({ ids: sequentialIds(), defaultScheme: "none" });
    const a = await service.create("acct", {
      url: "http://www.example.com/callback",
      eventTypes: ["goods-out-note"],
      bodyTemplate: '{"id": "${resource-id}"}',
      idSetAccepted: true,
    });
    const b = await service.create("acct", {
      url: "http://www.example.com/callback/${account-code}/${resource-type}/${resource-id}/${lifecycle-event}",
      method: "GET",
      eventTypes: ["product.deleted"],
      qos: 1,
    });
    const c = await service.create("acct", {
      url: "http://www.example.com/callback",
      eventTypes: ["product"],
      qos: 0,
    });
    expect([a.id, b.id, c.id]).toEqual(["1", "2", "3"]);
    expect((await service.getMany("acct", ["3", "1", "9"])).map((s) => s.id)).toEqual(["3", "1"]);
    const err = await rejection(
      service.create("acct", {
        url: "http://x.example",
        method: "GET",
        bodyTemplate: "{}",
        eventTypes: ["product"],
      }),
    );
    expect(err.issues[0]!.field).toBe("bodyTemplate");
    const patchErr = await rejection(service.update("acct", a.id, { method: "GET" }));
    expect(patchErr.issues[0]!.field).toBe("bodyTemplate");
    expect((await service.update("acct", a.id, { method: "GET", bodyTemplate: null })).method).toBe("GET");
  });

  it("serves seed 003 ids (24 hex)", async () => {
    const { service } = setup({ ids: objectIds() });
    const sub = await service.create("t", { url: "https://example.com/webhook", eventTypes: ["pud:*"] });
    expect(sub.id).toMatch(/^[0-9a-f]{24}$/);
  });

  it("lists with a total, filters and pages", async () => {
    const { service } = setup();
    for (let i = 0; i < 5; i++) {
      await service.create("t1", {
        url: `https://a.example/${i}`,
        eventTypes: [i % 2 ? "invoice.paid" : "pud:*"],
      });
    }
    await service.create("t2", { url: "https://b.example", eventTypes: ["invoice.paid"] });
    const first = await service.list("t1", { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.total).toBe(5);
    const second = await service.list("t1", { limit: 2, cursor: first.nextCursor });
    expect(second.items[0]!.url).toBe("https://a.example/2");
    const filtered = await service.list("t1", { eventType: "invoice.paid" });
    expect(filtered.total).toBe(2);
    expect(filtered.items.map((s) => s.url)).toEqual(["https://a.example/1", "https://a.example/3"]);
    const bad = await rejection(service.list("t1", { limit: 0 }));
    expect(bad.issues[0]!.field).toBe("limit");
    expect((await rejection(service.list("t1", { cursor: "junk!" }))).code).toBe("bad_request");
  });

  it("patches only the given fields; replace resets the rest", async () => {
    const { service, tick, now } = setup();
    const sub = await service.create("t1", {
      url: "https://a.example",
      eventTypes: ["invoice.paid"],
      description: "d",
      metadata: { a: "1" },
      headers: { "x-a": "1" },
      rateLimit: 5,
    });
    tick(1000);
    const patched = await service.update("t1", sub.id, { description: null, eventTypes: ["invoice.*"] });
    expect(patched).toEqual({
      ...sub,
      description: null,
      eventTypes: ["invoice.*"],
      updatedAt: now(),
      version: 2,
    });
    const replaced = await service.replace("t1", sub.id, { url: "https://b.example", eventTypes: ["*"] });
    expect(replaced).toMatchObject({
      url: "https://b.example",
      eventTypes: ["*"],
      metadata: {},
      headers: {},
      rateLimit: null,
      description: null,
      secrets: sub.secrets,
      createdAt: sub.createdAt,
      version: 3,
    });
    const bad = await rejection(service.update("t1", sub.id, { url: "https://user:pw@x.example" }));
    expect(bad.issues[0]!.field).toBe("url");
  });

  it("rotates secrets with a grace period and drops expired ones on the next write", async () => {
    const { service, tick, now } = setup({ secretGraceMs: 60_000 });
    const sub = await service.create("t1", { url: "https://a.example", eventTypes: ["*"] });
    const first = sub.secrets[0]!;
    tick(1000);
    const rotated = await service.rotateSecret("t1", sub.id);
    expect(rotated.secrets).toHaveLength(2);
    expect(rotated.secrets[0]!.expiresAt).toBeNull();
    expect(rotated.secrets[0]!.value).not.toBe(first.value);
    expect(rotated.secrets[1]).toEqual({ ...first, expiresAt: new Date(now().getTime() + 60_000) });
    tick(1000);
    const twice = await service.rotateSecret("t1", sub.id, { secret: "key_supplied", graceMs: 5000 });
    expect(twice.secrets.map((s) => s.value)).toEqual([
      "key_supplied",
      rotated.secrets[0]!.value,
      first.value,
    ]);
    expect(twice.secrets[2]!.expiresAt).toEqual(new Date(now().getTime() + 5000));
    tick(6000);
    const later = await service.update("t1", sub.id, { description: "x" });
    expect(later.secrets.map((s) => s.value)).toEqual(["key_supplied"]);
    const bad = await rejection(service.rotateSecret("t1", sub.id, { secret: "nope" }));
    expect(bad.issues[0]!.field).toBe("secret");
    const viaUpdate = await service.update("t1", sub.id, { secret: "key_patch" });
    expect(viaUpdate.secrets.map((s) => s.value)).toEqual(["key_patch", "key_supplied"]);
    const cleared = await service.update("t1", sub.id, { secret: null });
    expect(cleared.secrets).toEqual([]);
  });

  it("swaps secrets that do not fit a new scheme", async () => {
    const { service } = setup();
    const sub = await service.create("t1", { url: "https://a.example", eventTypes: ["*"] });
    const moved = await service.update("t1", sub.id, { scheme: "hex" });
    expect(moved.scheme).toBe("hex");
    expect(moved.secrets.map((s) => s.value)).toEqual(["a".repeat(64)]);
    const none = await service.update("t1", sub.id, { scheme: "none" });
    expect(none.secrets).toEqual([]);
    const err = await rejection(service.rotateSecret("t1", sub.id));
    expect(err.code).toBe("bad_request");
  });

  it("pauses, disables and resumes", async () => {
    const { service, store } = setup();
    const sub = await service.create("t1", { url: "https://a.example", eventTypes: ["invoice.paid"] });
    expect((await service.pause("t1", sub.id)).status).toBe("paused");
    expect(await store.matchSubscriptions("t1", "invoice.paid")).toEqual([]);
    await store.updateSubscription("t1", sub.id, { failingSince: new Date(0) });
    const disabled = await service.disable("t1", sub.id, "gone");
    expect(disabled).toMatchObject({ status: "disabled", disabledReason: "gone" });
    const resumed = await service.resume("t1", sub.id);
    expect(resumed).toMatchObject({ status: "active", disabledReason: null, failingSince: null });
    expect((await store.matchSubscriptions("t1", "invoice.paid")).map((s) => s.id)).toEqual([sub.id]);
  });

  it("soft-deletes (hidden, deletedAt set) or hard-deletes per option", async () => {
    const soft = setup({ softDelete: true });
    const a = await soft.service.create("t1", { url: "https://a.example", eventTypes: ["invoice.paid"] });
    const deleted = await soft.service.delete("t1", a.id);
    expect(deleted.deletedAt).toEqual(soft.now());
    expect((await rejection(soft.service.get("t1", a.id))).code).toBe("not_found");
    expect((await rejection(soft.service.delete("t1", a.id))).code).toBe("not_found");
    expect((await soft.service.list("t1")).total).toBe(0);
    expect(await soft.service.getMany("t1", [a.id])).toEqual([]);
    expect(await soft.store.getSubscription("t1", a.id, { includeDeleted: true })).not.toBeNull();

    const hard = setup();
    const b = await hard.service.create("t1", { url: "https://a.example", eventTypes: ["*"] });
    expect((await hard.service.delete("t1", b.id)).id).toBe(b.id);
    expect(await hard.store.getSubscription("t1", b.id, { includeDeleted: true })).toBeNull();
  });

  it("loses no concurrent patch", async () => {
    const { service } = setup();
    const sub = await service.create("t1", { url: "https://a.example", eventTypes: ["*"] });
    await Promise.all([
      service.update("t1", sub.id, { description: "d" }),
      service.update("t1", sub.id, { rateLimit: 3 }),
      service.pause("t1", sub.id),
      service.rotateSecret("t1", sub.id),
    ]);
    const final = await service.get("t1", sub.id);
    expect(final).toMatchObject({ description: "d", rateLimit: 3, status: "paused", version: 5 });
    expect(final.secrets).toHaveLength(2);
  });

  it("treats wrong types as validation errors, never TypeErrors", async () => {
    const { service } = setup();
    for (const input of [null, 42, "x", [], { url: 5, eventTypes: "invoice.paid" }]) {
      const err = await rejection(service.create("t1", input as never));
      expect(ValidationError.is(err)).toBe(true);
    }
    expect((await rejection(service.create("", { url: "https://a.example", eventTypes: ["*"] }))).code).toBe(
      "bad_request",
    );
  });
});

describe("createSubscriptionService: limits found by review", () => {
  const input = { url: "https://example.com/hook", eventTypes: ["invoice.paid"] };

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])(
    "treats the scheme name %s as unknown (422), never as an Object.prototype member",
    async (scheme) => {
      const { service, store } = setup();
      const err = await rejection(service.create("t1", { ...input, scheme }));
      expect(err.code).toBe("validation_failed");
      expect(err.issues[0]?.field).toBe("scheme");
      const withoutSecret = await rejection(service.create("t1", { ...input, scheme, secret: null }));
      expect(withoutSecret.issues[0]?.field).toBe("scheme");
      expect(await store.countSubscriptions("t1", {})).toBe(0);
    },
  );

  it("keeps at most MAX_LIVE_SECRETS live secrets however often a secret is rotated", async () => {
    const { service } = setup();
    const sub = await service.create("t1", input);
    let current = sub;
    for (let i = 0; i < 20; i++) current = await service.rotateSecret("t1", sub.id, { graceMs: DAY });
    expect(current.secrets).toHaveLength(MAX_LIVE_SECRETS);
    expect(current.secrets[0]?.expiresAt).toBeNull(); // the newest is the current one
  });

  it("refuses a grace period beyond 30 days instead of dropping the current secret", async () => {
    const { service } = setup();
    const sub = await service.create("t1", input);
    for (const graceMs of [MAX_GRACE_MS + 1, Number.MAX_SAFE_INTEGER, -1]) {
      const err = await rejection(service.rotateSecret("t1", sub.id, { graceMs }));
      expect(err.issues[0]?.field).toBe("graceMs");
    }
    expect((await service.get("t1", sub.id)).secrets).toEqual(sub.secrets);
    expect(() => setup({ secretGraceMs: MAX_GRACE_MS + 1 })).toThrow(/secretGraceMs/);
  });
});

const DAY = 24 * 3600 * 1000;
