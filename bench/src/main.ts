/**
 * `pnpm bench [--quick] [name-prefix]`: discovers `src/suites/*.ts`, runs the suites whose name (or whose
 * result names) start with the prefix, prints a markdown table and writes `bench/results.json`.
 * Benchmarks never fail the build: a suite that throws becomes a row with `value: null` and the error as note.
 */
import { readdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchContext, BenchResult, BenchSuite } from "./harness.ts";

const suitesDir = new URL("./suites/", import.meta.url);
const resultsFile = new URL("../results.json", import.meta.url);

interface Args {
  quick: boolean;
  prefix: string;
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let prefix = "";
  for (const a of argv) {
    if (a === "--quick") quick = true;
    else if (a === "--") continue;
    else if (a.startsWith("-")) throw new Error(`unknown option ${a} (usage: pnpm bench [--quick] [prefix])`);
    else prefix = a;
  }
  return { quick, prefix };
}

function isSuite(x: unknown): x is BenchSuite {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as BenchSuite).name === "string" &&
    typeof (x as BenchSuite).run === "function"
  );
}

async function loadSuites(): Promise<{ file: string; suite: BenchSuite | null; error?: unknown }[]> {
  const files = (await readdir(fileURLToPath(suitesDir)))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
    .sort();
  const out: { file: string; suite: BenchSuite | null; error?: unknown }[] = [];
  for (const file of files) {
    try {
      const mod: { default?: unknown } = await import(
        pathToFileURL(fileURLToPath(new URL(file, suitesDir))).href
      );
      if (!isSuite(mod.default)) throw new Error("does not default-export defineSuite({ name, run })");
      out.push({ file, suite: mod.default });
    } catch (error) {
      out.push({ file, suite: null, error });
    }
  }
  return out;
}

function errorNote(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error);
  return `could not run: ${msg.split("\n")[0]}`;
}

/** Time-like units are "lower is better" when a target bounds the value directly (no baseline). */
function lowerIsBetter(unit: string): boolean {
  return /\b(ms|s|µs|us|ns)\b|latency|p50|p99/i.test(unit);
}

function verdict(r: BenchResult): string {
  if (r.target == null || r.value == null) return "";
  if (r.ratio != null) return r.ratio >= r.target ? "✓" : "✗";
  if (r.baseline) return "";
  return (lowerIsBetter(r.unit) ? r.value <= r.target : r.value >= r.target) ? "✓" : "✗";
}

function fmt(n: number | null | undefined, digits = 0): string {
  if (n == null) return "—";
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function formatValue(n: number | null): string {
  if (n == null) return "—";
  return Math.abs(n) >= 100 ? fmt(n) : fmt(n, 2);
}

function cell(s: string): string {
  return s.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The markdown table of BENCH.md: name, value, unit, baseline, ratio, target, ✓/✗ (and notes). */
function renderTable(results: readonly BenchResult[]): string {
  const lines = [
    "| name | value | unit | baseline | ratio | target | ✓/✗ | note |",
    "| --- | ---: | --- | --- | ---: | ---: | :-: | --- |",
  ];
  for (const r of results) {
    const base = r.baseline ? `${r.baseline.name} (${formatValue(r.baseline.value)})` : "";
    const ratio = r.ratio == null ? "" : `${fmt(r.ratio, 2)}×`;
    const target = r.target == null ? "" : r.baseline ? `≥ ${fmt(r.target, 2)}×` : formatValue(r.target);
    lines.push(
      `| ${cell(r.name)} | ${formatValue(r.value)} | ${cell(r.unit)} | ${cell(base)} | ${ratio} | ${target} | ${verdict(r)} | ${cell(r.note ?? "")} |`,
    );
  }
  return lines.join("\n");
}

/** Longest a suite may run before it becomes a "could not run" row: 3 min quick, 15 min full. */
function suiteTimeLimitMs(quick: boolean): number {
  const fromEnv = Number(process.env["BENCH_SUITE_TIMEOUT_MS"]);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  return quick ? 3 * 60_000 : 15 * 60_000;
}

/** `work`, or a rejection once `ms` have passed (a hung suite must not hold up the others). */
async function withTimeLimit<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`suite ${name} did not finish within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const limitMs = suiteTimeLimitMs(args.quick);
  const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  const ctx: BenchContext = { quick: args.quick, log };
  const loaded = await loadSuites();
  // A prefix that names suites runs those whole; otherwise every suite runs and rows are filtered by name.
  const bySuiteName = loaded.filter((l) => l.suite?.name.startsWith(args.prefix));
  const selected = args.prefix === "" || bySuiteName.length === 0 ? loaded : bySuiteName;
  const keepRow = (r: BenchResult, suiteMatched: boolean) => suiteMatched || r.name.startsWith(args.prefix);

  const results: BenchResult[] = [];
  for (const { file, suite, error } of selected) {
    if (suite === null) {
      results.push({ name: file.replace(/\.ts$/, ""), unit: "", value: null, note: errorNote(error) });
      continue;
    }
    const suiteMatched = suite.name.startsWith(args.prefix);
    log(`${suite.name}${args.quick ? " (quick)" : ""}…`);
    try {
      const rows = await withTimeLimit(suite.run(ctx), limitMs, suite.name);
      results.push(...rows.filter((r) => keepRow(r, suiteMatched)));
    } catch (err) {
      results.push({ name: suite.name, unit: "", value: null, note: errorNote(err) });
    }
  }

  const cpuList = cpus();
  const report = {
    machine: {
      node: process.version,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model.trim() ?? "unknown",
      at: new Date().toISOString(),
    },
    quick: args.quick,
    results,
  };
  await writeFile(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${renderTable(results)}\n\n`);
  log(`wrote ${fileURLToPath(resultsFile)} (${results.length} rows)`);
}

await main();
// A suite that timed out may still hold sockets or timers open: the run is over, so end the process.
process.exit(0);
