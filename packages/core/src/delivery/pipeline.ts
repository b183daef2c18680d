/**
 * The delivery top level: emit, worker, delivery service and telemetry. `createHookline()` wires them; the
 * public pieces are re-exported here.
 */
export { createDeliveryTelemetry, type DeliveryTelemetry, INSTRUMENTATION_NAME } from "./observability.ts";
export type { DeliveryServiceOptions, HooklineDeliveryService } from "./service.ts";
