/**
 * OpenTelemetry instrumentation of delivery through `@opentelemetry/api`: one span per attempt, counters for
 * deliveries and attempts, a histogram of attempt latency and an observable gauge of queue depth. All of it
 * is a no-op unless the host installs an OpenTelemetry SDK.
 */
import {
  type Attributes,
  metrics,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { AttemptErrorKind, DeliveryMethod } from "../model/types.ts";

/** Instrumentation scope name of every span and instrument hookline creates. */
export const INSTRUMENTATION_NAME = "@hookline/core";

/** What one attempt span is about. */
export interface AttemptSpanInfo {
  tenant: string;
  deliveryId: string;
  messageId: string;
  subscriptionId: string;
  eventType: string;
  attempt: number;
  method: DeliveryMethod;
  url: string;
}

/** What an attempt ended with. */
export interface AttemptOutcome {
  status: number | null;
  errorKind: AttemptErrorKind | null;
  durationMs: number;
  /** `succeed`, `retry`, `fail`, `disable`. */
  decision: string;
}

/** The instruments of the delivery pipeline. */
export interface DeliveryTelemetry {
  /** Runs `fn` inside an attempt span; `fn` reports the outcome through the callback it is handed. */
  attempt<T>(info: AttemptSpanInfo, fn: (end: (outcome: AttemptOutcome) => void) => Promise<T>): Promise<T>;
  /**
   * Whether attempts are traced ({@link tracingInstalled}). When not, a caller may skip {@link attempt} (whose
   * span would be a non-recording one) and report the outcome with {@link measure}.
   */
  tracing(): boolean;
  /** Feeds the attempt metrics (counter and latency) with an attempt's outcome, as `attempt`'s `end` does. */
  measure(eventType: string, outcome: AttemptOutcome): void;
  /** A delivery reached a final state. */
  delivered(outcome: "succeeded" | "failed", eventType: string): void;
  /** Registers the queue-depth gauge; returns a function that unregisters it. */
  observeDepth(read: () => Promise<number | null>): () => void;
}

/** Most event types whose attribute sets are kept per instrument and outcome; past it the cache restarts. */
const ATTRIBUTE_CACHE_LIMIT = 1024;

/**
 * Whether a tracer provider is installed. Without one, `trace.getTracerProvider()` is the API's own proxy
 * provider with no delegate, and every tracer it hands out is a no-op. The answer is read per attempt, so a
 * provider registered after `createHookline()` is used from its next attempt on.
 */
export function tracingInstalled(): boolean {
  const provider = trace.getTracerProvider();
  // The proxy is deprecated for SDK authors, not for this check: it is what the API returns until an SDK
  // registers a provider (with `trace.setGlobalTracerProvider`, which also becomes the proxy's delegate).
  return (
    !(provider instanceof ProxyTracerProvider) ||
    provider.getDelegateTracer(INSTRUMENTATION_NAME) !== undefined
  );
}

/** `make(eventType)`, made once per event type (a bounded memo: past its size it restarts). */
function attributeCache(make: (eventType: string) => Attributes): (eventType: string) => Attributes {
  const cache = new Map<string, Attributes>();
  return (eventType) => {
    let attrs = cache.get(eventType);
    if (attrs === undefined) {
      attrs = make(eventType);
      if (cache.size >= ATTRIBUTE_CACHE_LIMIT) cache.clear();
      cache.set(eventType, attrs);
    }
    return attrs;
  };
}

/** Creates the instruments (looked up through the global providers at call time). */
export function createDeliveryTelemetry(): DeliveryTelemetry {
  const meter = metrics.getMeter(INSTRUMENTATION_NAME);
  const attempts = meter.createCounter("hookline.delivery.attempts", {
    description: "HTTP attempts made, by outcome",
  });
  const deliveries = meter.createCounter("hookline.deliveries", {
    description: "Deliveries that reached a final state, by outcome",
  });
  const latency = meter.createHistogram("hookline.delivery.attempt.duration", {
    description: "Duration of one delivery attempt",
    unit: "ms",
  });
  const depth = meter.createObservableGauge("hookline.queue.depth", {
    description: "Deliveries waiting to be attempted",
  });

  /**
   * Attribute sets of the counters and the latency histogram, one object per event type and outcome, never
   * changed once made (instruments only read them): no object is built per attempt.
   */
  const attemptSuccess = attributeCache((eventType) => ({
    "hookline.event.type": eventType,
    "hookline.outcome": "success",
  }));
  const attemptFailure = attributeCache((eventType) => ({
    "hookline.event.type": eventType,
    "hookline.outcome": "failure",
  }));
  const deliverySucceeded = attributeCache((eventType) => ({
    "hookline.outcome": "succeeded",
    "hookline.event.type": eventType,
  }));
  const deliveryFailed = attributeCache((eventType) => ({
    "hookline.outcome": "failed",
    "hookline.event.type": eventType,
  }));
  const measure = (eventType: string, outcome: AttemptOutcome): boolean => {
    const ok = outcome.decision === "succeed";
    const attrs = (ok ? attemptSuccess : attemptFailure)(eventType);
    attempts.add(1, attrs);
    latency.record(outcome.durationMs, attrs);
    return ok;
  };

  return {
    attempt(info, fn) {
      if (!tracingInstalled()) {
        // No tracer provider: a span would be a non-recording one that nothing reads. Skip building it (its
        // attributes, context and closures); the metrics are still fed.
        return fn((outcome) => {
          measure(info.eventType, outcome);
        });
      }
      const tracer = trace.getTracer(INSTRUMENTATION_NAME);
      return tracer.startActiveSpan(
        `webhook ${info.method}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            "http.request.method": info.method,
            "url.full": info.url,
            "hookline.tenant": info.tenant,
            "hookline.delivery.id": info.deliveryId,
            "hookline.message.id": info.messageId,
            "hookline.subscription.id": info.subscriptionId,
            "hookline.event.type": info.eventType,
            "hookline.attempt": info.attempt,
          },
        },
        async (span: Span) => {
          try {
            return await fn((outcome) => {
              if (outcome.status !== null) span.setAttribute("http.response.status_code", outcome.status);
              if (outcome.errorKind !== null) span.setAttribute("error.type", outcome.errorKind);
              span.setAttribute("hookline.decision", outcome.decision);
              const ok = measure(info.eventType, outcome);
              span.setStatus({ code: ok ? SpanStatusCode.OK : SpanStatusCode.ERROR });
            });
          } catch (error) {
            span.recordException(error instanceof Error ? error : String(error));
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        },
      );
    },
    tracing: tracingInstalled,
    measure(eventType, outcome) {
      measure(eventType, outcome);
    },
    delivered(outcome, eventType) {
      deliveries.add(1, (outcome === "succeeded" ? deliverySucceeded : deliveryFailed)(eventType));
    },
    observeDepth(read) {
      const callback = async (result: { observe(value: number): void }) => {
        const value = await read().catch(() => null);
        if (value !== null) result.observe(value);
      };
      depth.addCallback(callback);
      return () => depth.removeCallback(callback);
    },
  };
}
