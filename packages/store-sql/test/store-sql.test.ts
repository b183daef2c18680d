/**
 * What the conformance suite does not cover: dialect detection, migrations and the table prefix, the
 * indexed matching, concurrent claims and updates against a real database, the host transaction, dedupe.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Delivery, Message, Subscription } from "@hookline/core";
import { HooklineError } from "@hookline/core";
import { pendingDelivery } from "@hookline/core/testing";
import {
  migrateSqlStore,
  nodeSqliteDialect,
  sqlDedupeStore,
  sqliteStore,
  sqlStore,
} from "@hookline/store-sql";
import { CompiledQuery, Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DialectFixture, dialects } from "./dialects.ts";

const T0 = new Date("2026-01-01T00:00:00.000Z");

function subscription(id: string, eventTypes: string[], tenant = "acme"): Subscription {
  return {
    id,
    tenant,
    url: "https://example.com/hook",
    method: "POST",
    contentType: "application/json",
    bodyTemplate: null,
    headers: { "x-team": "a" },
    eventTypes,
    secrets: [{ id: "s1", value: "whsec_abc", createdAt: T0, expiresAt: null }],
    scheme: null,
    qos: 1,
    idSetAccepted: true,
    rateLimit: 2.5,
    concurrency: 3,
    retrySchedule: [0, 5000],
    status: "active",
    disabledReason: null,
    description: "ünïcode ✓",
    metadata: { k: "v" },
    tags: ["x"],
    failingSince: null,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    version: 1,
  };
}

function message(id: string, tenant = "acme"): Message {
  return { id, tenant, type: "invoice.paid", data: { n: 1 }, timestamp: T0, resourceId: null, createdAt: T0 };
}

/** A pending delivery due at `at`, created at T0 (the testing kit's row, with this file's ids). */
function delivery(id: string, messageId: string, at: Date, tenant = "acme"): Delivery {
  return pendingDelivery(tenant, { id, messageId, subscriptionId: "s", createdAt: T0, updatedAt: T0 }, at);
}

