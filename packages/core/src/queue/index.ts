export * from "./memory.ts";
export type * from "./types.ts";
