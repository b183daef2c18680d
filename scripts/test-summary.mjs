// Prints one plain closing line for the whole run ("N passed, N failed, N skipped"), read from vitest's JSON
// report. A test file that failed outside any test (an import error, a failing hook) counts as one failure.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(new URL("../test-results/vitest.json", import.meta.url), "utf8"));
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed"),
).length;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed, ${skipped} skipped`,
);
if (report.numTotalTests === 0) {
  console.error("[hookline] no test ran");
  process.exit(1);
}
