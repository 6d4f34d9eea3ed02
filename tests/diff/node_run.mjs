// Run ONE Python snippet on the pinned MicroPython WebAssembly guest under Node
// and print one JSON line: {"stdout": "...", "stderr": "...", "error_type": null | "ValueError", "error_message": ...}
//
// Usage: node tests/diff/node_run.mjs FILE.py [--package DIR]
// One snippet per Node process: the package keeps global state (globalThis.Module),
// so only one MicroPython instance per JS realm behaves correctly.
import { readFileSync } from "node:fs";
import { resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let file = null;
let pkgDir = process.env.AIRLOCK_GUEST_PACKAGE || resolve(here, "../../build/guest/package");
let heapsize = undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--package" && i + 1 < args.length) pkgDir = args[++i];
  else if (args[i] === "--heapsize" && i + 1 < args.length) heapsize = parseInt(args[++i], 10);
  else if (file === null) file = args[i];
  else {
    process.stderr.write(`node_run.mjs: unexpected argument ${args[i]}\n`);
    process.exit(2);
  }
}
if (file === null) {
  process.stderr.write("usage: node node_run.mjs FILE.py [--package DIR] [--heapsize BYTES]\n");
  process.exit(2);
}

const code = readFileSync(file, "utf8");
const { loadMicroPython } = await import(pathToFileURL(resolve(pkgDir, "micropython.mjs")).href);

const outBytes = [];
const errBytes = [];
const opts = {
  stdout: (chunk) => { for (const b of chunk) outBytes.push(b); },
  stderr: (chunk) => { for (const b of chunk) errBytes.push(b); },
  linebuffer: false,
};
if (heapsize !== undefined) opts.heapsize = heapsize;
const mp = await loadMicroPython(opts);

let errorType = null;
let errorMessage = null;
try {
  mp.runPython(code);
} catch (e) {
  if (e && e.name === "PythonError") {
    errorType = e.type;
    errorMessage = e.message;
  } else {
    // Not a Python exception: the guest itself failed (trap, abort, JS error).
    errorType = "<host:" + (e && e.name ? e.name : typeof e) + ">";
    errorMessage = String(e && e.message ? e.message : e);
  }
}

const dec = new TextDecoder();
const result = {
  stdout: dec.decode(new Uint8Array(outBytes)),
  stderr: dec.decode(new Uint8Array(errBytes)),
  error_type: errorType,
  error_message: errorMessage,
};
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(0);
