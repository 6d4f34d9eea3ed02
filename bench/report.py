"""report.py - assemble airlock's benchmark table from one run's raw results.

    python3 bench/report.py RESULTS_DIR

RESULTS_DIR (written by bench/run.sh) holds:
  results.tsv   lines from the harnesses, tab-separated:
                  S impl metric unit v1,v2,...   samples (merged per impl+metric)
                  R ...                           summaries (ignored: recomputed)
                  N impl metric text              why a figure is missing
                  M key value                     machine and version facts
  cold-*.json   hyperfine --export-json files (impl = the part after "cold-")
  timeout.json  hyperfine file of `airlock --timeout 1` on an infinite loop
Prints the table and the targets of issues 2, 3, 8 and 14 with PASS/MISS.
"""
import json
import os
import re
import sys
from collections import OrderedDict

NAMES = {
    "airlock": "airlock",
    "airlock-fuel": "airlock (metered, default)",
    "airlock-nofuel": "airlock, unmetered build",
    "airlock-cpython": "airlock, CPython guest (in-process, src/guests/cpython)",
    "python3": "python3 (CPython, no isolation)",
    "cpython": "CPython in-process (no isolation)",
    "node-micropython": "Node + micropython.mjs (same guest)",
    "node-pyodide": "Node + Pyodide",
    "bwrap": "bwrap + python3",
}


def load(d):
    samples, notes, machine = {}, {}, OrderedDict()
    with open(os.path.join(d, "results.tsv")) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] == "S" and len(p) == 5:
                vals = [float(x) for x in p[4].split(",") if x]
                samples.setdefault((p[1], p[2]), {"unit": p[3], "v": []})["v"].extend(vals)
            elif p[0] == "N" and len(p) >= 4:
                notes[(p[1], p[2])] = p[3]
            elif p[0] == "M" and len(p) >= 3:
                machine[p[1]] = p[2]
    # "idle100" -> metric "idle" with the count kept; "idle100_anon" likewise.
    for (impl, metric) in list(samples):
        m = re.match(r"idle(\d+)(_anon)?$", metric)
        if m:
            e = samples.pop((impl, metric))
            e["count"] = int(m.group(1))
            samples[(impl, "idle" + (m.group(2) or ""))] = e
    for (impl, metric) in list(notes):
        m = re.match(r"idle(\d+)(_anon)?$", metric)
        if m:
            notes[(impl, "idle" + (m.group(2) or ""))] = notes.pop((impl, metric))
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(d, name)) as f:
            try:
                res = json.load(f)["results"][0]
            except (ValueError, KeyError, IndexError):
                continue
        key = name[:-5]
        impl, metric = (key[5:], "cold") if key.startswith("cold-") else ("airlock", key)
        samples[(impl, metric)] = {"unit": "us", "v": [t * 1e6 for t in res["times"]],
                                   "exit_codes": res.get("exit_codes", [])}
    return samples, notes, machine


def stats(entry):
    v = sorted(entry["v"])
    n = len(v)
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return {"n": n, "median": med, "min": v[0], "max": v[-1], "unit": entry["unit"]}


def fmt(x, unit):
    if unit == "faults":
        return "%.1f faults" % x if x < 100 else "%.0f faults" % x
    if unit == "KiB":
        return "%.0f KiB" % x if x < 10240 else "%.1f MiB" % (x / 1024)
    if x < 1000:
        return "%.1f us" % x if x < 100 else "%.0f us" % x
    if x < 1e6:
        return "%.2f ms" % (x / 1e3) if x < 1e4 else "%.1f ms" % (x / 1e3)
    return "%.2f s" % (x / 1e6)


def ratio_text(r):
    if r is None:
        return ""
    if r >= 100:
        return "%.0fx" % r
    return "%.2fx" % r if r < 10 else "%.1fx" % r


