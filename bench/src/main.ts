/**
 * `pnpm bench [--quick] [name-prefix]`: discovers `src/suites/*.ts` (a suite is named after its file), runs
 * the suites whose name (or whose result names) start with the prefix, prints a markdown table and writes
 * `bench/results.json`. Each suite runs in a process of its own (this file with `--suite <file>`): a suite
 * measured in a process that had loaded every other suite's libraries (Fastify, Express, BullMQ, pg, Stripe,
 * …) carried their heap and compiled code, and delivery.memory read 0.46× there against 0.62× alone.
 * Benchmarks never fail the build: a suite that throws becomes a row with `value: null` and the error as note.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BenchContext, type BenchResult, type BenchSuite, handedOver, handOver } from "./harness.ts";

const suitesDir = new URL("./suites/", import.meta.url);
const resultsFile = new URL("../results.json", import.meta.url);

interface Args {
  quick: boolean;
  prefix: string;
  /** Set in a suite's own process: the one suite file to run. */
  suite: string | null;
}

function parseArgs(argv: readonly string[]): Args {
  let quick = false;
  let prefix = "";
  let suite: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--suite") suite = argv[++i] ?? null;
    else if (a === "--") continue;
    else if (a.startsWith("-")) throw new Error(`unknown option ${a} (usage: pnpm bench [--quick] [prefix])`);
    else prefix = a;
  }
  return { quick, prefix, suite };
}

function isSuite(x: unknown): x is BenchSuite {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as BenchSuite).name === "string" &&
    typeof (x as BenchSuite).run === "function"
  );
}

/** The suite files, in name order. */
async function suiteFiles(): Promise<string[]> {
  return (await readdir(fileURLToPath(suitesDir)))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
    .sort();
}

/** In a suite's own process: loads the one file, runs it, and hands the rows to the parent on stdout. */
async function runSuiteHere(file: string, ctx: BenchContext): Promise<void> {
  let rows: BenchResult[];
  try {
    const mod: { default?: unknown } = await import(
      pathToFileURL(fileURLToPath(new URL(file, suitesDir))).href
    );
    if (!isSuite(mod.default)) throw new Error("does not default-export defineSuite({ name, run })");
    rows = await mod.default.run(ctx);
  } catch (error) {
    rows = [{ name: file.replace(/\.ts$/, ""), unit: "", value: null, note: errorNote(error) }];
  }
  handOver(rows);
}

/** Runs one suite file in a child process, within `limitMs`; its rows, or one "could not run" row. */
async function runSuiteInChild(file: string, quick: boolean, limitMs: number): Promise<BenchResult[]> {
  const name = file.replace(/\.ts$/, "");
  const self = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    [...process.execArgv, self, "--suite", file, ...(quick ? ["--quick"] : [])],
    // Its own process group, so a suite that overruns is killed with the worker processes it started.
    { stdio: ["ignore", "pipe", "inherit"], detached: true },
  );
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const killGroup = () => {
    try {
      process.kill(-(child.pid ?? 0), "SIGKILL");
    } catch {
      // already gone
    }
  };
  // Ctrl-C reaches only the foreground group: take the suite's group down with this process.
  const interrupted = () => {
    killGroup();
    process.exit(130);
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  const timer = setTimeout(killGroup, limitMs);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
  const rows = handedOver<BenchResult[]>(out);
  if (rows === undefined) {
    const why =
      code === null ? `did not finish within ${limitMs / 1000}s` : `its process exited with ${code}`;
    return [{ name, unit: "", value: null, note: `could not run: ${why}` }];
  }
  return rows;
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  const ctx: BenchContext = { quick: args.quick, log };
  if (args.suite !== null) return runSuiteHere(args.suite, ctx);

  const limitMs = suiteTimeLimitMs(args.quick);
  const files = await suiteFiles();
  const nameOf = (file: string) => file.replace(/\.ts$/, "");
  // A prefix that names suites runs those whole; otherwise every suite runs and rows are filtered by name.
  const bySuiteName = files.filter((f) => nameOf(f).startsWith(args.prefix));
  const selected = args.prefix === "" || bySuiteName.length === 0 ? files : bySuiteName;

  const results: BenchResult[] = [];
  for (const file of selected) {
    const suiteMatched = nameOf(file).startsWith(args.prefix);
    log(`${nameOf(file)}${args.quick ? " (quick)" : ""}…`);
    const rows = await runSuiteInChild(file, args.quick, limitMs);
    results.push(...rows.filter((r) => suiteMatched || r.name.startsWith(args.prefix)));
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
// A suite's process may still hold sockets or timers open once its rows are out: the run is over, so end it.
process.exit(0);
