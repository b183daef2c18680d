export * from "./pipeline.ts";
export * from "./policy/index.ts";
export * from "./render/index.ts";
export * from "./transport/index.ts";
export type * from "./types.ts";
