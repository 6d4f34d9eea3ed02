// node_bench.mjs - the Node.js anchors of airlock's benchmark, in-process.
//
//   node --expose-gc bench/node_bench.mjs --impl micropython|pyodide
//        [--module PATH] [--reps N] [--max-seconds S] [--warmup N] [--min-reps N]
//        COMMAND...
//
// --module is micropython.mjs of the pinned guest package (impl micropython)
// or pyodide.mjs of the npm package (impl pyodide). The module is imported
// once; then the commands run in order:
//   cold            create one instance and run print(1 + 1) (for hyperfine)
//   fresh           time a new loadMicroPython()/loadPyodide() instance
//   workload FILE   same file format and timing as bench/harness.c: the
//                   set-up part once, then the part after "# --- run ---"
//                   timed with runPython() in the same instance
//   idle N          N instances kept alive, each ran "x = 1 + 1": growth of
//                   process RSS per instance (also emits each creation time
//                   as metric fresh_kept)
// Output: the same S/R lines as bench/harness.c (microseconds, KiB); workloads
// also as NAME.cpu (process CPU time, process.cpuUsage: includes V8's helper
// threads, so it can exceed wall time).
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { readFileSync } from "node:fs";

const RUN_MARKER = "# --- run ---\n";
const opts = { impl: "micropython", module: "", reps: 0, maxSeconds: 20, warmup: 1, minReps: 3 };
const argv = process.argv.slice(2);
let i = 0;
for (; i < argv.length && argv[i].startsWith("--"); i += 2) {
  const [k, v] = [argv[i], argv[i + 1]];
  if (v === undefined) usage();
  if (k === "--impl") opts.impl = v;
  else if (k === "--module") opts.module = v;
  else if (k === "--reps") opts.reps = Number(v);
  else if (k === "--max-seconds") opts.maxSeconds = Number(v);
  else if (k === "--warmup") opts.warmup = Number(v);
  else if (k === "--min-reps") opts.minReps = Number(v);
  else usage();
}
if (i >= argv.length || !["micropython", "pyodide"].includes(opts.impl) || !opts.module) usage();

function usage() {
  console.error("usage: node_bench.mjs --impl micropython|pyodide --module PATH [--reps N] " +
                "[--max-seconds S] [--warmup N] [--min-reps N] {cold | fresh | workload FILE | idle N}...");
  process.exit(2);
}

const label = opts.impl === "micropython" ? "node-micropython" : "node-pyodide";
const mod = await import(pathToFileURL(resolve(opts.module)).href);
const quiet = () => {};

// A new interpreter instance with a uniform runPython(code).
async function instance(printOut) {
  if (opts.impl === "micropython") {
    const mp = await mod.loadMicroPython({ stdout: printOut ? (s) => console.log(s) : quiet });
    return { run: (code) => mp.runPython(code) };
  }
  const py = await mod.loadPyodide({ stdout: printOut ? (s) => console.log(s) : quiet });
  return { run: (code) => py.runPython(code) };
}

function report(metric, unit, samples) {
  const fmt = (x) => x.toFixed(3);
  console.log(["S", label, metric, unit, samples.map(fmt).join(",")].join("\t"));
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const med = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  console.log(["R", label, metric, unit, `n=${n}`, `median=${fmt(med)}`, `min=${fmt(s[0])}`,
               `max=${fmt(s[n - 1])}`].join("\t"));
}

const nowUs = () => performance.now() * 1000;
const more = (samples, reps, started) =>
  samples.length < reps && !(samples.length >= opts.minReps && nowUs() - started > opts.maxSeconds * 1e6);

async function benchFresh() {
  const reps = opts.reps || 30;
  for (let w = 0; w < opts.warmup; w++) await instance(false);
  const samples = [];
  const started = nowUs();
  while (more(samples, reps, started)) {
    const t0 = nowUs();
    await instance(false);
    samples.push(nowUs() - t0);
  }
  report("fresh", "us", samples);
}

async function benchWorkload(path) {
  const src = readFileSync(path, "utf8");
  const at = src.indexOf(RUN_MARKER);
  if (at < 0) throw new Error(`${path}: no "# --- run ---" line`);
  const setup = src.slice(0, at), body = src.slice(at + RUN_MARKER.length);
  const name = path.split("/").pop().split(".")[0];
  const reps = opts.reps || 10;
  const inst = await instance(false);
  inst.run(setup);
  for (let w = 0; w < opts.warmup; w++) inst.run(body);
  const samples = [], cpu = [];
  const started = nowUs();
  while (more(samples, reps, started)) {
    const c0 = process.cpuUsage();
    const t0 = nowUs();
    inst.run(body);
    const t1 = nowUs();
    const c = process.cpuUsage(c0);
    cpu.push(c.user + c.system);
    samples.push(t1 - t0);
  }
  report(name, "us", samples);
  report(`${name}.cpu`, "us", cpu);
}

async function benchIdle(count) {
  await instance(false); // warm: everything loaded and compiled once
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const keep = [], created = [];
  for (let k = 0; k < count; k++) {
    const t0 = nowUs();
    const inst = await instance(false);
    created.push(nowUs() - t0);
    // With micropython.mjs only the newest instance's runPython is reliable
    // (its glue keeps per-realm globals), so each runs right after creation.
    inst.run("x = 1 + 1");
    keep.push(inst);
  }
  globalThis.gc?.();
  const rss1 = process.memoryUsage().rss;
  report(`idle${count}`, "KiB", [(rss1 - rss0) / 1024 / count]);
  report("fresh_kept", "us", created);
  if (keep.length !== count) throw new Error("lost an instance");
}

for (; i < argv.length; i++) {
  const cmd = argv[i];
  if (cmd === "cold") (await instance(true)).run("print(1 + 1)");
  else if (cmd === "fresh") await benchFresh();
  else if (cmd === "workload" && i + 1 < argv.length) await benchWorkload(argv[++i]);
  else if (cmd === "idle" && i + 1 < argv.length) await benchIdle(Number(argv[++i]));
  else usage();
}
