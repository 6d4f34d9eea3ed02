/*
 * options.c - command-line parsing and --help.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: airlock [options] [-c CODE | FILE | -]\n"
    "\n"
    "Run Python (MicroPython %s by default) in a sandbox that can reach nothing\n"
    "on this machine: no files, no network, no environment variables, no\n"
    "processes.\n"
    "\n"
    "  -c CODE             run CODE\n"
    "  FILE                run the Python file FILE\n"
    "  -                   run the program read from standard input\n"
    "  (nothing)           an interactive session, when stdin is a terminal\n"
    "\n"
    "Output:\n"
    "  --json              print exactly one JSON object describing the run:\n"
    "                      {\"ok\", \"stdout\", \"stderr\", \"result\", \"error\",\n"
    "                       \"limit\", \"stats\"}\n"
    "\n"
    "Guest:\n"
    "  --guest NAME        the interpreter: micropython (the default: small,\n"
    "                      fast to start, with a CPython compatibility layer)\n"
    "                      or cpython (CPython 3.14 and its standard library;\n"
    "                      no file grants or plugins yet)\n"
    "  --no-compat         run bare MicroPython, without airlock's CPython\n"
    "                      compatibility layer (extra modules, source rewrites);\n"
    "                      refused with --guest cpython, which has none\n"
    "\n"
    "State:\n"
    "  --session FILE      load the session in FILE if it exists, run, and save\n"
    "                      it back (atomically) if the run succeeded; a failed\n"
    "                      run leaves FILE as it was\n"
    "\n"
    "Limits (every run has them; sizes take K, M or G):\n"
    "  --memory SIZE       guest memory (default 256M)\n"
    "  --fuel N            stop after N units of work (an upper bound on the\n"
    "                      WebAssembly instructions run; default: unlimited)\n"
    "  --timeout SECONDS   stop after this much wall-clock time (default 30)\n"
    "  --max-output SIZE   bytes kept of stdout and of stderr (default 1M);\n"
    "                      the rest is dropped and reported as truncated\n"
    "  --output-stops      exceeding --max-output stops the run instead\n"
    "\n"
    "Filesystem grants (repeatable; nothing is granted by default). The guest\n"
    "cannot leave a granted directory: '..', symlinks pointing outside and\n"
    "/proc tricks are refused by the kernel.\n"
    "  --allow-read PATH   read a file or directory, at the same absolute path\n"
    "  --allow-write PATH  read and write a directory, at the same absolute path\n"
    "  --mount HOST:GUEST[:rw]\n"
    "                      show host path HOST at guest path GUEST, read-only\n"
    "                      unless :rw is given\n"
    "  --scratch SIZE      a private, writable, in-memory /tmp holding SIZE\n"
    "                      bytes, empty at start, gone at exit\n"
    "\n"
    "Other grants (repeatable; none by default):\n"
    "  --allow-env NAME    let os.getenv/os.environ see the host variable NAME\n"
    "  --allow-sqlite PATH[:rw]\n"
    "                      let `import sqlite3` open the database file PATH\n"
    "                      (read-only unless :rw); no other file, no ATTACH,\n"
    "                      no extensions, no pragmas that change settings\n"
    "  --allow-net HOST[:PORT][:private]\n"
    "                      let `import requests` reach HOST over http/https\n"
    "                      (without PORT: 80 and 443 only); redirects only\n"
    "                      among granted origins, responses capped at 4M; a\n"
    "                      name reaches public addresses only (:private adds\n"
    "                      10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7),\n"
    "                      an address literal exactly itself\n"
    "  --plugin PATH[=OPTIONS]\n"
    "                      load a plugin (a .so built on airlock_plugin.h)\n"
    "  --list-grants       print what the options above grant, and exit\n"
    "  --audit FILE        append one JSON line per host call and per file\n"
    "                      operation on a grant (allowed or denied; no file\n"
    "                      contents) to FILE\n"
    "  --deterministic     fixed clock (2024-01-01, 1 ms per reading) and a\n"
    "                      seeded random generator: identical output every run\n"
    "  --seed N            the seed (implies --deterministic; default 0)\n"
    "\n"
    "OS sandbox (defence in depth; see SECURITY.md). After start-up the airlock\n"
    "process itself can no longer start programs, trace processes or open\n"
    "network sockets without --allow-net (seccomp), nor open files outside the\n"
    "grants, the --session directory and the program file (Landlock, where the\n"
    "kernel has it).\n"
    "  --no-os-sandbox     leave that layer off (for debugging; the WebAssembly\n"
    "                      sandbox and the grants still apply)\n"
    "  --verbose           say on stderr which of those layers are in place\n"
    "\n"
    "Subcommands:\n"
    "  airlock probe [grant options]\n"
    "                      run the five-test protocol in-process against these\n"
    "                      grants: escapes must fail, each grant must work\n"
    "  airlock mcp [options]  serve the Model Context Protocol on stdio: agents\n"
    "                      run Python through its run_python tool, with the\n"
    "                      limits and grants above ('airlock mcp --help')\n"
    "  airlock serve [options]\n"
    "                      sandboxes over HTTP: a JSON API, tenants with tokens\n"
    "                      and quotas, sessions in SQLite or Redis, a pool of\n"
    "                      confined workers ('airlock serve --help')\n"
    "\n"
    "Exit status: 0 success, 1 uncaught Python exception (SystemExit keeps its\n"
    "code), 2 usage error, 3 a resource limit stopped the run.\n"
    "\n"
    "  -h, --help          this text\n"
    "  -V, --version       airlock and its guests' versions\n"
    "\n"
    "Example:\n"
    "  airlock -c 'print(sum(range(10)))'\n"
    "  airlock --json -c 'open(\"/etc/passwd\")'     # denied: OSError\n"
    "  airlock --allow-read data --scratch 16M script.py\n"
    "  airlock --allow-sqlite shop.db -c 'import sqlite3; print(sqlite3.connect(\"shop.db\").execute(\"select 1\").fetchall())'\n"
    "  airlock --allow-net 127.0.0.1:8000 -c 'import requests; print(requests.get(\"http://127.0.0.1:8000/\").status_code)'\n";

bool parse_size(const char *s, uint64_t *out) {
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-') return false;
    uint64_t mult = 1;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': mult = 1ull << 10; end++; break;
    case 'm': case 'M': mult = 1ull << 20; end++; break;
    case 'g': case 'G': mult = 1ull << 30; end++; break;
    default: return false;
    }
    if ((*end == 'b' || *end == 'B') && mult > 1) end++; /* "64MB" */
    if (*end || (v && mult > UINT64_MAX / v)) return false;
    *out = v * mult;
    return true;
}