# (section title, airlock reference (impl, metric), rows: (label, impl, metric, what))
SECTIONS = [
    ("Cold process: print(1+1), process start to exit (hyperfine)", ("airlock", "cold"), [
        ("airlock -c", "airlock", "cold", ""),
        ("airlock --guest cpython -c", "airlock-cpython", "cold", "from the build-time snapshot"),
        ("python3 -c", "python3", "cold", ""),
        ("node micropython.mjs", "node-micropython", "cold", "import + loadMicroPython + run"),
        ("node pyodide.mjs", "node-pyodide", "cold", "import + loadPyodide + run"),
        ("bwrap python3 -c", "bwrap", "cold", "--unshare-all, read-only /"),
    ]),
    ("Fresh sandbox in-process, ready to execute", ("airlock", "new"), [
        ("airlock new + free", "airlock", "new", "airlock_sandbox_new + airlock_sandbox_free"),
        ("airlock new + exec + free", "airlock", "new_exec", "+ first exec of x = 1 + 1"),
        ("new loadMicroPython()", "node-micropython", "fresh", "module imported once"),
        ("airlock CPython fresh + free", "airlock-cpython", "fresh", "CoW view of the booted snapshot"),
        ("airlock CPython fresh + exec + free", "airlock-cpython", "fresh_exec", "+ first exec of x = 1 + 1"),
        ("airlock CPython new + free", "airlock-cpython", "sandbox", "airlock_sandbox_new + free, CPython guest"),
        ("airlock CPython new + exec + free", "airlock-cpython", "sandbox_exec", "+ first exec of x = 1 + 1"),
        ("new loadPyodide()", "node-pyodide", "fresh_kept", "module imported once"),
        ("CPython subinterpreter", "cpython", "subinterp", "_xxsubinterpreters create + destroy"),
        ("CPython exec, new dict", "cpython", "dict_exec", "exec('x = 1 + 1', {}): no isolation"),
    ]),
    ("Small exec in a running sandbox", ("airlock", "exec"), [
        ("airlock exec x = 1 + 1", "airlock", "exec", "through the C API"),
        ("airlock exec print(1+1)", "airlock", "exec_print", "output captured"),
        ("airlock exec x = 1, repeated", "airlock", "exec_small", "same sandbox, median per exec"),
        ("  page faults per exec", "airlock", "exec_small_faults", "perf software counter, incl. signals"),
    ]),
    ("CLI run with a session: airlock --session s.bin -c 'x.append(1)' (child process)",
     ("airlock", "cli_nosession"), [
        ("airlock --session", "airlock", "session_cli", "cpu = child user + system (wait4)"),
        ("  page faults", "airlock", "session_cli_faults", "child minor + major faults"),
        ("airlock -c 'x = [1]'", "airlock", "cli_nosession", "the same run without a session"),
        ("  page faults", "airlock", "cli_nosession_faults", ""),
    ]),
    ("fib(27), recursive, in a running sandbox", ("airlock", "fib"), [
        ("airlock", "airlock", "fib", ""),
        ("airlock, metered (fuel runs)", "airlock-fuel", "fib", "interleaved with the next row"),
        ("airlock, unmetered build", "airlock-nofuel", "fib", "airlock-patch --no-fuel"),
        ("Node + micropython.mjs", "node-micropython", "fib", "same guest wasm"),
        ("Node + Pyodide", "node-pyodide", "fib", ""),
        ("airlock, CPython guest", "airlock-cpython", "fib", "same interpreter as Pyodide"),
        ("CPython in-process", "cpython", "fib", "native, no isolation"),
    ]),
    ("3,000,000-iteration arithmetic loop", ("airlock", "loop"), [
        ("airlock", "airlock", "loop", ""),
        ("Node + micropython.mjs", "node-micropython", "loop", ""),
        ("Node + Pyodide", "node-pyodide", "loop", ""),
        ("CPython in-process", "cpython", "loop", ""),
    ]),
    ("json.dumps + json.loads of 20,000 dicts", ("airlock", "json"), [
        ("airlock", "airlock", "json", ""),
        ("Node + micropython.mjs", "node-micropython", "json", ""),
        ("Node + Pyodide", "node-pyodide", "json", ""),
        ("airlock, CPython guest", "airlock-cpython", "json", "same interpreter as Pyodide"),
        ("CPython in-process", "cpython", "json", ""),
    ]),
    ("json.loads of records: 8 KB, 64 KB, 1 MB (scaling: the sizes are 1 : 8 : 128)",
     ("airlock", "json_loads_8k"), [
        ("airlock, 8 KB", "airlock", "json_loads_8k", ""),
        ("airlock, 64 KB", "airlock", "json_loads_64k", "linear: cpu about 8x the 8 KB row"),
        ("airlock, 1 MB", "airlock", "json_loads_1m", "linear: cpu about 128x the 8 KB row"),
        ("CPython in-process, 8 KB", "cpython", "json_loads_8k", ""),
        ("CPython in-process, 64 KB", "cpython", "json_loads_64k", ""),
        ("CPython in-process, 1 MB", "cpython", "json_loads_1m", ""),
    ]),
    ("Memoised Collatz search: a dict of 43,000 int keys", ("airlock", "collatz"), [
        ("airlock", "airlock", "collatz", ""),
        ("Node + micropython.mjs", "node-micropython", "collatz", "same guest, unpatched"),
        ("CPython in-process", "cpython", "collatz", ""),
    ]),
    ("Dicts: 100,000 consecutive int keys; 40,000 scattered int keys; 40,000 str keys",
     ("airlock", "dict_consecutive"), [
        ("airlock, consecutive", "airlock", "dict_consecutive", "fill, then read back"),
        ("airlock, scattered", "airlock", "dict_random", "fill, read back, 40,000 misses"),
        ("airlock, str keys", "airlock", "dict_str", "fill, then read back"),
        ("Node + micropython.mjs, consec.", "node-micropython", "dict_consecutive", "same guest, unpatched"),
        ("Node + micropython.mjs, scatt.", "node-micropython", "dict_random", ""),
        ("Node + micropython.mjs, str", "node-micropython", "dict_str", ""),
        ("CPython, consecutive", "cpython", "dict_consecutive", ""),
        ("CPython, scattered", "cpython", "dict_random", ""),
        ("CPython, str keys", "cpython", "dict_str", ""),
    ]),
    ("Build a 1 MB string and search it", ("airlock", "str"), [
        ("airlock", "airlock", "str", ""),
        ("Node + micropython.mjs", "node-micropython", "str", ""),
        ("Node + Pyodide", "node-pyodide", "str", ""),
        ("airlock, CPython guest", "airlock-cpython", "str", "same interpreter as Pyodide"),
        ("CPython in-process", "cpython", "str", ""),
    ]),
    ("Source rewriter, on the host before the source enters the guest", ("airlock", "rewrite_50k"), [
        ("rewrite 5 KB", "airlock", "rewrite_5k", "agent-style source"),
        ("rewrite 50 KB", "airlock", "rewrite_50k", ""),
        ("rewrite 250 KB", "airlock", "rewrite_250k", "the largest source it rewrites"),
        ("50 KB, nothing to rewrite", "airlock", "rewrite_none50k", "the one-scan pre-check only"),
    ]),
    ("Host function round trip, 10,000 calls", None, [
        ("airlock", "airlock", "hostcall", "MicroPython guest: the js bridge's slot"),
        ("airlock, CPython guest", "airlock-cpython", "hostcall", "the host-call device (descriptor 63)"),
    ]),
    ("Resident memory per idle session (N sessions in one process)", ("airlock", "idle"), [
        ("airlock, N sandboxes", "airlock", "idle", "statm resident growth / N"),
        ("airlock, N (RssAnon)", "airlock", "idle_anon", "private pages only"),
        ("airlock CPython, N sandboxes", "airlock-cpython", "idle", "statm resident growth / N"),
        ("airlock CPython, N (RssAnon)", "airlock-cpython", "idle_anon", "private pages only"),
        ("Node + micropython.mjs, N", "node-micropython", "idle", "process RSS growth / N"),
        ("Node + Pyodide, N", "node-pyodide", "idle", "few: seconds and ~100 MB each"),
        ("CPython, N subinterpreters", "cpython", "idle", "statm resident growth / N"),
    ]),
    ("Wall-clock limit: airlock --timeout 1 on while True: pass", ("airlock", "timeout"), [
        ("airlock --timeout 1", "airlock", "timeout", "process start to exit"),
    ]),
]

