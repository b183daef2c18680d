/**
 * The setup the createHookline() end-to-end tests share: one loopback receiver per file, hookline instances
 * that allow-list 127.0.0.1 with a fast retry schedule and are closed after each test, and a bounded poll of
 * a delivery's state.
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import { createHookline, type Hookline, type HooklineOptions } from "../../src/hookline.ts";
import type { Delivery } from "../../src/model/types.ts";
import type { Store } from "../../src/store/types.ts";
import { createReceiver, type Receiver } from "./receiver.ts";

/** Options of {@link useLoopbackHookline}. */
export interface LoopbackHooklineOptions {
  /** Runs after each test before its hookline instances close (e.g. to release a hung response). */
  beforeReset?(): void;
}

/** What {@link useLoopbackHookline} gives a test file. */
export interface LoopbackHookline {
  /** The file's receiver (listening from `beforeAll`; emptied and answering 200 again after each test). */
  receiver: Receiver;
  /** A hookline instance delivering to loopback (retries after 0, 30, 30 ms unless `options` say otherwise). */
  make(options?: HooklineOptions): Hookline;
  /** Closes `hookline` after the current test, like the instances of `make()`; returns it. */
  track(hookline: Hookline): Hookline;
}

/** Registers the file's hooks (call at the top level of a test file). */
export function useLoopbackHookline(opts: LoopbackHooklineOptions = {}): LoopbackHookline {
  const receiver = createReceiver();
  beforeAll(() => receiver.listen());
  afterAll(() => receiver.close());

  const open: Hookline[] = [];
  afterEach(async () => {
    opts.beforeReset?.();
    for (const h of open.splice(0)) await h.close({ timeoutMs: 2000 });
    receiver.received.length = 0;
    receiver.respond = () => 200;
  });

  const track = (hookline: Hookline) => {
    open.push(hookline);
    return hookline;
  };
  return {
    receiver,
    track,
    make: (options = {}) =>
      track(
        createHookline({
          ...options,
          delivery: { ssrf: { allow: ["127.0.0.1"] }, retrySchedule: [0, 30, 30], ...options.delivery },
        }),
      ),
  };
}

/** Polls (bounded, ~5 s) until the stored delivery passes `check`, and returns it. */
export async function deliveryWhen(
  store: Store,
  d: Delivery,
  check: (d: Delivery) => boolean,
): Promise<Delivery> {
  for (let i = 0; i < 500; i++) {
    const now = await store.getDelivery(d.tenant, d.id);
    if (now && check(now)) return now;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`delivery ${d.id} never reached the expected state`);
}

/** Whether a delivery is final (succeeded or failed). */
export const isFinal = (d: Delivery) => d.status === "succeeded" || d.status === "failed";
