/**
 * @hookline/core/testing — the published conformance suites. A third-party store or queue driver runs the
 * same tests as hookline's own: `runStoreSuite(() => myStore())` inside a vitest file.
 */
export * from "./testing/index.ts";
