export * from "./queue-suite.ts";
export * from "./rows.ts";
export * from "./store-suite.ts";
