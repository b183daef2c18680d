/**
 * The Store conformance suite. Every driver — the memory store, the SQL store on each dialect, a third-party
 * store — runs these same tests from a three-line test file:
 *
 * ```ts
 * import { runStoreSuite } from "@hookline/core/testing";
 * import { myStore } from "../src/index.ts";
 * runStoreSuite("my-store", () => myStore());
 * ```
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HooklineError } from "../errors.ts";
import type { Attempt, Delivery, DeliveryStatus, Message, Subscription } from "../model/types.ts";
import type {
  ClaimOptions,
  DeliveryPatch,
  Store,
  StoreCapabilities,
  UnfinishedDelivery,
  UpdateDeliveryOptions,
} from "../store/types.ts";
import { pendingDelivery } from "./rows.ts";

/** Options of {@link runStoreSuite}. */
export interface StoreSuiteOptions {
  /** Called after each test with the store the factory made (before `store.close()`), e.g. to drop tables. */
  teardown?(store: Store): Promise<void>;
  /** Overrides the capabilities the store declares (the suite skips what a driver lacks). */
  capabilities?: Partial<StoreCapabilities>;
}

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0, 0);
const at = (offsetMs: number) => new Date(T0 + offsetMs);

/** A fully populated subscription; every field differs from its default. */
export function fixtureSubscription(tenant: string, over: Partial<Subscription> = {}): Subscription {
  return {
    id: randomUUID(),
    tenant,
    url: "https://example.com/hooks/${resource-id}?q=1",
    method: "POST",
    contentType: "application/json; charset=utf-8",
    bodyTemplate: '{"id":"${resource-id}"}',
    headers: { "x-team": "blue", authorization: "Bearer t" },
    eventTypes: ["invoice.paid"],
    secrets: [
      { id: randomUUID(), value: "whsec_new", createdAt: at(5_000), expiresAt: null },
      { id: randomUUID(), value: "whsec_old", createdAt: at(0), expiresAt: at(86_400_000) },
    ],
    scheme: "standard",
    qos: 0,
    idSetAccepted: true,
    rateLimit: 10,
    concurrency: 2,
    retrySchedule: [0, 5_000, 300_000],
    status: "active",
    disabledReason: null,
    description: "Ünïcode déscription ✓",
    metadata: { team: "billing", nested: '{"a":[1,2]}', empty: "" },
    tags: ["a", "b"],
    failingSince: at(1_000),
    createdAt: at(0),
    updatedAt: at(2_000),
    deletedAt: null,
    version: 1,
    ...over,
  };
}

function fixtureMessage(tenant: string, over: Partial<Message> = {}): Message {
  return {
    id: randomUUID(),
    tenant,
    type: "invoice.paid",
    data: { amount: 42, nested: { list: [1, "two", null, true], empty: {} }, text: "héllo" },
    timestamp: at(100),
    resourceId: "inv_1",
    createdAt: at(200),
    ...over,
  };
}

function fixtureDelivery(tenant: string, over: Partial<Delivery> = {}): Delivery {
  return pendingDelivery(tenant, over, at(0));
}