enum { OPT_JSON = 256, OPT_MEMORY, OPT_MAX_OUTPUT, OPT_OUTPUT_STOPS, OPT_FUEL, OPT_TIMEOUT, OPT_SESSION, OPT_NO_COMPAT,
       OPT_NO_OS_SANDBOX, OPT_VERBOSE, OPT_GUEST };
enum { OPT_ALLOW_READ = 512, OPT_ALLOW_WRITE, OPT_MOUNT, OPT_SCRATCH }; /* grants.c */

#define DEFAULT_TIMEOUT 30.0

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "airlock: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'airlock --help'.\n");
    return EXIT_USAGE;
}

static int size_option(const char *name, const char *arg, uint64_t *out) {
    if (!parse_size(arg, out) || *out == 0) {
        fprintf(stderr, "airlock: %s: '%s' is not a size (examples: 64M, 512K, 1G)\n", name, arg);
        return EXIT_USAGE;
    }
    return -1;
}

static int count_option(const char *name, const char *arg, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || *arg == '-' || v == 0) {
        fprintf(stderr, "airlock: %s: '%s' is not a positive whole number\n", name, arg);
        return EXIT_USAGE;
    }
    *out = v;
    return -1;
}

static int seconds_option(const char *name, const char *arg, double *out) {
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v > 0) || v > 1e9) {
        fprintf(stderr, "airlock: %s: '%s' is not a positive number of seconds\n", name, arg);
        return EXIT_USAGE;
    }
    *out = v;
    return -1;
}