PENDING = {}


def table(samples, notes):
    out = []
    hdr = "%-30s %11s %23s %5s %11s %9s  %s" % ("", "median", "min - max", "runs", "cpu median",
                                                "/airlock", "what")
    for title, ref, rows in SECTIONS:
        out.append("")
        out.append(title)
        out.append(hdr)
        refmed = stats(samples[ref])["median"] if ref and ref in samples else None
        for label, impl, metric, what in rows:
            key = (impl, metric)
            if key not in samples:
                why = notes.get(key) or PENDING.get(key) or "not measured in this run"
                out.append("  %-28s %s" % (label, why))
                continue
            s = stats(samples[key])
            cpu = samples.get((impl, metric + ".cpu"))
            cputxt = fmt(stats(cpu)["median"], "us") if cpu else ""
            same_unit = ref in samples and samples[ref]["unit"] == s["unit"]
            r = s["median"] / refmed if refmed and same_unit else None
            runs = s["n"]
            if s["unit"] == "KiB":
                rng, runs = "", "1"
                label = label.replace(", N", ", %s" % samples[key].get("count", "?"), 1)
            else:
                rng = "%s - %s" % (fmt(s["min"], s["unit"]), fmt(s["max"], s["unit"]))
            out.append("  %-28s %11s %23s %5s %11s %9s  %s" % (
                label, fmt(s["median"], s["unit"]), rng, runs, cputxt, ratio_text(r), what))
    return out


