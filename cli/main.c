/*
 * main.c - the airlock command: run Python in a sandbox.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "airlock.h"
#include "mcp.h"
#include "options.h"
#include "os_sandbox.h"
#include "probe.h"
#include "repl.h"
#include "report.h"
#include "serve.h"

#define MAX_SOURCE (256u << 20) /* larger programs are refused, not truncated */

/* Read a whole stream; NULL with errno set on failure or if too large. */
static char *slurp(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (ferror(f)) break;
        if (n < cap) {
            *len = n;
            return buf;
        }
        if (cap >= MAX_SOURCE) {
            errno = EFBIG;
            break;
        }
        char *more = realloc(buf, cap * 2);
        if (!more) break;
        buf = more;
        cap *= 2;
    }
    free(buf);
    return NULL;
}

static char *read_program(const cli_options *opt, size_t *len) {
    if (opt->mode == RUN_CODE) {
        *len = strlen(opt->code);
        return strdup(opt->code);
    }
    FILE *f = opt->mode == RUN_STDIN ? stdin : fopen(opt->file, "rb");
    const char *name = opt->mode == RUN_STDIN ? "standard input" : opt->file;
    if (!f) {
        fprintf(stderr, "airlock: cannot open '%s': %s\n", name, strerror(errno));
        return NULL;
    }
    char *src = slurp(f, len);
    if (!src) fprintf(stderr, "airlock: cannot read '%s': %s\n", name, strerror(errno));
    if (f != stdin) fclose(f);
    return src;
}

static int run_once(airlock_sandbox *sb, const cli_options *opt) {
    size_t len = 0;
    char *src = read_program(opt, &len);
    if (!src) return EXIT_USAGE;
    /* Text output streams as the guest writes it (a long job shows its
     * progress); JSON output is one document at the end. */
    airlock_exec_options eo = AIRLOCK_EXEC_OPTIONS_INIT;
    if (opt->mode == RUN_FILE) eo.filename = opt->file;
    /* one run, then the process ends: a failed one is not saved, so
     * nothing needs the state before it */
    eo.flags = AIRLOCK_EXEC_NO_ROLLBACK;
    if (!opt->json) eo.on_output = report_stream;
    int rc = airlock_sandbox_exec_ex(sb, src, len, &eo);
    free(src);
    if (opt->json) {
        json_t *j = report_json(sb, rc);
        json_dumpf(j, stdout, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
        putchar('\n');
        json_decref(j);
    } else {
        report_text(sb, rc, true);
    }
    return report_exit_status(sb, rc);
}

/* A sandbox from the session file if there is one, else a fresh one. */
static int open_sandbox(airlock_runtime *rt, const char *session, airlock_sandbox **sb) {
    if (session && access(session, F_OK) == 0) return airlock_sandbox_load(rt, session, sb);
    return airlock_sandbox_new(rt, sb);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "mcp") == 0) return mcp_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "probe") == 0) return probe_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "serve") == 0) return serve_main(argc - 1, argv + 1);
    cli_options opt;
    int status = options_parse(argc, argv, &opt);
    if (status >= 0) return status;

    airlock_runtime *rt = NULL;
    airlock_sandbox *sb = NULL;
    int rc = airlock_runtime_new(&rt);
    if (rc == AIRLOCK_OK) rc = airlock_runtime_set_limits(rt, &opt.limits);
    if (rc == AIRLOCK_OK) rc = options_apply_guest(&opt, rt);
    if (rc == AIRLOCK_OK && ((status = grants_apply(&opt, rt)) >= 0 || (status = plugins_apply(&opt, rt)) >= 0)) {
        airlock_runtime_free(rt);
        grants_free_options(&opt);
        return status;
    }
    const char *why = rt ? airlock_runtime_errmsg(rt) : "out of memory";
    if (rc == AIRLOCK_OK && (rc = open_sandbox(rt, opt.session, &sb)) != AIRLOCK_OK) why = airlock_sandbox_errmsg(sb);
    if (rc != AIRLOCK_OK) {
        fprintf(stderr, "airlock: %s\n", why);
        airlock_sandbox_free(sb);
        airlock_runtime_free(rt);
        grants_free_options(&opt);
        return rc == AIRLOCK_MISUSE || rc == AIRLOCK_CORRUPT || rc == AIRLOCK_IOERR || rc == AIRLOCK_DENIED ? EXIT_USAGE
                                                                                                : EXIT_PYTHON;
    }
    /* Start-up is over: from here the process keeps only what it serves. */
    char err[300];
    if (opt.mode == RUN_REPL && !repl_prepare(err, sizeof err)) {
        fprintf(stderr, "airlock: %s\n", err);
        status = EXIT_USAGE;
    } else {
        os_sandbox_enter(&opt, "airlock");
        status = opt.mode == RUN_REPL ? repl_run(sb) : run_once(sb, &opt);
        if (opt.session && (status == EXIT_OK || opt.mode == RUN_REPL) &&
            airlock_sandbox_save(sb, opt.session) != AIRLOCK_OK) {
            fprintf(stderr, "airlock: %s\n", airlock_sandbox_errmsg(sb));
            status = EXIT_PYTHON;
        }
    }
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
    grants_free_options(&opt);
    return status;
}
