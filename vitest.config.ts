import { defineConfig } from "vitest/config";

// One root config, one project per package. Tests run against source through the `source` export condition.
const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, root, include: ["src/**/*.test.ts", "test/**/*.test.ts"], ...extra },
});

export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      project("core", "packages/core"),
      project("node", "packages/node"),
      project("express", "packages/express"),
      project("koa", "packages/koa"),
      project("fastify", "packages/fastify"),
      project("h3", "packages/h3"),
      project("store-sql", "packages/store-sql", { fileParallelism: false }),
      project("queue-bullmq", "packages/queue-bullmq", { fileParallelism: false }),
      project("adapters", "tests/adapters"),
      project("portal", "tests/portal"),
      project("examples", "examples", { include: ["*/test/**/*.test.ts"] }),
    ],
  },
});
