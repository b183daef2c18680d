export { type MemoryDedupeStoreOptions, memoryDedupeStore } from "./dedupe-memory.ts";
export { type MemoryStoreOptions, memoryStore } from "./memory.ts";
export type * from "./types.ts";