function fixtureAttempt(tenant: string, over: Partial<Attempt> = {}): Attempt {
  return {
    id: randomUUID(),
    tenant,
    deliveryId: randomUUID(),
    messageId: randomUUID(),
    subscriptionId: randomUUID(),
    number: 1,
    url: "https://example.com/hooks",
    method: "POST",
    requestHeaders: { "webhook-id": "msg_1", "webhook-signature": "[redacted]" },
    status: 500,
    responseBody: "oops",
    responseHeaders: { "content-type": "text/plain" },
    durationMs: 12,
    errorKind: "http_status",
    error: "HTTP 500",
    startedAt: at(0),
    ...over,
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a HooklineError with code ${code}`).not.toBeNull();
  expect(HooklineError.is(err) ? err.code : err).toBe(code);
}

const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id);

/**
 * Registers the conformance tests for a {@link Store} driver. `factory` must return an empty store for each
 * test (claims see every tenant's deliveries); the store is closed after each test.
 */
export function runStoreSuite(
  name: string,
  factory: () => Promise<Store> | Store,
  opts: StoreSuiteOptions = {},
): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let caps: StoreCapabilities;
    let tenant: string;
    let other: string;

    beforeEach(async () => {
      store = await factory();
      caps = { ...store.capabilities, ...opts.capabilities };
      tenant = `tenant-${randomUUID()}`;
      other = `other-${randomUUID()}`;
    });

    afterEach(async () => {
      await opts.teardown?.(store);
      await store.close();
    });

    const createSub = (over: Partial<Subscription> = {}, t = tenant) =>
      store.createSubscription(fixtureSubscription(t, over));

    it("has a name and declares its capabilities", () => {
      expect(typeof store.name).toBe("string");
      expect(store.name.length).toBeGreaterThan(0);
      for (const key of ["transactions", "hostTransactions", "durable", "multiProcess"] as const) {
        expect(typeof store.capabilities[key]).toBe("boolean");
      }
    });

    describe("subscriptions", () => {
      it("round-trips every field (dates, nulls, secrets, metadata)", async () => {
        const sub = fixtureSubscription(tenant);
        const created = await store.createSubscription(sub);
        expect(created).toEqual(sub);
        const read = await store.getSubscription(tenant, sub.id);
        expect(read).toEqual(sub);
        expect(read!.createdAt).toBeInstanceOf(Date);
        expect(read!.secrets[1]!.expiresAt).toBeInstanceOf(Date);

        const minimal = fixtureSubscription(tenant, {
          bodyTemplate: null,
          headers: {},
          secrets: [],
          scheme: null,
          rateLimit: null,
          concurrency: null,
          retrySchedule: null,
          status: "disabled",
          disabledReason: "gone",
          description: null,
          metadata: {},
          tags: null,
          failingSince: null,
          eventTypes: ["a", "b.*", "*"],
          method: "GET",
          qos: 1,
          idSetAccepted: false,
        });
        await store.createSubscription(minimal);
        expect(await store.getSubscription(tenant, minimal.id)).toEqual(minimal);
      });

      it("returns copies: callers cannot mutate stored state", async () => {
        const sub = fixtureSubscription(tenant);
        const created = await store.createSubscription(sub);
        sub.metadata["team"] = "mutated";
        sub.eventTypes.push("mutated");
        created.headers["x-team"] = "mutated";
        created.secrets[0]!.value = "mutated";
        created.createdAt.setTime(0);
        const read = await store.getSubscription(tenant, sub.id);
        expect(read!.metadata["team"]).toBe("billing");
        expect(read!.eventTypes).toEqual(["invoice.paid"]);
        expect(read!.headers["x-team"]).toBe("blue");
        expect(read!.secrets[0]!.value).toBe("whsec_new");
        expect(read!.createdAt).toEqual(at(0));
        read!.tags!.push("x");
        expect((await store.getSubscription(tenant, sub.id))!.tags).toEqual(["a", "b"]);
      });

      it("refuses a duplicate (tenant, id) with conflict; the same id in another tenant is separate", async () => {
        const sub = await createSub();
        await expectCode(store.createSubscription({ ...sub, url: "https://other.example" }), "conflict");
        expect((await store.getSubscription(tenant, sub.id))!.url).toBe(sub.url);
        const twin = await store.createSubscription({ ...sub, tenant: other, url: "https://twin.example" });
        expect(twin.tenant).toBe(other);
        expect((await store.getSubscription(tenant, sub.id))!.url).toBe(sub.url);
        expect((await store.getSubscription(other, sub.id))!.url).toBe("https://twin.example");
      });

      it("isolates tenants in every subscription method", async () => {
        const sub = await createSub({ eventTypes: ["invoice.paid"] });
        expect(await store.getSubscription(other, sub.id)).toBeNull();
        expect(await store.getSubscription(other, sub.id, { includeDeleted: true })).toBeNull();
        expect(await store.getSubscriptions(other, [sub.id])).toEqual([]);
        expect((await store.listSubscriptions(other, { limit: 10 })).items).toEqual([]);
        expect(await store.countSubscriptions(other, {})).toBe(0);
        expect(await store.updateSubscription(other, sub.id, { url: "https://evil.example" })).toBeNull();
        expect(await store.deleteSubscription(other, sub.id)).toBe(false);
        expect(await store.matchSubscriptions(other, "invoice.paid")).toEqual([]);
        expect(await store.getSubscription(tenant, sub.id)).toEqual(sub);
      });

      it("gets id sets in the order asked, omitting missing, deleted and repeated ids", async () => {
        const a = await createSub();
        const b = await createSub();
        const c = await createSub();
        const d = await createSub();
        await store.updateSubscription(tenant, d.id, { deletedAt: at(10) });
        const got = await store.getSubscriptions(tenant, [c.id, "missing", a.id, d.id, c.id, b.id]);
        expect(ids(got)).toEqual([c.id, a.id, b.id]);
        expect(got[0]).toEqual(c);
        expect(await store.getSubscriptions(tenant, [])).toEqual([]);
      });

      it("lists in insertion order with eventType, status and includeDeleted filters; counts agree", async () => {
        const a = await createSub({ eventTypes: ["invoice.paid", "invoice.*"] });
        const b = await createSub({ eventTypes: ["product"], status: "paused" });
        const c = await createSub({
          eventTypes: ["invoice.paid"],
          status: "disabled",
          disabledReason: "gone",
        });
        const d = await createSub({ eventTypes: ["invoice.paid"] });
        await store.updateSubscription(tenant, d.id, { deletedAt: at(10) });
        await createSub({}, other);

        const list = async (q: Parameters<Store["listSubscriptions"]>[1]) =>
          ids((await store.listSubscriptions(tenant, q)).items);
        const count = (q: Parameters<Store["countSubscriptions"]>[1]) => store.countSubscriptions(tenant, q);

        expect(await list({ limit: 100 })).toEqual([a.id, b.id, c.id]);
        expect(await count({})).toBe(3);
        expect(await list({ limit: 100, includeDeleted: true })).toEqual([a.id, b.id, c.id, d.id]);
        expect(await count({ includeDeleted: true })).toBe(4);
        expect(await list({ limit: 100, eventType: "invoice.paid" })).toEqual([a.id, c.id]);
        expect(await count({ eventType: "invoice.paid" })).toBe(2);
        expect(await list({ limit: 100, eventType: "invoice.*" })).toEqual([a.id]);
        expect(await list({ limit: 100, eventType: "product" })).toEqual([b.id]);
        expect(await list({ limit: 100, eventType: "invoice" })).toEqual([]);
        expect(await list({ limit: 100, status: "paused" })).toEqual([b.id]);
        expect(await count({ status: "disabled" })).toBe(1);
        expect(await list({ limit: 100, status: "active", includeDeleted: true })).toEqual([a.id, d.id]);
        const deleted = (await store.listSubscriptions(tenant, { limit: 100, includeDeleted: true }))
          .items[3]!;
        expect(deleted.deletedAt).toEqual(at(10));
      });

      it("paginates with a cursor that is stable under inserts between pages", async () => {
        const created: string[] = [];
        for (let i = 0; i < 7; i++) created.push((await createSub()).id);
        const seen: string[] = [];
        let page = await store.listSubscriptions(tenant, { limit: 3 });
        expect(page.items).toHaveLength(3);
        seen.push(...ids(page.items));
        // Inserts between pages appear only on later pages; nothing is skipped or repeated.
        created.push((await createSub()).id);
        while (page.nextCursor !== null) {
          page = await store.listSubscriptions(tenant, { limit: 3, cursor: page.nextCursor });
          seen.push(...ids(page.items));
          if (seen.length === 6) created.push((await createSub()).id);
        }
        expect(seen).toEqual(created);
        expect(new Set(seen).size).toBe(9);
        // Limits are clamped to 1..1000.
        expect((await store.listSubscriptions(tenant, { limit: 0 })).items).toHaveLength(1);
        expect((await store.listDeliveries(tenant, { limit: 0 })).items).toHaveLength(0);
        const last = await store.listSubscriptions(tenant, { limit: 9 });
        expect(last.items).toHaveLength(9);
        expect(last.nextCursor).toBeNull();
      });

      it("rejects a malformed cursor with bad_request", async () => {
        await createSub();
        for (const cursor of ["not a cursor", "%%%", "eyJ4IjoxfQ", "A".repeat(300)]) {
          await expectCode(store.listSubscriptions(tenant, { limit: 10, cursor }), "bad_request");
        }
      });

      it("updates the given fields, bumps the version and enforces expectedVersion", async () => {
        const sub = await createSub();
        const updated = await store.updateSubscription(tenant, sub.id, {
          url: "https://new.example/x",
          metadata: { k: "v" },
          tags: null,
          failingSince: null,
          updatedAt: at(9_000),
          status: "disabled",
          disabledReason: "failing",
        });
        expect(updated).toEqual({
          ...sub,
          url: "https://new.example/x",
          metadata: { k: "v" },
          tags: null,
          failingSince: null,
          updatedAt: at(9_000),
          status: "disabled",
          disabledReason: "failing",
          version: 2,
        });
        expect(await store.getSubscription(tenant, sub.id)).toEqual(updated);
        await expectCode(
          store.updateSubscription(tenant, sub.id, { url: "https://x.example" }, { expectedVersion: 1 }),
          "conflict",
        );
        const v3 = await store.updateSubscription(
          tenant,
          sub.id,
          { description: null },
          { expectedVersion: 2 },
        );
        expect(v3!.version).toBe(3);
        expect(v3!.description).toBeNull();
        expect(await store.updateSubscription(tenant, "missing", { description: "x" })).toBeNull();
      });

      it("round-trips a secret rotation (several live secrets, expiry instants)", async () => {
        const sub = await createSub({
          secrets: [{ id: "s1", value: "v1", createdAt: at(0), expiresAt: null }],
        });
        const secrets = [
          { id: "s2", value: "v2", createdAt: at(10), expiresAt: null },
          { id: "s1", value: "v1", createdAt: at(0), expiresAt: at(86_400_010) },
        ];
        const rotated = await store.updateSubscription(tenant, sub.id, { secrets }, { expectedVersion: 1 });
        expect(rotated!.secrets).toEqual(secrets);
        expect((await store.getSubscription(tenant, sub.id))!.secrets).toEqual(secrets);
        await store.updateSubscription(tenant, sub.id, { secrets: [] });
        expect((await store.getSubscription(tenant, sub.id))!.secrets).toEqual([]);
      });

      it("loses no update among 20 concurrent read-modify-write writers", async () => {
        const sub = await createSub({ tags: [] });
        await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            for (;;) {
              const cur = (await store.getSubscription(tenant, sub.id))!;
              try {
                await store.updateSubscription(
                  tenant,
                  sub.id,
                  { tags: [...cur.tags!, `t${i}`] },
                  { expectedVersion: cur.version },
                );
                return;
              } catch (err) {
                if (!HooklineError.is(err, "conflict")) throw err;
              }
            }
          }),
        );
        const final = (await store.getSubscription(tenant, sub.id))!;
        expect([...final.tags!].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
        expect(final.version).toBe(21);
      });

      it("soft delete hides a subscription from reads, lists and matching", async () => {
        const sub = await createSub({ eventTypes: ["invoice.paid"] });
        const deleted = await store.updateSubscription(tenant, sub.id, { deletedAt: at(50) });
        expect(deleted!.deletedAt).toEqual(at(50));
        expect(await store.getSubscription(tenant, sub.id)).toBeNull();
        expect((await store.getSubscription(tenant, sub.id, { includeDeleted: true }))!.deletedAt).toEqual(
          at(50),
        );
        expect((await store.listSubscriptions(tenant, { limit: 10 })).items).toEqual([]);
        expect(await store.matchSubscriptions(tenant, "invoice.paid")).toEqual([]);
        expect(await store.updateSubscription(tenant, sub.id, { url: "https://x.example" })).toBeNull();
      });

      it("hard delete removes the row", async () => {
        const sub = await createSub();
        expect(await store.deleteSubscription(tenant, sub.id)).toBe(true);
        expect(await store.getSubscription(tenant, sub.id, { includeDeleted: true })).toBeNull();
        expect(await store.deleteSubscription(tenant, sub.id)).toBe(false);
        expect(await store.countSubscriptions(tenant, { includeDeleted: true })).toBe(0);
      });
    });

    describe("matching", () => {
      it("matches exact, *, prefix wildcards and resource-level patterns; excludes paused and disabled", async () => {
        const exact = await createSub({ eventTypes: ["product.deleted"] });
        const all = await createSub({ eventTypes: ["*"] });
        const colon = await createSub({ eventTypes: ["pud:*"] });
        const dot = await createSub({ eventTypes: ["product.*"] });
        const resource = await createSub({ eventTypes: ["product"] });
        const both = await createSub({ eventTypes: ["product", "product.deleted", "product.*"] });
        const nested = await createSub({ eventTypes: ["a.b"] });
        await createSub({ eventTypes: ["product.deleted"], status: "paused" });
        await createSub({ eventTypes: ["*"], status: "disabled", disabledReason: "gone" });
        const near = await createSub({ eventTypes: ["productx", "prod", "pu", "a.b.c.d"] });
        await createSub({ eventTypes: ["*"] }, other);

        const match = async (type: string) => ids(await store.matchSubscriptions(tenant, type)).sort();
        expect(await match("product.deleted")).toEqual(
          [exact.id, all.id, dot.id, resource.id, both.id].sort(),
        );
        expect(await match("product.created")).toEqual([all.id, dot.id, resource.id, both.id].sort());
        expect(await match("pud:status_update")).toEqual([all.id, colon.id].sort());
        expect(await match("a.b.c")).toEqual([all.id, nested.id].sort());
        expect(await match("productx.deleted")).toEqual([all.id, near.id].sort());
        expect(await match("a.b.c.d.e")).toEqual([all.id, nested.id, near.id].sort());
        expect(await match("unrelated")).toEqual([all.id]);
        const full = await store.matchSubscriptions(tenant, "product.deleted");
        expect(full.find((s) => s.id === exact.id)).toEqual(exact);
      });

      it("follows updates of patterns and status", async () => {
        const sub = await createSub({ eventTypes: ["invoice.paid"] });
        await store.updateSubscription(tenant, sub.id, { eventTypes: ["order.*"] });
        expect(await store.matchSubscriptions(tenant, "invoice.paid")).toEqual([]);
        expect(ids(await store.matchSubscriptions(tenant, "order.created"))).toEqual([sub.id]);
        await store.updateSubscription(tenant, sub.id, { status: "paused" });
        expect(await store.matchSubscriptions(tenant, "order.created")).toEqual([]);
        await store.updateSubscription(tenant, sub.id, { status: "active" });
        expect(ids(await store.matchSubscriptions(tenant, "order.created"))).toEqual([sub.id]);
        await store.deleteSubscription(tenant, sub.id);
        expect(await store.matchSubscriptions(tenant, "order.created")).toEqual([]);
      });
    });

    describe("messages", () => {
      it("inserts idempotently on (tenant, id) and round-trips nested JSON", async () => {
        const m = fixtureMessage(tenant);
        expect(await store.insertMessage(m)).toEqual({ inserted: true, message: m });
        const again = await store.insertMessage({ ...m, data: { other: true }, type: "x.y" });
        expect(again).toEqual({ inserted: false, message: m });
        expect(await store.getMessage(tenant, m.id)).toEqual(m);
        (m.data as { amount: number }).amount = 0;
        const copy = (await store.getMessage(tenant, m.id))!;
        expect((copy.data as { amount: number }).amount).toBe(42);
        (copy.data as { amount: number }).amount = 1;
        (m.data as { amount: number }).amount = 42;
        expect(await store.getMessage(tenant, m.id)).toEqual(m);
        expect(await store.getMessage(other, m.id)).toBeNull();
        const same = await store.insertMessage({ ...m, tenant: other, resourceId: null, data: [1, "a"] });
        expect(same.inserted).toBe(true);
        expect((await store.getMessage(other, m.id))!.data).toEqual([1, "a"]);
        expect((await store.getMessage(tenant, m.id))!.resourceId).toBe("inv_1");
      });
    });

    describe("deliveries", () => {
      it("round-trips deliveries and isolates tenants", async () => {
        const d = fixtureDelivery(tenant, {
          status: "failed",
          attempts: 3,
          nextAttemptAt: null,
          lastStatus: 503,
          lastError: "http_503",
          completedAt: at(900),
        });
        const e = fixtureDelivery(tenant, { status: "delivering", leaseUntil: at(30_000) });
        await store.insertDeliveries([d, e]);
        expect(await store.getDelivery(tenant, d.id)).toEqual(d);
        expect(await store.getDelivery(tenant, e.id)).toEqual(e);
        // Copies in and out.
        d.lastError = "mutated";
        const read = (await store.getDelivery(tenant, d.id))!;
        expect(read.lastError).toBe("http_503");
        read.completedAt!.setTime(0);
        d.lastError = "http_503";
        expect(await store.getDelivery(tenant, d.id)).toEqual(d);
        expect(await store.getDelivery(other, d.id)).toBeNull();
        expect((await store.listDeliveries(other, { limit: 10 })).items).toEqual([]);
        expect(await store.updateDelivery(other, d.id, { status: "pending" })).toBeNull();
        expect(await store.requeueFailedDeliveries(other, { since: at(-1), now: at(0) })).toBe(0);
        expect(await store.getDelivery(tenant, d.id)).toEqual(d);
        await store.insertDeliveries([]);
      });

      it("lists newest first with filters and a cursor", async () => {
        const sub = randomUUID();
        const msg = randomUUID();
        const made: Delivery[] = [];
        for (let i = 0; i < 6; i++) {
          const d = fixtureDelivery(tenant, {
            subscriptionId: i % 2 === 0 ? sub : randomUUID(),
            messageId: i < 3 ? msg : randomUUID(),
            status: i === 5 ? "succeeded" : "pending",
            eventType: i === 4 ? "order.created" : "invoice.paid",
            createdAt: at(i * 1000),
          });
          await store.insertDeliveries([d]);
          made.push(d);
        }
        await store.insertDeliveries([fixtureDelivery(other)]);
        const list = async (q: Omit<Parameters<Store["listDeliveries"]>[1], "limit">) =>
          ids((await store.listDeliveries(tenant, { limit: 100, ...q })).items);
        const [d0, d1, d2, d3, d4, d5] = made.map((d) => d.id) as [
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        expect(await list({})).toEqual([d5, d4, d3, d2, d1, d0]);
        expect(await list({ subscriptionId: sub })).toEqual([d4, d2, d0]);
        expect(await list({ messageId: msg })).toEqual([d2, d1, d0]);
        expect(await list({ status: "succeeded" })).toEqual([d5]);
        expect(await list({ eventType: "order.created" })).toEqual([d4]);
        expect(await list({ since: at(3000) })).toEqual([d5, d4, d3]);
        expect(await list({ since: at(3000), subscriptionId: sub })).toEqual([d4]);

        const seen: string[] = [];
        let page = await store.listDeliveries(tenant, { limit: 4 });
        seen.push(...ids(page.items));
        await store.insertDeliveries([fixtureDelivery(tenant, { createdAt: at(10_000) })]);
        while (page.nextCursor !== null) {
          page = await store.listDeliveries(tenant, { limit: 4, cursor: page.nextCursor });
          seen.push(...ids(page.items));
        }
        expect(seen).toEqual([d5, d4, d3, d2, d1, d0]);
        await expectCode(store.listDeliveries(tenant, { limit: 4, cursor: "garbage!" }), "bad_request");
      });

      it("claims due deliveries oldest first, leases them, and never hands one out twice", async () => {
        const due = [3, 1, 2].map((n) => fixtureDelivery(tenant, { nextAttemptAt: at(n * 1000) }));
        const later = fixtureDelivery(other, { nextAttemptAt: at(60_000) });
        const done = fixtureDelivery(tenant, {
          status: "succeeded",
          nextAttemptAt: null,
          completedAt: at(0),
        });
        const leased = fixtureDelivery(tenant, { status: "delivering", leaseUntil: at(50_000) });
        await store.insertDeliveries([...due, later, done, leased]);

        const first = await store.claimDueDeliveries({ now: at(10_000), leaseMs: 30_000, limit: 2 });
        expect(ids(first)).toEqual([due[1]!.id, due[2]!.id]);
        for (const d of first) {
          expect(d.status).toBe("delivering");
          expect(d.leaseUntil).toEqual(at(40_000));
          expect(await store.getDelivery(tenant, d.id)).toMatchObject({
            status: "delivering",
            leaseUntil: at(40_000),
          });
        }
        const second = await store.claimDueDeliveries({ now: at(10_000), leaseMs: 30_000, limit: 10 });
        expect(ids(second)).toEqual([due[0]!.id]);
        expect(await store.claimDueDeliveries({ now: at(10_000), leaseMs: 30_000, limit: 10 })).toEqual([]);
        // Later: the other tenant's delivery and the expired lease (crash recovery) come due; final never.
        const third = await store.claimDueDeliveries({ now: at(60_000), leaseMs: 30_000, limit: 10 });
        expect(ids(third).sort()).toEqual([...ids(first), due[0]!.id, later.id, leased.id].sort());
      });

      it("gives concurrent claimers disjoint sets", async () => {
        const all = Array.from({ length: 30 }, (_, i) =>
          fixtureDelivery(i % 2 ? tenant : other, { nextAttemptAt: at(i) }),
        );
        await store.insertDeliveries(all);
        const claimed: string[] = [];
        for (let round = 0; round < 10; round++) {
          const batches = await Promise.all(
            [0, 1, 2].map(() => store.claimDueDeliveries({ now: at(1000), leaseMs: 60_000, limit: 4 })),
          );
          for (const b of batches) claimed.push(...ids(b));
          if (batches.every((b) => b.length === 0)) break;
        }
        expect(claimed).toHaveLength(30);
        expect(new Set(claimed).size).toBe(30);
      });

      it("re-claims a delivery after its lease expires", async () => {
        const d = fixtureDelivery(tenant, { nextAttemptAt: at(0) });
        await store.insertDeliveries([d]);
        expect(ids(await store.claimDueDeliveries({ now: at(0), leaseMs: 1000, limit: 5 }))).toEqual([d.id]);
        expect(await store.claimDueDeliveries({ now: at(999), leaseMs: 1000, limit: 5 })).toEqual([]);
        const again = await store.claimDueDeliveries({ now: at(1000), leaseMs: 1000, limit: 5 });
        expect(ids(again)).toEqual([d.id]);
        expect(again[0]!.leaseUntil).toEqual(at(2000));
      });

      it("claims one delivery by id only when it is due", async () => {
        const d = fixtureDelivery(tenant, { nextAttemptAt: at(5000) });
        await store.insertDeliveries([d]);
        expect(await store.claimDelivery(d.id, { now: at(4999), leaseMs: 1000 })).toBeNull();
        const c = await store.claimDelivery(d.id, { now: at(5000), leaseMs: 1000 });
        expect(c).toMatchObject({ id: d.id, status: "delivering", leaseUntil: at(6000) });
        expect(await store.claimDelivery(d.id, { now: at(5500), leaseMs: 1000 })).toBeNull();
        expect(await store.claimDueDeliveries({ now: at(5500), leaseMs: 1000, limit: 5 })).toEqual([]);
        expect(await store.claimDelivery(d.id, { now: at(6000), leaseMs: 1000 })).not.toBeNull();
        expect(await store.claimDelivery("missing", { now: at(6000), leaseMs: 1000 })).toBeNull();
        await store.updateDelivery(tenant, d.id, {
          status: "succeeded",
          nextAttemptAt: null,
          leaseUntil: null,
        });
        expect(await store.claimDelivery(d.id, { now: at(99_000), leaseMs: 1000 })).toBeNull();
      });

      it("claimDeliveriesContext (optional) claims like claimDelivery, with the subscription and message", async (ctx) => {
        const claimMany = store.claimDeliveriesContext?.bind(store);
        if (claimMany === undefined) return ctx.skip();
        const claim = async (id: string, o: ClaimOptions) => {
          const claimed = await claimMany([id], o);
          expect(claimed.length).toBeLessThanOrEqual(1);
          return claimed[0] ?? null;
        };
        const sub = await store.createSubscription(fixtureSubscription(tenant));
        const { message } = await store.insertMessage(fixtureMessage(tenant));
        // Same ids under another tenant must never be joined in.
        await store.createSubscription(
          fixtureSubscription(other, { id: sub.id, url: "https://other.example" }),
        );
        await store.insertMessage(fixtureMessage(other, { id: message.id, data: "other" }));
        const d = fixtureDelivery(tenant, {
          subscriptionId: sub.id,
          messageId: message.id,
          nextAttemptAt: at(5000),
        });
        await store.insertDeliveries([d]);
        expect(await claim(d.id, { now: at(4999), leaseMs: 1000 })).toBeNull();
        const claimed = await claim(d.id, { now: at(5000), leaseMs: 1000 });
        expect(claimed).toEqual({
          delivery: { ...d, status: "delivering", leaseUntil: at(6000), updatedAt: at(5000) },
          subscription: sub,
          message,
        });
        expect(await claim(d.id, { now: at(5500), leaseMs: 1000 })).toBeNull();
        expect(await store.claimDelivery(d.id, { now: at(5500), leaseMs: 1000 })).toBeNull();
        expect(await claim("missing", { now: at(6000), leaseMs: 1000 })).toBeNull();

        await store.updateSubscription(tenant, sub.id, { deletedAt: at(5600) });
        const gone = fixtureDelivery(tenant, {
          subscriptionId: sub.id,
          messageId: "pruned",
          nextAttemptAt: at(0),
        });
        await store.insertDeliveries([gone]);
        const orphan = await claim(gone.id, { now: at(6000), leaseMs: 1000 });
        expect(orphan?.delivery.id).toBe(gone.id);
        expect(orphan?.subscription).toBeNull();
        expect(orphan?.message).toBeNull();

        // Several at once: only the due ones, each with its own context.
        const sub2 = await store.createSubscription(fixtureSubscription(tenant));
        const due = [sub, sub2].map((s) =>
          fixtureDelivery(tenant, { subscriptionId: s.id, messageId: message.id, nextAttemptAt: at(0) }),
        );
        const later = fixtureDelivery(tenant, { subscriptionId: sub2.id, nextAttemptAt: at(50_000) });
        await store.insertDeliveries([...due, later]);
        const many = await claimMany([due[0]!.id, "missing", later.id, due[1]!.id, gone.id], {
          now: at(6500),
          leaseMs: 1000,
        });
        const byId = new Map(many.map((c) => [c.delivery.id, c]));
        expect([...byId.keys()].sort()).toEqual([due[0]!.id, due[1]!.id].sort());
        expect(byId.get(due[0]!.id)?.subscription).toBeNull(); // sub was deleted above
        expect(byId.get(due[1]!.id)?.subscription).toEqual(sub2);
        expect(byId.get(due[1]!.id)?.message).toEqual(message);
        expect(byId.get(due[1]!.id)?.delivery.leaseUntil).toEqual(at(7500));
        expect(await claimMany([], { now: at(7000), leaseMs: 1000 })).toEqual([]);
      });

      it("recordAttempts (optional) writes each attempt only while its lease holds", async (ctx) => {
        const recordMany = store.recordAttempts?.bind(store);
        if (recordMany === undefined) return ctx.skip();
        const record = async (attempt: Attempt, patch: DeliveryPatch, fence: UpdateDeliveryOptions) => {
          const [result, ...rest] = await recordMany([{ attempt, patch, fence }]);
          expect(rest).toEqual([]);
          return result;
        };
        const d = fixtureDelivery(tenant, { nextAttemptAt: at(0) });
        await store.insertDeliveries([d]);
        await store.claimDelivery(d.id, { now: at(1000), leaseMs: 100 });
        // The lease expires and another worker takes the delivery over.
        const second = await store.claimDelivery(d.id, { now: at(2000), leaseMs: 100 });
        /** Attempt `number` of delivery `r`. */
        const of = (r: Delivery, number: number): Attempt => ({
          ...fixtureAttempt(tenant),
          deliveryId: r.id,
          messageId: r.messageId,
          subscriptionId: r.subscriptionId,
          number,
        });
        const attempt = (number: number): Attempt => of(d, number);
        const done = {
          status: "succeeded" as DeliveryStatus,
          attempts: 1,
          leaseUntil: null,
          nextAttemptAt: null,
          lastStatus: 204,
          completedAt: at(2050),
          updatedAt: at(2050),
        };
        const stale = await record(attempt(1), done, {
          expectStatus: "delivering",
          expectLeaseUntil: at(1100),
        });
        expect(stale).toBeNull();
        expect(await store.listAttempts(tenant, d.id)).toEqual([]);
        expect(await store.getDelivery(tenant, d.id)).toEqual(second);

        const first = attempt(1);
        const recorded = await record(first, done, {
          expectStatus: "delivering",
          expectLeaseUntil: at(2100),
        });
        expect(recorded).toEqual({ ...second, ...done });
        expect(await store.getDelivery(tenant, d.id)).toEqual({ ...second, ...done });
        expect(await store.listAttempts(tenant, d.id)).toEqual([first]);
        // Final now: a second record under the status fence changes nothing.
        expect(await record(attempt(2), done, { expectStatus: "delivering" })).toBeNull();
        expect(await store.listAttempts(tenant, d.id)).toEqual([first]);

        // Several rows at once, of different patch shapes, one of them fenced out: each on its own.
        const rows = [0, 1, 2].map(() => fixtureDelivery(tenant, { nextAttemptAt: at(0) }));
        await store.insertDeliveries(rows);
        const leased = await Promise.all(
          rows.map((r) => store.claimDelivery(r.id, { now: at(3000), leaseMs: 100 })),
        );
        const retry = {
          status: "pending" as DeliveryStatus,
          attempts: 1,
          leaseUntil: null,
          nextAttemptAt: at(9000),
          lastStatus: 500,
          lastError: "HTTP 500",
          updatedAt: at(3050),
        };
        const fence = (lease: Date) => ({
          expectStatus: "delivering" as DeliveryStatus,
          expectLeaseUntil: lease,
        });
        const attempts = rows.map((r) => of(r, 1));
        const results = await recordMany([
          { attempt: attempts[0]!, patch: done, fence: fence(leased[0]!.leaseUntil!) },
          { attempt: attempts[1]!, patch: retry, fence: fence(at(1)) },
          { attempt: attempts[2]!, patch: retry, fence: fence(leased[2]!.leaseUntil!) },
        ]);
        expect(results).toEqual([{ ...leased[0], ...done }, null, { ...leased[2], ...retry }]);
        expect(await store.listAttempts(tenant, rows[0]!.id)).toEqual([attempts[0]]);
        expect(await store.listAttempts(tenant, rows[1]!.id)).toEqual([]);
        expect(await store.getDelivery(tenant, rows[1]!.id)).toEqual(leased[1]);
        expect(await store.listAttempts(tenant, rows[2]!.id)).toEqual([attempts[2]]);
        expect(await recordMany([])).toEqual([]);
      });

      it("updates a delivery, honouring expectStatus", async () => {
        const d = fixtureDelivery(tenant);
        await store.insertDeliveries([d]);
        expect(
          await store.updateDelivery(tenant, d.id, { status: "failed" }, { expectStatus: "delivering" }),
        ).toBeNull();
        expect((await store.getDelivery(tenant, d.id))!.status).toBe("pending");
        const patch = {
          status: "succeeded" as DeliveryStatus,
          attempts: 1,
          nextAttemptAt: null,
          leaseUntil: null,
          lastStatus: 204,
          lastError: null,
          completedAt: at(77),
          updatedAt: at(77),
        };
        const updated = await store.updateDelivery(tenant, d.id, patch, { expectStatus: "pending" });
        expect(updated).toEqual({ ...d, ...patch });
        expect(await store.getDelivery(tenant, d.id)).toEqual({ ...d, ...patch });
        expect(await store.updateDelivery(tenant, "missing", { attempts: 2 })).toBeNull();
        expect(await store.claimDueDeliveries({ now: at(1e9), leaseMs: 1, limit: 10 })).toEqual([]);
      });

      it("fences updates by lease: a worker whose lease was taken over records nothing", async () => {
        const d = fixtureDelivery(tenant, { nextAttemptAt: at(0) });
        await store.insertDeliveries([d]);
        const first = await store.claimDelivery(d.id, { now: at(1000), leaseMs: 100 });
        expect(first?.leaseUntil).toEqual(at(1100));
        // the lease expires and another worker takes the delivery over
        const second = await store.claimDelivery(d.id, { now: at(2000), leaseMs: 100 });
        expect(second?.leaseUntil).toEqual(at(2100));
        const done = { status: "succeeded" as DeliveryStatus, leaseUntil: null, attempts: 1 };
        expect(
          await store.updateDelivery(tenant, d.id, done, {
            expectStatus: "delivering",
            expectLeaseUntil: at(1100),
          }),
        ).toBeNull();
        expect((await store.getDelivery(tenant, d.id))!.leaseUntil).toEqual(at(2100));
        const ok = await store.updateDelivery(tenant, d.id, done, {
          expectStatus: "delivering",
          expectLeaseUntil: at(2100),
        });
        expect(ok?.status).toBe("succeeded");
      });

      it("requeues failed deliveries since an instant, optionally of one subscription", async () => {
        const sub = randomUUID();
        const failed = (createdAt: number, subscriptionId = randomUUID()) =>
          fixtureDelivery(tenant, {
            status: "failed",
            nextAttemptAt: null,
            completedAt: at(createdAt + 1),
            createdAt: at(createdAt),
            subscriptionId,
            attempts: 8,
          });
        const old = failed(0);
        const recent = failed(5000);
        const recentSub = failed(6000, sub);
        const ok = fixtureDelivery(tenant, { status: "succeeded", createdAt: at(7000), nextAttemptAt: null });
        await store.insertDeliveries([old, recent, recentSub, ok]);
        expect(
          await store.requeueFailedDeliveries(tenant, {
            since: at(5000),
            now: at(9000),
            subscriptionId: sub,
          }),
        ).toBe(1);
        expect(await store.getDelivery(tenant, recentSub.id)).toMatchObject({
          status: "pending",
          nextAttemptAt: at(9000),
          completedAt: null,
        });
        expect(await store.requeueFailedDeliveries(tenant, { since: at(5000), now: at(9000) })).toBe(1);
        expect((await store.getDelivery(tenant, old.id))!.status).toBe("failed");
        expect((await store.getDelivery(tenant, ok.id))!.status).toBe("succeeded");
        const claimed = await store.claimDueDeliveries({ now: at(9000), leaseMs: 1000, limit: 10 });
        expect(ids(claimed).sort()).toEqual([recent.id, recentSub.id].sort());
      });

      it("reports the next due instant", async () => {
        expect(await store.nextDueAt()).toBeNull();
        await store.insertDeliveries([
          fixtureDelivery(tenant, { status: "succeeded", nextAttemptAt: null, completedAt: at(0) }),
        ]);
        expect(await store.nextDueAt()).toBeNull();
        await store.insertDeliveries([fixtureDelivery(tenant, { nextAttemptAt: at(7000) })]);
        expect(await store.nextDueAt()).toEqual(at(7000));
        await store.insertDeliveries([
          fixtureDelivery(other, { status: "delivering", leaseUntil: at(3000) }),
        ]);
        expect(await store.nextDueAt()).toEqual(at(3000));
        await store.claimDueDeliveries({ now: at(3000), leaseMs: 10_000, limit: 1 });
        expect(await store.nextDueAt()).toEqual(at(7000));
      });

      it("pages unfinished delivery ids in id order", async () => {
        const made = Array.from({ length: 7 }, (_, i) =>
          fixtureDelivery(i % 2 ? tenant : other, { nextAttemptAt: i === 3 ? null : at(i) }),
        );
        made[3]!.status = "delivering";
        made[3]!.leaseUntil = at(10);
        const final = fixtureDelivery(tenant, { status: "failed", nextAttemptAt: null, completedAt: at(1) });
        await store.insertDeliveries([...made, final]);
        const seen: UnfinishedDelivery[] = [];
        let afterId: string | undefined;
        for (;;) {
          const page = await store.listUnfinishedDeliveryIds(
            afterId === undefined ? { limit: 3 } : { limit: 3, afterId },
          );
          expect(page.length).toBeLessThanOrEqual(3);
          if (page.length === 0) break;
          seen.push(...page);
          afterId = page[page.length - 1]!.id;
        }
        const expected = [...made].sort((a, b) => (a.id < b.id ? -1 : 1));
        expect(seen).toEqual(
          expected.map((d) => ({
            id: d.id,
            tenant: d.tenant,
            messageId: d.messageId,
            nextAttemptAt: d.nextAttemptAt,
          })),
        );
      });
    });

    describe("attempts", () => {
      it("lists a delivery's attempts oldest first, per tenant", async () => {
        const deliveryId = randomUUID();
        const a2 = fixtureAttempt(tenant, {
          deliveryId,
          number: 2,
          startedAt: at(2000),
          status: null,
          errorKind: "timeout",
          responseBody: null,
          responseHeaders: {},
        });
        const a1 = fixtureAttempt(tenant, { deliveryId, number: 1, startedAt: at(1000) });
        await store.insertAttempt(a2);
        await store.insertAttempt(a1);
        await store.insertAttempt(fixtureAttempt(tenant));
        expect(await store.listAttempts(tenant, deliveryId)).toEqual([a1, a2]);
        expect(await store.listAttempts(other, deliveryId)).toEqual([]);
        expect(await store.listAttempts(tenant, randomUUID())).toEqual([]);
      });
    });

    describe("statistics (optional deliveryStatsByHour)", () => {
      it("counts final deliveries per UTC hour of completion, per tenant, since a time", async (ctx) => {
        if (!store.deliveryStatsByHour) return ctx.skip();
        const hour = 3_600_000;
        const base = Math.floor(at(10 * hour).getTime() / hour) * hour;
        const d = (over: Partial<Delivery>, t = tenant) =>
          fixtureDelivery(t, { createdAt: new Date(base), ...over });
        await store.insertDeliveries([
          d({ status: "succeeded", completedAt: new Date(base + 5) }),
          d({ status: "succeeded", completedAt: new Date(base + hour - 1) }),
          d({ status: "failed", completedAt: new Date(base + 10) }),
          d({ status: "succeeded", completedAt: new Date(base + hour + 7) }),
          d({ status: "pending", completedAt: null }),
          d({ status: "succeeded", completedAt: new Date(base + 5), createdAt: new Date(base - 2 * hour) }),
          d({ status: "failed", completedAt: new Date(base + 5) }, other),
        ]);
        const stats = await store.deliveryStatsByHour(tenant, { since: new Date(base - hour) });
        expect(stats.filter((s) => s.succeeded + s.failed > 0)).toEqual([
          { hour: new Date(base), succeeded: 2, failed: 1 },
          { hour: new Date(base + hour), succeeded: 1, failed: 0 },
        ]);
        expect(await store.deliveryStatsByHour(`nobody-${randomUUID()}`, { since: new Date(0) })).toEqual([]);
      });
    });

    describe("prune", () => {
      it("removes old attempts and old fully-final messages in bounded batches", async () => {
        const finalMsg = fixtureMessage(tenant, { createdAt: at(0) });
        const openMsg = fixtureMessage(tenant, { createdAt: at(0) });
        const newMsg = fixtureMessage(tenant, { createdAt: at(100_000) });
        for (const m of [finalMsg, openMsg, newMsg]) await store.insertMessage(m);
        const dFinal = fixtureDelivery(tenant, {
          messageId: finalMsg.id,
          status: "succeeded",
          nextAttemptAt: null,
          completedAt: at(1),
        });
        const dOpen = fixtureDelivery(tenant, {
          messageId: openMsg.id,
          status: "pending",
          nextAttemptAt: at(1),
        });
        await store.insertDeliveries([dFinal, dOpen]);
        const oldAttempts = [1, 2, 3].map((n) =>
          fixtureAttempt(tenant, { deliveryId: dOpen.id, number: n, startedAt: at(n) }),
        );
        const newAttempt = fixtureAttempt(tenant, {
          deliveryId: dOpen.id,
          number: 4,
          startedAt: at(100_000),
        });
        for (const a of [...oldAttempts, newAttempt]) await store.insertAttempt(a);

        let total = 0;
        for (let i = 0; i < 20; i++) {
          const n = await store.prune({ before: at(50_000), batchSize: 1 });
          expect(n).toBeGreaterThanOrEqual(0);
          if (n === 0) break;
          total += n;
        }
        expect(total).toBeGreaterThanOrEqual(4);
        expect(await store.getMessage(tenant, finalMsg.id)).toBeNull();
        expect(await store.getMessage(tenant, openMsg.id)).not.toBeNull();
        expect(await store.getMessage(tenant, newMsg.id)).not.toBeNull();
        expect(await store.listAttempts(tenant, dOpen.id)).toEqual([newAttempt]);
        expect(await store.getDelivery(tenant, dOpen.id)).toEqual(dOpen);
        expect(await store.prune({ before: at(50_000), batchSize: 100 })).toBe(0);
      });
    });

    describe("transactions and sequences", () => {
      it("commits a transaction and rolls it back on throw", async (ctx) => {
        if (!caps.transactions) ctx.skip();
        const kept = fixtureSubscription(tenant);
        const result = await store.transaction(async (tx) => {
          await tx.createSubscription(kept);
          await tx.insertMessage(fixtureMessage(tenant, { id: "m-kept" }));
          return 7;
        });
        expect(result).toBe(7);
        expect(await store.getSubscription(tenant, kept.id)).toEqual(kept);

        const lost = fixtureSubscription(tenant);
        const boom = new Error("boom");
        const err = await store
          .transaction(async (tx) => {
            await tx.createSubscription(lost);
            await tx.updateSubscription(tenant, kept.id, { url: "https://changed.example" });
            await tx.deleteSubscription(tenant, kept.id);
            await tx.insertMessage(fixtureMessage(tenant, { id: "m-lost" }));
            await tx.insertDeliveries([fixtureDelivery(tenant, { id: randomUUID(), messageId: "m-lost" })]);
            // Nested calls join the outer transaction and roll back with it.
            await tx.transaction(async (inner) => {
              await inner.insertMessage(fixtureMessage(tenant, { id: "m-inner" }));
            });
            throw boom;
          })
          .catch((e: unknown) => e);
        expect(err).toBe(boom);
        expect(await store.getSubscription(tenant, lost.id)).toBeNull();
        expect(await store.getSubscription(tenant, kept.id)).toEqual(kept);
        expect(await store.getMessage(tenant, "m-lost")).toBeNull();
        expect(await store.getMessage(tenant, "m-inner")).toBeNull();
        expect(await store.getMessage(tenant, "m-kept")).not.toBeNull();
        expect((await store.listDeliveries(tenant, { limit: 10 })).items).toEqual([]);
        expect(await store.nextDueAt()).toBeNull();
        expect(ids((await store.listSubscriptions(tenant, { limit: 10 })).items)).toEqual([kept.id]);
        expect(ids(await store.matchSubscriptions(tenant, "invoice.paid"))).toEqual([kept.id]);
      });

      it("hands out monotonic sequence values, unique under concurrency, per name", async () => {
        expect(await store.nextSequence("subscription")).toBe(1);
        expect(await store.nextSequence("subscription")).toBe(2);
        expect(await store.nextSequence("message")).toBe(1);
        const values = await Promise.all(
          Array.from({ length: 50 }, () => store.nextSequence("subscription")),
        );
        expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 3));
        expect(await store.nextSequence("subscription")).toBe(53);
      });

      it("refuses host transactions unless it declares them", async (ctx) => {
        if (caps.hostTransactions) ctx.skip();
        let err: unknown = null;
        try {
          store.withHostTransaction({});
        } catch (e) {
          err = e;
        }
        expect(HooklineError.is(err, "unsupported")).toBe(true);
      });
    });
  });
}
