/**
 * emit(): the transactional outbox. The message and one delivery per matching subscription are written in
 * one store transaction (or inside the host's own) before `emit()` resolves; only then is the queue told.
 * A crash after that loses nothing: the rows are the queue's source of truth.
 */

import { validateNow } from "../catalog/catalog.ts";
import type { EmitInput, EmitOptions, EmitResult, EventCatalog, IdGenerator, Logger } from "../contracts.ts";
import { HooklineError, ValidationError } from "../errors.ts";
import { plainJsonCopy } from "../model/json.ts";
import type { Delivery, JsonValue, Message, Subscription } from "../model/types.ts";
import type { Queue, QueueJob } from "../queue/types.ts";
import type { Store } from "../store/types.ts";
import { newDelivery } from "./new-delivery.ts";

/** What emit needs; `createHookline()` supplies it. */
export interface EmitterOptions {
  store: Store;
  queue: Queue;
  /** Validates payloads; `null` accepts any JSON payload of any type. */
  catalog: EventCatalog | null;
  ids: IdGenerator;
  logger: Logger;
  now?: () => Date;
}

/** The emit side of hookline. */
export interface Emitter {
  /** Validates, writes message + deliveries atomically, then schedules them. */
  emit(input: EmitInput, opts?: EmitOptions): Promise<EmitResult>;
  /**
   * Creates fresh deliveries of a stored message (replay), to every subscription that matches it now or to
   * one subscription. Throws `not_found` when the message does not exist.
   */
  redeliver(tenant: string, messageId: string, opts?: { subscriptionId?: string }): Promise<Delivery[]>;
  /** Tells the queue about deliveries that are now committed (after a host transaction commits). */
  schedule(deliveries: readonly Delivery[]): Promise<void>;
}

const DONE: Promise<void> = Promise.resolve();

/** Whether a validation answered with a promise (a JSON payload never has a `then` function). */
const isPromise = (v: JsonValue | PromiseLike<JsonValue>): v is PromiseLike<JsonValue> =>
  typeof (v as { then?: unknown } | null)?.then === "function";
const NO_OPTIONS: EmitOptions = Object.freeze({});

/** A pending delivery of `message` to `sub`. */
function deliveryFor(message: Message, sub: Subscription, id: string, at: Date): Delivery {
  return newDelivery(
    { id, tenant: message.tenant, messageId: message.id, subscriptionId: sub.id, eventType: message.type },
    at,
  );
}

/** The queue job of a delivery row. */
export function jobOf(delivery: Delivery): QueueJob {
  return {
    deliveryId: delivery.id,
    tenant: delivery.tenant,
    subscriptionId: delivery.subscriptionId,
    messageId: delivery.messageId,
    runAt: delivery.nextAttemptAt ?? delivery.createdAt,
  };
}

