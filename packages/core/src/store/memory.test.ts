import { runStoreSuite } from "../testing/store-suite.ts";
import { memoryStore } from "./memory.ts";

runStoreSuite("memory", () => memoryStore());
