/**
 * OpenTelemetry: with a (fake) tracer and meter provider registered globally, every attempt is a span with
 * the delivery's attributes, and the counters, the latency histogram and the depth gauge are fed.
 */
import { type Meter, metrics, type Tracer, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDeliveryTelemetry } from "../src/delivery/observability.ts";
import { memoryStore } from "../src/store/memory.ts";
import { createPipeline } from "./support/pipeline.ts";
import { type Receiver, startReceiver } from "./support/receiver.ts";
import { subscriptionRow } from "./support/subscription.ts";

interface FakeSpan {
  name: string;
  attributes: Record<string, unknown>;
  status: number | null;
  ended: boolean;
}

const spans: FakeSpan[] = [];
const recorded: Array<{ instrument: string; value: number; attributes: Record<string, unknown> }> = [];
const gaugeCallbacks: Array<(r: { observe(v: number): void }) => Promise<void>> = [];

function startSpan(name: string, options: { attributes?: Record<string, unknown> } = {}) {
  const span: FakeSpan = { name, attributes: { ...options.attributes }, status: null, ended: false };
  spans.push(span);
  return {
    setAttribute(key: string, value: unknown) {
      span.attributes[key] = value;
    },
    setStatus(s: { code: number }) {
      span.status = s.code;
    },
    recordException() {},
    end() {
      span.ended = true;
    },
  };
}

const fakeTracer = {
  startSpan,
  startActiveSpan(
    name: string,
    options: { attributes?: Record<string, unknown> },
    fn: (span: unknown) => unknown,
  ) {
    return fn(startSpan(name, options));
  },
} as unknown as Tracer;

const instrument = (name: string) => ({
  add: (value: number, attributes: Record<string, unknown> = {}) =>
    recorded.push({ instrument: name, value, attributes }),
  record: (value: number, attributes: Record<string, unknown> = {}) =>
    recorded.push({ instrument: name, value, attributes }),
  addCallback: (cb: (typeof gaugeCallbacks)[number]) => gaugeCallbacks.push(cb),
  removeCallback: (cb: (typeof gaugeCallbacks)[number]) =>
    gaugeCallbacks.splice(gaugeCallbacks.indexOf(cb), 1),
});

const fakeMeter = {
  createCounter: instrument,
  createHistogram: instrument,
  createObservableGauge: instrument,
} as unknown as Meter;

let receiver: Receiver;
beforeAll(async () => {
  trace.setGlobalTracerProvider({ getTracer: () => fakeTracer });
  metrics.setGlobalMeterProvider({ getMeter: () => fakeMeter });
  receiver = await startReceiver();
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  await receiver.close();
});

it("records a span per attempt, the attempt and delivery counters and the latency histogram", async () => {
  const store = memoryStore();
  await store.createSubscription(subscriptionRow({ url: `${receiver.url}/otel` }));
  receiver.respond = (_r, i) => (i === 0 ? 503 : 200);
  const pipeline = createPipeline(store);
  await pipeline.start();
  try {
    const { deliveries } = await pipeline.emit({ type: "otel.test", tenant: "t1", data: {} });
    await receiver.waitFor(2);
    for (
      let i = 0;
      i < 200 && recorded.filter((r) => r.instrument === "hookline.deliveries").length === 0;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const attemptSpans = spans.filter((s) => s.attributes["hookline.delivery.id"] === deliveries[0]!.id);
    expect(attemptSpans).toHaveLength(2);
    expect(attemptSpans.every((s) => s.ended && s.name === "webhook POST")).toBe(true);
    expect(attemptSpans.map((s) => s.attributes["http.response.status_code"])).toEqual([503, 200]);
    expect(attemptSpans.map((s) => s.attributes["hookline.attempt"])).toEqual([1, 2]);
    const attempts = recorded.filter((r) => r.instrument === "hookline.delivery.attempts");
    expect(attempts.map((r) => r.attributes["hookline.outcome"])).toEqual(["failure", "success"]);
    expect(recorded.filter((r) => r.instrument === "hookline.delivery.attempt.duration")).toHaveLength(2);
    const finals = recorded.filter((r) => r.instrument === "hookline.deliveries");
    expect(finals.map((r) => r.attributes["hookline.outcome"])).toEqual(["succeeded"]);
  } finally {
    await pipeline.close();
  }
});

it("reports the queue depth through an observable gauge until unregistered", async () => {
  const telemetry = createDeliveryTelemetry();
  const stop = telemetry.observeDepth(async () => 7);
  const seen: number[] = [];
  for (const cb of gaugeCallbacks) await cb({ observe: (v) => seen.push(v) });
  expect(seen).toEqual([7]);
  stop();
  expect(gaugeCallbacks).toHaveLength(0);
});

it("without a tracer provider, measures every attempt without a span (the worker's untraced path)", async () => {
  trace.disable();
  const store = memoryStore();
  await store.createSubscription(subscriptionRow({ url: `${receiver.url}/untraced` }));
  let answered = 0;
  receiver.respond = () => (answered++ === 0 ? 500 : 204);
  const pipeline = createPipeline(store);
  const before = recorded.length;
  const spansBefore = spans.length;
  await pipeline.start();
  try {
    await pipeline.emit({ type: "otel.untraced", tenant: "t1", data: {} });
    const ours = () =>
      recorded.slice(before).filter((r) => r.attributes["hookline.event.type"] === "otel.untraced");
    for (let i = 0; i < 200 && !ours().some((r) => r.instrument === "hookline.deliveries"); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const attempts = ours().filter((r) => r.instrument === "hookline.delivery.attempts");
    expect(attempts.map((r) => r.attributes["hookline.outcome"])).toEqual(["failure", "success"]);
    expect(ours().filter((r) => r.instrument === "hookline.delivery.attempt.duration")).toHaveLength(2);
    expect(spans).toHaveLength(spansBefore);
  } finally {
    await pipeline.close();
    trace.setGlobalTracerProvider({ getTracer: () => fakeTracer });
  }
});
