"""cpython_bench.py - CPython anchors of airlock's benchmark, in-process.

    python3 bench/cpython_bench.py [--impl NAME] [--reps N] [--max-seconds S]
                                   [--warmup N] [--min-reps N] COMMAND...

CPython runs natively with no isolation at all: this is the unsandboxed floor.
Commands, run in order in one process:
  subinterp       create + destroy a fresh subinterpreter (_xxsubinterpreters,
                  CPython 3.11: its own modules, builtins and __main__)
  subinterp-exec  create, run "x = 1 + 1" in it, destroy
  dict-exec       exec("x = 1 + 1") in a new globals dict (no isolation)
  workload FILE   same file format and timing as bench/harness.c; the set-up
                  and the timed part run by exec() in one globals dict
  idle N          N live subinterpreters that each ran "x = 1 + 1": growth of
                  /proc/self/statm resident memory per subinterpreter
Output: the same S/R lines as bench/harness.c (microseconds, KiB); timed
figures also as METRIC.cpu (CPU time of the thread, time.thread_time_ns).
"""
import gc
import os
import sys
import time

RUN_MARKER = "# --- run ---\n"
opts = {"impl": "cpython", "reps": 0, "max_seconds": 20.0, "warmup": 1, "min_reps": 3}


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def report(metric, unit, samples):
    print("\t".join(["S", opts["impl"], metric, unit, ",".join("%.3f" % x for x in samples)]))
    s = sorted(samples)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    print("\t".join(["R", opts["impl"], metric, unit, "n=%d" % n, "median=%.3f" % med,
                     "min=%.3f" % s[0], "max=%.3f" % s[-1]]))
    sys.stdout.flush()


def now_us():
    return time.perf_counter_ns() / 1000.0


def measure(metric, default_reps, fn):
    reps = opts["reps"] or default_reps
    for _ in range(opts["warmup"]):
        fn()
    samples, cpu = [], []
    started = now_us()
    while len(samples) < reps and not (len(samples) >= opts["min_reps"] and now_us() - started > opts["max_seconds"] * 1e6):
        c0 = time.thread_time_ns()
        t0 = now_us()
        fn()
        t1 = now_us()
        cpu.append((time.thread_time_ns() - c0) / 1000.0)
        samples.append(t1 - t0)
    report(metric, "us", samples)
    report(metric + ".cpu", "us", cpu)


def subinterpreters():
    try:
        import _xxsubinterpreters as interpreters  # CPython 3.11 and 3.12
    except ImportError:
        import _interpreters as interpreters  # CPython 3.13+
    return interpreters


def bench_subinterp(with_exec):
    interp = subinterpreters()

    def once():
        i = interp.create()
        if with_exec:
            interp.run_string(i, "x = 1 + 1")
        interp.destroy(i)

    measure("subinterp_exec" if with_exec else "subinterp", 200, once)


def bench_dict_exec():
    code = "x = 1 + 1"
    measure("dict_exec", 2000, lambda: exec(code, {}))


def bench_workload(path):
    with open(path) as f:
        src = f.read()
    setup, sep, body = src.partition(RUN_MARKER)
    if not sep:
        raise SystemExit("%s: no '# --- run ---' line" % path)
    name = os.path.basename(path).split(".")[0]
    g = {"__name__": "__main__"}
    exec(setup, g)
    code = compile(body, path, "exec")
    measure(name, 10, lambda: exec(code, g))


def statm_resident_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def bench_idle(count):
    interp = subinterpreters()
    warm = interp.create()
    interp.run_string(warm, "x = 1 + 1")
    interp.destroy(warm)
    gc.collect()
    rss0 = statm_resident_kib()
    keep = []
    for _ in range(count):
        i = interp.create()
        interp.run_string(i, "x = 1 + 1")
        keep.append(i)
    gc.collect()
    rss1 = statm_resident_kib()
    report("idle%d" % count, "KiB", [(rss1 - rss0) / count])
    for i in keep:
        interp.destroy(i)


def main(argv):
    i = 0
    while i < len(argv) and argv[i].startswith("--"):
        if i + 1 >= len(argv):
            usage()
        k, v = argv[i], argv[i + 1]
        if k == "--impl":
            opts["impl"] = v
        elif k == "--reps":
            opts["reps"] = int(v)
        elif k == "--max-seconds":
            opts["max_seconds"] = float(v)
        elif k == "--warmup":
            opts["warmup"] = int(v)
        elif k == "--min-reps":
            opts["min_reps"] = int(v)
        else:
            usage()
        i += 2
    if i >= len(argv):
        usage()
    while i < len(argv):
        cmd = argv[i]
        if cmd == "subinterp":
            bench_subinterp(False)
        elif cmd == "subinterp-exec":
            bench_subinterp(True)
        elif cmd == "dict-exec":
            bench_dict_exec()
        elif cmd == "workload" and i + 1 < len(argv):
            i += 1
            bench_workload(argv[i])
        elif cmd == "idle" and i + 1 < len(argv):
            i += 1
            bench_idle(int(argv[i]))
        else:
            usage()
        i += 1


if __name__ == "__main__":
    main(sys.argv[1:])