def med(samples, impl, metric):
    key = (impl, metric)
    return stats(samples[key])["median"] if key in samples else None


def targets(samples):
    """(issue, target, measured text, verdict)"""
    rows = []

    def add(issue, target, value, ok, detail):
        if value is None:
            rows.append((issue, target, "not measured", "n/a"))
        else:
            rows.append((issue, target, detail, "PASS" if ok else "MISS"))

    new = med(samples, "airlock", "new")
    cold_a, cold_p = med(samples, "airlock", "cold"), med(samples, "python3", "cold")
    fib_a, fib_c = med(samples, "airlock", "fib"), med(samples, "cpython", "fib")
    fib_ac, fib_cc = med(samples, "airlock", "fib.cpu"), med(samples, "cpython", "fib.cpu")
    fib_n = med(samples, "node-micropython", "fib")
    fresh_n = med(samples, "node-micropython", "fresh")
    fuel_m, fuel_u = med(samples, "airlock-fuel", "fib.cpu"), med(samples, "airlock-nofuel", "fib.cpu")
    fuel_mw, fuel_uw = med(samples, "airlock-fuel", "fib"), med(samples, "airlock-nofuel", "fib")
    idle = med(samples, "airlock", "idle")
    idle_n = samples.get(("airlock", "idle"), {}).get("count")
    tmo = samples.get(("airlock", "timeout"))

    def over(x, limit):
        return "" if x <= limit else ", %.0f%% over the target" % ((x / limit - 1) * 100)

    cpu_note = ""
    if fib_ac and fib_cc:
        cpu_note = "; by thread CPU time %.2fx" % (fib_ac / fib_cc)

    add(2, "fresh sandbox <= 1 ms median", new, new is not None and new <= 1000,
        new is not None and "%s%s" % (fmt(new, "us"), over(new, 1000)))
    add(2, "cold airlock -c faster than python3 -c", cold_a and cold_p,
        cold_a and cold_p and cold_a < cold_p,
        cold_a and cold_p and "%s vs %s (%.2fx faster)" % (fmt(cold_a, "us"), fmt(cold_p, "us"), cold_p / cold_a))
    add(2, "fib(27) <= 3x CPython native", fib_a and fib_c, fib_a and fib_c and fib_a <= 3 * fib_c,
        fib_a and fib_c and "%s vs %s = %.2fx%s%s" % (fmt(fib_a, "us"), fmt(fib_c, "us"), fib_a / fib_c,
                                                     over(fib_a / fib_c, 3), cpu_note))
    add(3, "fresh sandbox from snapshot <= 50 us median", new, new is not None and new <= 50,
        new is not None and "%s%s" % (fmt(new, "us"), over(new, 50)))
    if fuel_m and fuel_u:
        ovh = fuel_m / fuel_u - 1
        wall = " (wall: %+.1f%%)" % ((fuel_mw / fuel_uw - 1) * 100) if fuel_mw and fuel_uw else ""
        add(3, "fuel overhead <= 10% on fib(27)", ovh, ovh <= 0.10,
            "%+.1f%% by thread CPU time, interleaved runs%s%s" % (ovh * 100, wall,
                                                                 "" if ovh <= 0.10 else ", %.1f points over" % ((ovh - 0.10) * 100)))
    else:
        add(3, "fuel overhead <= 10% on fib(27)", None, False, "")
    add(3, "100 idle sessions <= 1.5 MiB resident each", idle, idle is not None and idle <= 1536,
        idle is not None and "%s per session, %s sessions%s" % (fmt(idle, "KiB"), idle_n, over(idle, 1536)))
    if tmo:
        mx = max(tmo["v"])
        codes = sorted(set(tmo.get("exit_codes", [])))
        add(3, "--timeout 1 on an infinite loop ends within 1.2 s", mx, mx <= 1.2e6,
            "slowest of %d runs %s (exit status %s)%s" % (len(tmo["v"]), fmt(mx, "us"),
                                                          ",".join(map(str, codes)), over(mx, 1.2e6)))
    else:
        add(3, "--timeout 1 on an infinite loop ends within 1.2 s", None, False, "")
    add(8, "fresh sandbox >= 500x faster than a new loadMicroPython()", new and fresh_n,
        new and fresh_n and fresh_n / new >= 500,
        new and fresh_n and "%.0fx (%s vs %s)" % (fresh_n / new, fmt(new, "us"), fmt(fresh_n, "us")))
    add(8, "cold airlock -c >= 3x faster than python3 -c", cold_a and cold_p,
        cold_a and cold_p and cold_p / cold_a >= 3,
        cold_a and cold_p and "%.2fx faster%s" % (cold_p / cold_a,
                                                  "" if cold_p / cold_a >= 3 else " (needs 3x)"))
    add(8, "fib(27) >= 3x faster than the guest under Node", fib_a and fib_n,
        fib_a and fib_n and fib_n / fib_a >= 3,
        fib_a and fib_n and "%.2fx faster (%s vs %s)" % (fib_n / fib_a, fmt(fib_a, "us"), fmt(fib_n, "us")))
    add(8, "fib(27) <= 2x CPython native", fib_a and fib_c, fib_a and fib_c and fib_a <= 2 * fib_c,
        fib_a and fib_c and "%.2fx%s%s" % (fib_a / fib_c, over(fib_a / fib_c, 2), cpu_note))
    sess, sess_f = med(samples, "airlock", "session_cli.cpu"), med(samples, "airlock", "session_cli_faults")
    plain, plain_f = med(samples, "airlock", "cli_nosession.cpu"), med(samples, "airlock", "cli_nosession_faults")
    add(14, "airlock --session s.bin -c 'x.append(1)' <= 3 ms CPU", sess, sess is not None and sess <= 3000,
        sess is not None and "%s process CPU, %.0f faults (without a session: %s, %.0f faults)%s" % (
            fmt(sess, "us"), sess_f or 0, fmt(plain or 0, "us"), plain_f or 0, over(sess, 3000)))
    small, small_f = med(samples, "airlock", "exec_small"), med(samples, "airlock", "exec_small_faults")
    small_c = med(samples, "airlock", "exec_small.cpu")
    add(14, "small exec in a running sandbox <= 50 us median", small, small is not None and small <= 50,
        small is not None and "%s (cpu %s), %.1f page faults per exec%s" % (
            fmt(small, "us"), fmt(small_c or 0, "us"), small_f or 0, over(small, 50)))
    rw, rw_c = med(samples, "airlock", "rewrite_50k"), med(samples, "airlock", "rewrite_50k.cpu")
    add(14, "a 50 KB source rewritten in <= 5 ms", rw, rw is not None and rw <= 5000,
        rw is not None and "%s (thread CPU %s)%s" % (fmt(rw, "us"), fmt(rw_c or 0, "us"), over(rw, 5000)))
    for label, metric, limit in (("fib(27)", "fib", 2),
                                 ("json.dumps + json.loads of 20,000 dicts", "json", 5),
                                 ("1 MB string", "str", 3),
                                 ("Collatz, memo dict of 43,000 int keys", "collatz", 3)):
        a, c = med(samples, "airlock", metric + ".cpu"), med(samples, "cpython", metric + ".cpu")
        add(14, "%s <= %dx CPython (CPU time)" % (label, limit), a and c, a and c and a <= limit * c,
            a and c and "%s vs %s = %.2fx%s" % (fmt(a, "us"), fmt(c, "us"), a / c, over(a / c, limit)))
    # json.loads is linear: time per record at 1 MB within 2x of that at 8 KB
    small, big = med(samples, "airlock", "json_loads_8k.cpu"), med(samples, "airlock", "json_loads_1m.cpu")
    growth = big / small / (13107 / 102) if small and big else None
    add(14, "json.loads linear: 1 MB costs <= 2x per byte what 8 KB does", growth,
        growth is not None and growth <= 2,
        growth is not None and "%s for 8 KB, %s for 1 MB: %.2fx per byte" % (fmt(small, "us"), fmt(big, "us"),
                                                                            growth))
    fresh_py, first_py = med(samples, "airlock-cpython", "fresh"), med(samples, "airlock-cpython", "fresh_exec")
    add(11, "fresh CPython sandbox <= 1 ms median", fresh_py, fresh_py is not None and fresh_py <= 1000,
        fresh_py is not None and "%s%s" % (fmt(fresh_py, "us"), over(fresh_py, 1000)))
    add(11, "first x = 1 + 1 in a fresh CPython sandbox <= 2 ms", first_py, first_py is not None and first_py <= 2000,
        first_py is not None and "%s (fresh + exec + free)%s" % (fmt(first_py, "us"), over(first_py, 2000)))
    for label, metric in (("fib(27)", "fib"), ("json 20k dumps + loads", "json"), ("1 MB string", "str")):
        a, c = med(samples, "airlock-cpython", metric + ".cpu"), med(samples, "cpython", metric + ".cpu")
        add(11, "CPython guest %s <= 1.5x native CPython (CPU time)" % label, a and c, a and c and a <= 1.5 * c,
            a and c and "%s vs %s = %.2fx%s" % (fmt(a, "us"), fmt(c, "us"), a / c, over(a / c, 1.5)))
    cold_py = med(samples, "airlock-cpython", "cold")
    add(11, "cold airlock --guest cpython -c >= 1.5x faster than python3 -c", cold_py and cold_p,
        cold_py and cold_p and cold_p >= 1.5 * cold_py,
        cold_py and cold_p and "%s vs %s (%.2fx faster)" % (fmt(cold_py, "us"), fmt(cold_p, "us"), cold_p / cold_py))
    idle_py = med(samples, "airlock-cpython", "idle_anon")
    add(11, "100 idle CPython sessions <= 4 MiB private each", idle_py, idle_py is not None and idle_py <= 4096,
        idle_py is not None and "%s private (RssAnon) per session%s" % (fmt(idle_py, "KiB"), over(idle_py, 4096)))
    host = med(samples, "airlock", "hostcall")
    add(8, "host call round trip <= 2 us", host, host and host <= 2,
        host and "%s per call (noop(), 10,000 calls per run)" % fmt(host, "us"))
    host_py = med(samples, "airlock-cpython", "hostcall")
    add(11, "host call round trip <= 2 us, CPython guest", host_py, host_py and host_py <= 2,
        host_py and "%s per call (noop(), 10,000 calls per run)" % fmt(host_py, "us"))
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS_DIR")
    samples, notes, machine = load(sys.argv[1])
    print("airlock benchmark: medians of one run, min - max, number of runs")
    for k, v in machine.items():
        print("  %-12s %s" % (k + ":", v))
    print("  '/airlock' is that row's median divided by airlock's in the same section: above 1,")
    print("  airlock is faster (or smaller). 'cpu median' is CPU time (harness thread; whole")
    print("  process for Node), which other work on the machine inflates less than wall time.")
    for line in table(samples, notes):
        print(line)
    print("")
    print("Targets (issues 2, 3, 8, 14), judged on the wall-clock medians above unless stated")
    for issue, target, measured, verdict in targets(samples):
        print("  %-4s #%d  %-52s %s" % (verdict, issue, target, measured))


if __name__ == "__main__":
    main()