/* The guests this airlock has, as --guest names them. */
static const char *const guest_names[] = {"micropython", "cpython"};

/* "airlock 0.x (MicroPython 1.27.0, guest sha256 ...; CPython ...)" */
static void print_version(void) {
    printf("airlock %s (", AIRLOCK_VERSION);
    const char *sep = "";
    for (size_t i = 0; i < sizeof guest_names / sizeof *guest_names; i++) {
        airlock_guest_info g = {.size = sizeof g};
        if (airlock_guest_info_of(guest_names[i], &g) != AIRLOCK_OK) continue;
        printf("%s%s %s, guest sha256 %s", sep, g.title, g.version, g.sha256);
        sep = "; ";
    }
    printf(")\n");
}

static int guest_option(cli_options *opt, const char *name) {
    airlock_guest_info g = {.size = sizeof g};
    if (airlock_guest_info_of(name, &g) != AIRLOCK_OK) {
        bool known = strcmp(name, "micropython") == 0 || strcmp(name, "cpython") == 0;
        fprintf(stderr, "airlock: --guest: %s '%s' (this airlock has: micropython%s)\n",
                known ? "this airlock was built without" : "no guest named", name,
                airlock_guest_info_of("cpython", &g) == AIRLOCK_OK ? ", cpython" : "");
        return EXIT_USAGE;
    }
    opt->guest = name;
    return -1;
}

int options_apply_guest(const cli_options *opt, airlock_runtime *rt) {
    int rc = opt->guest ? airlock_runtime_set_guest(rt, opt->guest) : AIRLOCK_OK;
    return rc ? rc : airlock_runtime_set_compat(rt, !opt->no_compat);
}

const char *options_guest_title(const cli_options *opt, char *buf, size_t size) {
    airlock_guest_info g = {.size = sizeof g};
    if (airlock_guest_info_of(opt->guest, &g) != AIRLOCK_OK) g = (airlock_guest_info){.title = "?", .version = "?"};
    snprintf(buf, size, "%s %s", g.title, g.version);
    return buf;
}

/* Options that contradict each other: a usage error, or -1. */
static int check_combinations(const cli_options *opt) {
    airlock_guest_info g = {.size = sizeof g};
    if (airlock_guest_info_of(opt->guest, &g) != AIRLOCK_OK) return -1;
    if (opt->no_compat && !g.compat) {
        fprintf(stderr, "airlock: --no-compat: the %s guest has no compatibility layer to turn off\n", g.name);
        return EXIT_USAGE;
    }
    if (opt->session && !g.sessions) {
        fprintf(stderr, "airlock: --session: the %s guest cannot save or load sessions yet\n", g.name);
        return EXIT_USAGE;
    }
    return -1;
}