describe.each(dialects.map((d) => [d.name, d] as [string, DialectFixture]))(
  "sql store on %s",
  (name, fixture) => {
    let ctx: Awaited<ReturnType<DialectFixture["open"]>>;
    beforeAll(async () => {
      ctx = await fixture.open("f");
    });
    afterAll(async () => {
      await ctx?.cleanup();
    });

    it("detects the dialect and names itself after it", () => {
      expect(ctx.store.name).toBe(name);
      expect(sqlStore({ db: ctx.db, migrate: "manual" }).dialect).toBe(name);
    });

    it("migrations are idempotent and create only prefixed tables", async () => {
      await migrateSqlStore(ctx.db, { tablePrefix: ctx.prefix });
      await ctx.store.migrate();
      const tables = (await ctx.db.introspection.getTables()).map((t) => t.name);
      const ours = tables.filter((t) => t.startsWith(ctx.prefix)).sort();
      expect(ours).toContain(`${ctx.prefix}subscription_event_types`);
      expect(ours).toContain(`${ctx.prefix}migrations`);
      expect(tables).not.toContain("subscriptions");
    });

    it("round-trips a subscription exactly, and keeps ids case-sensitive", async () => {
      const sub = subscription("Case", ["invoice.*"]);
      await ctx.store.createSubscription(sub);
      await ctx.store.createSubscription(subscription("case", ["invoice.*"]));
      expect(await ctx.store.getSubscription("acme", "Case")).toEqual(sub);
      expect(await ctx.store.getSubscription("ACME", "Case")).toBeNull();
    });

    it("matches through the pattern table: exact, wildcard, prefix and resource-level", async () => {
      await ctx.store.createSubscription(subscription("m-exact", ["order.shipped"], "m"));
      await ctx.store.createSubscription(subscription("m-star", ["*"], "m"));
      await ctx.store.createSubscription(subscription("m-prefix", ["order.*"], "m"));
      await ctx.store.createSubscription(subscription("m-resource", ["order"], "m"));
      await ctx.store.createSubscription(subscription("m-other", ["invoice.paid", "order.created"], "m"));
      await ctx.store.createSubscription({ ...subscription("m-paused", ["*"], "m"), status: "paused" });
      const ids = (await ctx.store.matchSubscriptions("m", "order.shipped")).map((s) => s.id);
      expect(ids.sort()).toEqual(["m-exact", "m-prefix", "m-resource", "m-star"]);
      await ctx.store.updateSubscription("m", "m-other", { eventTypes: ["order.shipped"] });
      expect((await ctx.store.matchSubscriptions("m", "order.shipped")).map((s) => s.id)).toContain(
        "m-other",
      );
      expect((await ctx.store.matchSubscriptions("m", "invoice.paid")).map((s) => s.id)).toEqual(["m-star"]);
    });

    it("rejects a malformed cursor with bad_request", async () => {
      const err = await ctx.store.listSubscriptions("acme", { limit: 5, cursor: "!!nope" }).catch((e) => e);
      expect(HooklineError.is(err, "bad_request")).toBe(true);
      expect((err as Error).message).toContain(`[hookline] [${name}]`);
    });

    it("never hands one due delivery to two concurrent claimers", async () => {
      await ctx.store.insertMessage(message("claim-m"));
      const due = Array.from({ length: 40 }, (_, i) => delivery(`claim-${i}`, "claim-m", T0));
      await ctx.store.insertDeliveries(due);
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => ctx.store.claimDueDeliveries({ now: T0, leaseMs: 60_000, limit: 7 })),
      );
      // Rows another claimer holds are skipped, not waited for: a later claim picks up any remainder.
      claims.push(await ctx.store.claimDueDeliveries({ now: T0, leaseMs: 60_000, limit: 100 }));
      const ids = claims.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(40);
      expect(claims.flat().every((d) => d.status === "delivering")).toBe(true);
      // An expired lease is due again.
      const later = new Date(T0.getTime() + 60_000);
      expect((await ctx.store.claimDueDeliveries({ now: later, leaseMs: 1000, limit: 100 })).length).toBe(40);
    });

    it("loses no update under concurrent writers and enforces expectedVersion", async () => {
      await ctx.store.createSubscription(subscription("race", ["a.b"]));
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ctx.store.updateSubscription("acme", "race", { metadata: { i: `${i}` } }),
        ),
      );
      const after = await ctx.store.getSubscription("acme", "race");
      expect(after?.version).toBe(11);
      const stale = await ctx.store
        .updateSubscription("acme", "race", { description: "x" }, { expectedVersion: 1 })
        .catch((e) => e);
      expect(HooklineError.is(stale, "conflict")).toBe(true);
    });

    it("nextSequence is gap-free under concurrency", async () => {
      const values = await Promise.all(Array.from({ length: 20 }, () => ctx.store.nextSequence("seq-test")));
      expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it("joins the host's transaction: rolled back leaves nothing, committed keeps both", async () => {
      const emit = (id: string) =>
        ctx.db.transaction().execute(async (trx) => {
          const tx = ctx.store.withHostTransaction(trx);
          await tx.insertMessage(message(id));
          await tx.insertDeliveries([delivery(`${id}-d`, id, T0)]);
          if (id.startsWith("rollback")) throw new Error("business rule failed");
        });
      await expect(emit("rollback-1")).rejects.toThrow("business rule failed");
      expect(await ctx.store.getMessage("acme", "rollback-1")).toBeNull();
      expect(await ctx.store.getDelivery("acme", "rollback-1-d")).toBeNull();
      await emit("commit-1");
      expect(await ctx.store.getMessage("acme", "commit-1")).not.toBeNull();
      expect(await ctx.store.getDelivery("acme", "commit-1-d")).not.toBeNull();
      expect(() => ctx.store.withHostTransaction({})).toThrow(/Kysely Transaction/);
    });

    it("prunes old finished messages with their deliveries and attempts, in bounded batches", async () => {
      const old = new Date(T0.getTime() - 86_400_000);
      for (const id of ["p1", "p2", "p3"]) {
        await ctx.store.insertMessage({ ...message(id, "prune"), createdAt: old });
        await ctx.store.insertDeliveries([
          { ...delivery(`${id}-d`, id, old, "prune"), status: id === "p3" ? "pending" : "succeeded" },
        ]);
        await ctx.store.insertAttempt({
          id: `${id}-a`,
          tenant: "prune",
          deliveryId: `${id}-d`,
          messageId: id,
          subscriptionId: "s",
          number: 1,
          url: "https://example.com",
          method: "POST",
          requestHeaders: {},
          status: 200,
          responseBody: "ok",
          responseHeaders: {},
          durationMs: 1.5,
          errorKind: null,
          error: null,
          startedAt: T0,
        });
      }
      // Batch of 1: one message (with its delivery and attempt) per call.
      expect(await ctx.store.prune({ before: T0, batchSize: 1 })).toBe(3);
      expect(await ctx.store.prune({ before: T0, batchSize: 1 })).toBe(3);
      expect(await ctx.store.prune({ before: T0, batchSize: 1 })).toBe(0);
      expect(await ctx.store.getMessage("prune", "p3")).not.toBeNull();
      expect(await ctx.store.getMessage("prune", "p1")).toBeNull();
    });

    it("dedupes receiver message ids on the same database", async () => {
      const dedupe = sqlDedupeStore({ db: ctx.db, tablePrefix: ctx.prefix });
      const results = await Promise.all(Array.from({ length: 5 }, () => dedupe.claim("msg_1", 60_000)));
      expect(results.filter(Boolean).length).toBe(1);
      expect(await dedupe.claim("x".repeat(500), 60_000)).toBe(true);
      expect(await dedupe.claim("x".repeat(500), 60_000)).toBe(false);
      expect(await dedupe.claim("expired", -1)).toBe(true);
      expect(await dedupe.claim("expired", 60_000)).toBe(true);
    });

    it("surfaces a store that was closed as a typed error", async () => {
      const other = await fixture.open("c");
      await other.cleanup();
      const err = await other.store.getMessage("acme", "x").catch((e) => e);
      expect(HooklineError.is(err)).toBe(true);
    });
  },
);

