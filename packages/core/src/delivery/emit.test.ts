// emit() on its own: ids from synchronous and asynchronous generators, payload normalisation, and a queue
// that cannot be told.
import { describe, expect, it } from "vitest";
import type { IdGenerator, Logger } from "../contracts.ts";
import type { Queue, QueueJob } from "../queue/types.ts";
import { memoryStore } from "../store/memory.ts";
import { fixtureSubscription } from "../testing/store-suite.ts";
import { createEmitter } from "./emit.ts";

function fakeQueue(schedule: (jobs: readonly QueueJob[]) => Promise<void>): Queue {
  return {
    name: "fake",
    schedule,
    start: async () => {},
    depth: async () => null,
    close: async () => {},
  };
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

async function setup(ids: IdGenerator, schedule = async (_jobs: readonly QueueJob[]) => {}) {
  const store = memoryStore();
  const subs = [];
  for (const id of ["s1", "s2", "s3"]) {
    subs.push(await store.createSubscription(fixtureSubscription("t", { id, eventTypes: ["*"] })));
  }
  const warnings: unknown[] = [];
  const logger: Logger = { ...silent, warn: (obj) => warnings.push(obj) };
  const emitter = createEmitter({ store, queue: fakeQueue(schedule), catalog: null, ids, logger });
  return { store, emitter, warnings };
}

describe("emit", () => {
  it("takes ids from a generator that answers with promises, in subscription order", async () => {
    let n = 0;
    const { store, emitter } = await setup(async (kind) => `${kind}-${++n}`);
    const { message, deliveries } = await emitter.emit({ type: "a.b", tenant: "t", data: { x: 1 } });
    expect(message.id).toBe("message-1");
    expect(deliveries.map((d) => [d.id, d.subscriptionId])).toEqual([
      ["delivery-2", "s1"],
      ["delivery-3", "s2"],
      ["delivery-4", "s3"],
    ]);
    for (const d of deliveries) expect(await store.getDelivery("t", d.id)).toEqual(d);
  });

  it("takes ids from a generator that answers at once for some and with promises for others", async () => {
    let n = 0;
    const { store, emitter } = await setup((kind) => {
      n++;
      return n % 2 === 0 ? `${kind}-${n}` : Promise.resolve(`${kind}-${n}`);
    });
    const { message, deliveries } = await emitter.emit({ type: "a.b", tenant: "t", data: null });
    expect(message.id).toBe("message-1");
    expect(deliveries.map((d) => d.id)).toEqual(["delivery-2", "delivery-3", "delivery-4"]);
    expect((await store.listDeliveries("t", { limit: 10 })).items).toHaveLength(3);
  });

  it("stores the payload as its JSON value, never the caller's objects", async () => {
    let n = 0;
    const { store, emitter } = await setup(() => `id-${++n}`);
    const data = { nested: { list: [1, { y: 2 }] }, when: new Date(0), gone: undefined };
    const { message } = await emitter.emit({ type: "a.b", tenant: "t", data });
    expect(message.data).toEqual({ nested: { list: [1, { y: 2 }] }, when: "1970-01-01T00:00:00.000Z" });
    const plain = { nested: { list: [1, { y: 2 }] } };
    const second = await emitter.emit({ type: "a.b", tenant: "t", data: plain });
    plain.nested.list.push(3);
    expect((await store.getMessage("t", second.message.id))?.data).toEqual({
      nested: { list: [1, { y: 2 }] },
    });
    expect(second.message.data).toEqual({ nested: { list: [1, { y: 2 }] } });
  });

  it("resolves with the committed rows when the queue refuses the wake-up, and logs it", async () => {
    let n = 0;
    const refusing = async () => {
      throw new Error("queue down");
    };
    const { store, emitter, warnings } = await setup(() => `id-${++n}`, refusing);
    const { deliveries } = await emitter.emit({ type: "a.b", tenant: "t", data: {} });
    expect(deliveries).toHaveLength(3);
    expect(await store.getDelivery("t", deliveries[0]!.id)).not.toBeNull();
    expect(warnings).toEqual([{ err: new Error("queue down"), count: 3 }]);

    const throwing = () => {
      throw new Error("queue broken");
    };
    const broken = await setup(() => `id-${++n}`, throwing as unknown as () => Promise<void>);
    await broken.emitter.emit({ type: "a.b", tenant: "t", data: {} });
    expect(broken.warnings).toEqual([{ err: new Error("queue broken"), count: 3 }]);
  });
});
