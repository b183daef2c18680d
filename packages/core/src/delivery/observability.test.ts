/**
 * Telemetry without an OpenTelemetry SDK: attempts build no span (the API would hand out a no-op one) but
 * still feed the metrics, and a tracer provider registered later is used from the next attempt on.
 * (test/observability.test.ts covers the attributes of spans and instruments with a provider installed.)
 */
import { type Meter, metrics, type Tracer, trace } from "@opentelemetry/api";
import { afterEach, expect, it } from "vitest";
import { type AttemptSpanInfo, createDeliveryTelemetry, tracingInstalled } from "./observability.ts";

const info: AttemptSpanInfo = {
  tenant: "t1",
  deliveryId: "d1",
  messageId: "m1",
  subscriptionId: "s1",
  eventType: "invoice.paid",
  attempt: 1,
  method: "POST",
  url: "https://example.com/hook",
};

const recorded: Array<{ instrument: string; attributes: Record<string, unknown> }> = [];
const instrument = (name: string) => ({
  add: (_v: number, attributes: Record<string, unknown>) => recorded.push({ instrument: name, attributes }),
  record: (_v: number, attributes: Record<string, unknown>) =>
    recorded.push({ instrument: name, attributes }),
  addCallback() {},
  removeCallback() {},
});
const fakeMeter = {
  createCounter: instrument,
  createHistogram: instrument,
  createObservableGauge: instrument,
} as unknown as Meter;

afterEach(() => {
  trace.disable();
  metrics.disable();
  recorded.length = 0;
});

async function attempt(telemetry: ReturnType<typeof createDeliveryTelemetry>, decision: string) {
  return telemetry.attempt(info, async (end) => {
    end({ status: 204, errorKind: null, durationMs: 3, decision });
    return "sent";
  });
}

it("skips the span without a tracer provider, still feeds the metrics, and picks up a provider later", async () => {
  metrics.setGlobalMeterProvider({ getMeter: () => fakeMeter });
  const telemetry = createDeliveryTelemetry();
  expect(tracingInstalled()).toBe(false);
  expect(await attempt(telemetry, "succeed")).toBe("sent");
  expect(await attempt(telemetry, "succeed")).toBe("sent");
  expect(await attempt(telemetry, "retry")).toBe("sent");
  const counted = recorded.filter((r) => r.instrument === "hookline.delivery.attempts");
  expect(counted.map((r) => r.attributes)).toEqual([
    { "hookline.event.type": "invoice.paid", "hookline.outcome": "success" },
    { "hookline.event.type": "invoice.paid", "hookline.outcome": "success" },
    { "hookline.event.type": "invoice.paid", "hookline.outcome": "failure" },
  ]);
  // One attribute set per event type and outcome, made once.
  expect(counted[1]!.attributes).toBe(counted[0]!.attributes);
  expect(recorded.filter((r) => r.instrument === "hookline.delivery.attempt.duration")).toHaveLength(3);

  const spans: string[] = [];
  const tracer = {
    startActiveSpan(name: string, _opts: unknown, fn: (span: unknown) => unknown) {
      spans.push(name);
      return fn({ setAttribute() {}, setStatus() {}, recordException() {}, end() {} });
    },
  } as unknown as Tracer;
  trace.setGlobalTracerProvider({ getTracer: () => tracer });
  expect(tracingInstalled()).toBe(true);
  expect(await attempt(telemetry, "succeed")).toBe("sent");
  expect(spans).toEqual(["webhook POST"]);
});

it("reports delivered outcomes with one attribute set per outcome and event type", () => {
  metrics.setGlobalMeterProvider({ getMeter: () => fakeMeter });
  const telemetry = createDeliveryTelemetry();
  telemetry.delivered("succeeded", "a.b");
  telemetry.delivered("failed", "a.b");
  telemetry.delivered("succeeded", "a.b");
  const [first, second, third] = recorded.map((r) => r.attributes);
  expect([first, second]).toEqual([
    { "hookline.outcome": "succeeded", "hookline.event.type": "a.b" },
    { "hookline.outcome": "failed", "hookline.event.type": "a.b" },
  ]);
  expect(third).toBe(first);
});

it("tells whether attempts are traced, and measures an untraced attempt as `end` would", () => {
  metrics.setGlobalMeterProvider({ getMeter: () => fakeMeter });
  const telemetry = createDeliveryTelemetry();
  expect(telemetry.tracing()).toBe(false);
  telemetry.measure("invoice.paid", { status: 204, errorKind: null, durationMs: 3, decision: "succeed" });
  telemetry.measure("invoice.paid", {
    status: 500,
    errorKind: "http_status",
    durationMs: 4,
    decision: "retry",
  });
  expect(recorded.map((r) => [r.instrument, r.attributes["hookline.outcome"]])).toEqual([
    ["hookline.delivery.attempts", "success"],
    ["hookline.delivery.attempt.duration", "success"],
    ["hookline.delivery.attempts", "failure"],
    ["hookline.delivery.attempt.duration", "failure"],
  ]);
  trace.setGlobalTracerProvider({ getTracer: () => ({}) as unknown as Tracer });
  expect(telemetry.tracing()).toBe(true);
});
