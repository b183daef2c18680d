import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStoreSuite } from "@hookline/core/testing";
import { sqliteStore } from "@hookline/store-sql";
import { afterAll } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "hookline-suite-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreSuite("sqlite (file)", () => sqliteStore({ path: join(dir, `store-${++n}.db`) }));
runStoreSuite("sqlite (:memory:)", () => sqliteStore({ path: ":memory:" }));
