/**
 * The delivery service: read the delivery log, retry one delivery, recover failed ones, send a test event,
 * replay a message. The HTTP API's delivery routes call it.
 */

import { matchesEventType } from "../catalog/match.ts";
import type {
  DeliveryService,
  EmitResult,
  EventCatalog,
  ListDeliveriesInput,
  SubscriptionService,
} from "../contracts.ts";
import { HooklineError, ValidationError } from "../errors.ts";
import type { Attempt, Delivery, Page } from "../model/types.ts";
import type { Queue } from "../queue/types.ts";
import type { Store } from "../store/types.ts";
import { type Emitter, jobOf } from "./emit.ts";

/** {@link DeliveryService} plus message replay. */
export interface HooklineDeliveryService extends DeliveryService {
  /**
   * Delivers a stored message again, as new deliveries: to every subscription that matches it now, or to
   * one. The message keeps its id (receivers deduplicate on it). Throws `not_found`.
   */
  replay(tenant: string, messageId: string, opts?: { subscriptionId?: string }): Promise<Delivery[]>;
}

/** What the service is built from. */
export interface DeliveryServiceOptions {
  store: Store;
  queue: Queue;
  emitter: Emitter;
  subscriptions: Pick<SubscriptionService, "get">;
  catalog: EventCatalog | null;
  now?: () => Date;
}

const MAX_LIMIT = 100;

/** Creates the delivery service. */
export function createDeliveryService(options: DeliveryServiceOptions): HooklineDeliveryService {
  const { store, queue, emitter, catalog } = options;
  const now = options.now ?? (() => new Date());

  async function mustGet(tenant: string, id: string): Promise<Delivery> {
    const delivery = await store.getDelivery(tenant, id);
    if (delivery === null) throw new HooklineError("not_found", `[hookline] delivery ${id} not found`);
    return delivery;
  }

  return {
    async list(tenant: string, query: ListDeliveriesInput = {}): Promise<Page<Delivery>> {
      const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(query.limit ?? 50)));
      return store.listDeliveries(tenant, { ...query, limit });
    },

    get: mustGet,

    async attempts(tenant: string, deliveryId: string): Promise<Attempt[]> {
      await mustGet(tenant, deliveryId);
      return store.listAttempts(tenant, deliveryId);
    },

    async retry(tenant, deliveryId) {
      const current = await mustGet(tenant, deliveryId);
      if (current.status === "delivering") return current;
      const at = now();
      const updated = await store.updateDelivery(
        tenant,
        deliveryId,
        { status: "pending", nextAttemptAt: at, leaseUntil: null, completedAt: null, updatedAt: at },
        { expectStatus: current.status },
      );
      // Lost a race with a worker: the delivery is already moving.
      const delivery = updated ?? (await mustGet(tenant, deliveryId));
      if (delivery.status === "pending") await queue.schedule([jobOf(delivery)]);
      return delivery;
    },

    async recover(tenant, opts) {
      const count = await store.requeueFailedDeliveries(tenant, { ...opts, now: now() });
      if (count > 0) {
        // Tell the queue about every requeued row, a bounded page at a time (scheduling twice is harmless).
        let cursor: string | null = null;
        do {
          const page: Page<Delivery> = await store.listDeliveries(tenant, {
            status: "pending",
            since: opts.since,
            subscriptionId: opts.subscriptionId,
            limit: 1000,
            cursor,
          });
          await queue.schedule(page.items.map(jobOf));
          cursor = page.nextCursor;
        } while (cursor !== null);
      }
      return count;
    },

    async sendTest(tenant, subscriptionId, opts = {}): Promise<EmitResult> {
      const sub = await options.subscriptions.get(tenant, subscriptionId);
      const info = catalog?.list() ?? [];
      const type =
        opts.type ?? info.find((t) => sub.eventTypes.some((p) => matchesEventType(p, t.name)))?.name ?? null;
      if (type === null) {
        throw new ValidationError("[hookline] no event type to send a test of", [
          {
            field: "type",
            message: "the subscription matches no catalog event type; name one",
            code: "required",
          },
        ]);
      }
      const data = opts.data ?? info.find((t) => t.name === type)?.example ?? {};
      return emitter.emit({ type, tenant, data }, { subscriptionId });
    },

    replay(tenant, messageId, opts) {
      return emitter.redeliver(tenant, messageId, opts);
    },
  };
}