/** Creates the emitter. */
export function createEmitter(options: EmitterOptions): Emitter {
  const { store, queue, catalog, ids, logger } = options;
  const now = options.now ?? (() => new Date());

  function schedule(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return DONE;
    // The rows are committed: if the queue cannot be told, a store-polling queue (or the next sweep) still
    // finds them.
    const failed = (error: unknown) =>
      logger.warn({ err: error, count: deliveries.length }, "[hookline] queue.schedule failed after emit");
    try {
      return Promise.resolve(queue.schedule(deliveries.map(jobOf))).then(undefined, failed);
    } catch (error) {
      failed(error);
      return DONE;
    }
  }

  /** An id from the generator, awaited only when it answers with a promise (the default answers at once). */
  function idOf(kind: "message" | "delivery", store: Store, tenant: string): string | Promise<string> {
    return ids(kind, { store, tenant });
  }

  function targets(tx: Store, message: Message, subscriptionId?: string): Promise<Subscription[]> {
    if (subscriptionId === undefined) return tx.matchSubscriptions(message.tenant, message.type);
    return tx.getSubscription(message.tenant, subscriptionId).then((sub) => {
      if (sub === null) {
        throw new HooklineError("not_found", `[hookline] subscription ${subscriptionId} not found`);
      }
      return [sub];
    });
  }

  /**
   * One new delivery per subscription. Synchronous while the id generator is (the default is); a promise
   * only for a generator that answers with promises.
   */
  function newDeliveries(
    tx: Store,
    message: Message,
    subs: readonly Subscription[],
  ): Delivery[] | Promise<Delivery[]> {
    const at = now();
    const deliveries: Delivery[] = [];
    for (let i = 0; i < subs.length; i++) {
      const id = idOf("delivery", tx, message.tenant);
      if (typeof id !== "string") return newDeliveriesAsync(tx, message, subs, at, deliveries, i, id);
      deliveries.push(deliveryFor(message, subs[i]!, id, at));
    }
    return deliveries;
  }

  async function newDeliveriesAsync(
    tx: Store,
    message: Message,
    subs: readonly Subscription[],
    at: Date,
    deliveries: Delivery[],
    from: number,
    pending: Promise<string>,
  ): Promise<Delivery[]> {
    deliveries.push(deliveryFor(message, subs[from]!, await pending, at));
    for (let i = from + 1; i < subs.length; i++) {
      deliveries.push(deliveryFor(message, subs[i]!, await idOf("delivery", tx, message.tenant), at));
    }
    return deliveries;
  }

  async function insertDeliveries(tx: Store, message: Message, subs: readonly Subscription[]) {
    if (subs.length === 0) return [];
    let deliveries = newDeliveries(tx, message, subs);
    if (!Array.isArray(deliveries)) deliveries = await deliveries;
    await tx.insertDeliveries(deliveries);
    return deliveries;
  }

  return {
    schedule,

    async emit(input: EmitInput, opts: EmitOptions = NO_OPTIONS): Promise<EmitResult> {
      assertInput(input);
      // Validated without a promise when the catalog can (the built-in one, no schema or a synchronous one).
      let data = catalog ? validateNow(catalog, input.type, input.data) : toJson(input.data);
      if (isPromise(data)) data = await data;
      const at = now();
      let id = input.id ?? idOf("message", store, input.tenant);
      if (typeof id !== "string") id = await id;
      const draft: Message = {
        id,
        tenant: input.tenant,
        type: input.type,
        data,
        timestamp: input.timestamp ?? at,
        resourceId: input.resourceId ?? null,
        createdAt: at,
      };
      const write = async (tx: Store): Promise<EmitResult> => {
        const { inserted, message } = await tx.insertMessage(draft);
        if (!inserted) return { message, deliveries: [], duplicate: true };
        const subs = await targets(tx, message, opts.subscriptionId);
        if (subs.length === 0) return { message, deliveries: [], duplicate: false };
        let deliveries = newDeliveries(tx, message, subs);
        if (!Array.isArray(deliveries)) deliveries = await deliveries;
        await tx.insertDeliveries(deliveries);
        return { message, deliveries, duplicate: false };
      };
      if (opts.tx !== undefined) {
        // Inside the host's transaction the commit happens later, in the host's code: the queue cannot be
        // told now (a job might run before the rows are visible). The store-polling queue finds the rows on
        // its next poll; call `schedule(result.deliveries)` after the commit to wake it at once.
        return write(store.withHostTransaction(opts.tx));
      }
      const result = await store.transaction(write);
      await schedule(result.deliveries);
      return result;
    },

    async redeliver(tenant, messageId, opts = {}) {
      const deliveries = await store.transaction(async (tx) => {
        const message = await tx.getMessage(tenant, messageId);
        if (message === null)
          throw new HooklineError("not_found", `[hookline] message ${messageId} not found`);
        return insertDeliveries(tx, message, await targets(tx, message, opts.subscriptionId));
      });
      await schedule(deliveries);
      return deliveries;
    },
  };
}

function assertInput(input: EmitInput): void {
  const badType = typeof input.type !== "string" || input.type === "";
  const badTenant = typeof input.tenant !== "string" || input.tenant === "";
  const badId = input.id !== undefined && (typeof input.id !== "string" || input.id === "");
  if (!badType && !badTenant && !badId) return; // the usual case: no list of issues to build
  const issues = [];
  if (badType) issues.push({ field: "type", message: "must be a non-empty string", code: "required" });
  if (badTenant) issues.push({ field: "tenant", message: "must be a non-empty string", code: "required" });
  if (badId) issues.push({ field: "id", message: "must be a non-empty string", code: "invalid" });
  throw new ValidationError("[hookline] invalid emit input", issues);
}

/** Without a catalog the payload must still be JSON: normalised as by a round trip. */
function toJson(data: unknown): JsonValue {
  const plain = plainJsonCopy(data);
  if (plain !== undefined) return plain;
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (error) {
    throw new ValidationError("[hookline] payload is not JSON-serialisable", [
      { field: "data", message: String(error), code: "invalid_json" },
    ]);
  }
  if (text === undefined) {
    throw new ValidationError("[hookline] payload is required", [
      { field: "data", message: "must be a JSON value", code: "required" },
    ]);
  }
  return JSON.parse(text) as JsonValue;
}
