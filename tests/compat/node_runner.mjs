// Node runner for the compatibility corpus: a stand-in for `airlock --json FILE`
// until the C runtime exists.
//   node tests/compat/node_runner.mjs [--no-lib] [--lib DIR] FILE.py
// Prints exactly one JSON object of the same shape as `airlock --json`.
import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import url from "url";

const here = path.dirname(url.fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
let libDir = path.join(root, "guests", "micropython", "lib");
// The host's source rewriter as a filter (tests/rewrite/driver.c, built by make test).
const rewriteDriver = process.env.AIRLOCK_REWRITE_DRIVER || path.join(root, "build", "tests", "rewrite_driver");
let useLib = true;
let file = null;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--no-lib") useLib = false;
  else if (args[i] === "--lib") libDir = args[++i];
  else file = args[i];
}
if (!file) {
  process.stderr.write("usage: node_runner.mjs [--no-lib] [--lib DIR] FILE.py\n");
  process.exit(2);
}
const guest = process.env.AIRLOCK_GUEST_MJS ||
  path.join(root, "build", "guest", "package", "micropython.mjs");
const { loadMicroPython } = await import(url.pathToFileURL(guest).href);

let stdout = [];
let stderr = [];
const t0 = performance.now();
const mp = await loadMicroPython({
  stdout: (b) => stdout.push(Buffer.from(b)),
  stderr: (b) => stderr.push(Buffer.from(b)),
  linebuffer: false,
});

function copyTree(src, dst) {
  try { mp.FS.mkdir(dst); } catch (e) { /* exists */ }
  for (const ent of fs.readdirSync(src, { withFileTypes: true })) {
    if (ent.name.startsWith(".") || ent.name === "__pycache__") continue;
    const s = path.join(src, ent.name), d = dst + "/" + ent.name;
    if (ent.isDirectory()) copyTree(s, d);
    else if (ent.name.endsWith(".py")) mp.FS.writeFile(d, fs.readFileSync(s));
  }
}

function splitError(e) {
  // PythonError: e.type is the class name, e.message the traceback text.
  const tb = String(e.message || "");
  const lines = tb.replace(/\s+$/, "").split("\n");
  let last = lines[lines.length - 1] || "";
  let msg = last;
  const pre = e.type + ": ";
  if (last.startsWith(pre)) msg = last.slice(pre.length);
  else if (last === e.type) msg = "";
  return { type: e.type, message: msg, traceback: tb };
}

const stats = {};
let setupError = null;
if (useLib && fs.existsSync(libDir)) {
  copyTree(libDir, "/lib");
  if (fs.existsSync(path.join(libDir, "_airlock_site.py"))) {
    const s0 = performance.now();
    try {
      mp.runPython("import _airlock_site");
    } catch (e) {
      if (e.name !== "PythonError") throw e;
      setupError = splitError(e);
    }
    stats.site_ms = +(performance.now() - s0).toFixed(2);
  }
}
stdout = [];
stderr = [];
let src = fs.readFileSync(file, "utf8");
let error = setupError;
const r0 = performance.now();
if (!error) {
  try {
    if (useLib && process.env.AIRLOCK_NO_REWRITE !== "1" && fs.existsSync(rewriteDriver)) {
      // As airlock does: the host rewrites the source before the guest sees it.
      const bytes = Buffer.from(src, "utf8");
      const frame = Buffer.alloc(4);
      frame.writeUInt32LE(bytes.length);
      const out = spawnSync(rewriteDriver, { input: Buffer.concat([frame, bytes]) }).stdout;
      src = out.subarray(4, 4 + out.readUInt32LE(0)).toString("utf8");
      if (process.env.AIRLOCK_SHOW_REWRITE) process.stderr.write(src);
    }
    mp.runPython(src);
  } catch (e) {
    if (e.name !== "PythonError") {
      error = { type: "HostError", message: String(e), traceback: String(e.stack) };
    } else {
      error = splitError(e);
    }
  }
}
stats.wall_ms = +(performance.now() - r0).toFixed(2);
stats.total_ms = +(performance.now() - t0).toFixed(2);
const out = {
  ok: error === null,
  stdout: Buffer.concat(stdout).toString("utf8"),
  stderr: Buffer.concat(stderr).toString("utf8"),
  result: null,
  error,
  limit: null,
  stats,
};
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