describe("sqlite specifics", () => {
  it("looks up matches through the pattern index and the subscriptions key, never a scan", async () => {
    let captured: CompiledQuery | null = null;
    const db = new Kysely<unknown>({
      dialect: nodeSqliteDialect({ database: new DatabaseSync(":memory:") }),
      log: (event) => {
        if (event.level === "query" && event.query.sql.includes("in (")) captured = event.query;
      },
    });
    const store = sqlStore({ db, destroyOnClose: true });
    try {
      for (let i = 0; i < 50; i++) await store.createSubscription(subscription(`s${i}`, [`t${i}.created`]));
      await sql`analyze`.execute(db);
      expect((await store.matchSubscriptions("acme", "t7.created")).map((s) => s.id)).toEqual(["s7"]);
      const query = captured as CompiledQuery | null;
      expect(query?.sql).toContain("subscription_event_types");
      const plan = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${query!.sql}`, [...query!.parameters]),
      );
      const details = plan.rows.map((r) => r.detail).join("\n");
      expect(details).not.toMatch(/SCAN/);
      expect(details).toMatch(
        /SEARCH e USING (COVERING )?INDEX \w*subscription_event_types\w* \(tenant=\? AND pattern=\?\)/,
      );
      expect(details).toMatch(/SEARCH s USING INDEX \w*subscriptions_tenant_id/);
    } finally {
      await store.close();
    }
  });

  it("opens a file in WAL mode and keeps its data across a reopen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookline-wal-"));
    try {
      const path = join(dir, "nested", "store.db");
      const first = sqliteStore({ path });
      await first.insertMessage(message("durable-1"));
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db);
      expect(mode.rows[0]?.journal_mode).toBe("wal");
      expect(first.capabilities.durable).toBe(true);
      await first.close();
      const second = sqliteStore({ path });
      expect((await second.getMessage("acme", "durable-1"))?.id).toBe("durable-1");
      await second.close();
      expect(sqliteStore({ path: ":memory:" }).capabilities.durable).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
