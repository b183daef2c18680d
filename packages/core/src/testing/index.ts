export * from "./queue-suite.ts";
export * from "./store-suite.ts";