int options_parse(int argc, char **argv, cli_options *opt) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},
        {"json", no_argument, 0, OPT_JSON},
        {"session", required_argument, 0, OPT_SESSION},
        {"no-compat", no_argument, 0, OPT_NO_COMPAT},
        {"guest", required_argument, 0, OPT_GUEST},
        {"memory", required_argument, 0, OPT_MEMORY},
        {"max-output", required_argument, 0, OPT_MAX_OUTPUT},
        {"output-stops", no_argument, 0, OPT_OUTPUT_STOPS},
        {"fuel", required_argument, 0, OPT_FUEL},
        {"timeout", required_argument, 0, OPT_TIMEOUT},
        {"allow-read", required_argument, 0, OPT_ALLOW_READ},
        {"allow-write", required_argument, 0, OPT_ALLOW_WRITE},
        {"mount", required_argument, 0, OPT_MOUNT},
        {"scratch", required_argument, 0, OPT_SCRATCH},
        {"allow-env", required_argument, 0, OPT_ALLOW_ENV},
        {"plugin", required_argument, 0, OPT_PLUGIN},
        {"deterministic", no_argument, 0, OPT_DETERMINISTIC},
        {"seed", required_argument, 0, OPT_SEED},
        {"audit", required_argument, 0, OPT_AUDIT},
        {"list-grants", no_argument, 0, OPT_LIST_GRANTS},
        {"allow-sqlite", required_argument, 0, OPT_ALLOW_SQLITE},
        {"allow-net", required_argument, 0, OPT_ALLOW_NET},
        {"no-os-sandbox", no_argument, 0, OPT_NO_OS_SANDBOX},
        {"verbose", no_argument, 0, OPT_VERBOSE},
        {0, 0, 0, 0},
    };
    memset(opt, 0, sizeof *opt);
    opt->limits.size = sizeof opt->limits;
    opterr = 0;
    int c, rc = -1;
    /* "+": stop at the first non-option, so a script's own arguments and a
     * lone "-" are left alone. */
    while (rc < 0 && (c = getopt_long(argc, argv, "+:hVc:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            printf(usage_text, airlock_guest_version());
            return EXIT_OK;
        case 'V':
            print_version();
            return EXIT_OK;
        case 'c':
            opt->mode = RUN_CODE;
            opt->code = optarg;
            break;
        case OPT_JSON: opt->json = true; break;
        case OPT_SESSION: opt->session = optarg; break;
        case OPT_NO_COMPAT: opt->no_compat = true; break;
        case OPT_GUEST: rc = guest_option(opt, optarg); break;
        case OPT_NO_OS_SANDBOX: opt->no_os_sandbox = true; break;
        case OPT_VERBOSE: opt->verbose = true; break;
        case OPT_MEMORY: rc = size_option("--memory", optarg, &opt->limits.memory_bytes); break;
        case OPT_MAX_OUTPUT: rc = size_option("--max-output", optarg, &opt->limits.max_output_bytes); break;
        case OPT_OUTPUT_STOPS: opt->limits.output_overflow_stops = 1; break;
        case OPT_FUEL: rc = count_option("--fuel", optarg, &opt->limits.fuel); break;
        case OPT_TIMEOUT: rc = seconds_option("--timeout", optarg, &opt->limits.timeout_seconds); break;
        case OPT_ALLOW_READ: rc = grant_option(opt, "--allow-read", optarg); break;
        case OPT_ALLOW_WRITE: rc = grant_option(opt, "--allow-write", optarg); break;
        case OPT_MOUNT: rc = grant_option(opt, "--mount", optarg); break;
        case OPT_SCRATCH: rc = grant_option(opt, "--scratch", optarg); break;
        case OPT_ALLOW_ENV: case OPT_PLUGIN: case OPT_DETERMINISTIC:
        case OPT_SEED: case OPT_AUDIT: case OPT_LIST_GRANTS: case OPT_ALLOW_SQLITE:
        case OPT_ALLOW_NET: rc = plugin_option(opt, c, optarg); break;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (rc < 0) rc = check_combinations(opt);
    if (rc >= 0) return rc;
    if (opt->limits.timeout_seconds == 0) opt->limits.timeout_seconds = DEFAULT_TIMEOUT;
    if (opt->mode == RUN_CODE) return -1; /* remaining arguments: sys.argv later */
    if (optind < argc) {
        opt->file = argv[optind];
        opt->mode = strcmp(opt->file, "-") == 0 ? RUN_STDIN : RUN_FILE;
    } else {
        opt->mode = isatty(STDIN_FILENO) ? RUN_REPL : RUN_STDIN;
    }
    return -1;
}
