/**
 * @hookline/core — webhooks for any HTTP API.
 *
 * Each area has its own barrel; this file only re-exports them.
 */
export * from "./catalog/index.ts";
export type * from "./contracts.ts";
export * from "./delivery/index.ts";
export * from "./errors.ts";
export * from "./hookline.ts";
export type * from "./model/types.ts";
export * from "./portal/index.ts";
export * from "./queue/index.ts";
export * from "./receiver/index.ts";
export * from "./router/index.ts";
export * from "./signing/index.ts";
export * from "./store/index.ts";
export * from "./subscriptions/index.ts";
