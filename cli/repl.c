/*
 * repl.c - an interactive session: line editing and history (libedit),
 * multi-line blocks, state kept across inputs, values echoed like Python.
 */
#include "repl.h"

#include <editline/readline.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dynlib.h"
#include "options.h"
#include "report.h"

/* libedit, opened for the prompt only (dynlib.h) */
#define EDIT_FUNCTIONS(X) X(readline) X(add_history) X(rl_initialize)
DYNLIB_DECLARE(edit_api, EDIT_FUNCTIONS)
#define readline (*edit_api.p_readline)
#define add_history (*edit_api.p_add_history)
#define rl_initialize (*edit_api.p_rl_initialize)
/* Debian 12's libedit2, which tools/deps.sh installs with libedit-dev */
DYNLIB_DEFINE(edit_api, EDIT_FUNCTIONS, "libedit.so.2", "libedit2")

/* Ctrl-C: interrupt the code that runs (the session survives), or drop
 * the line being typed. airlock_sandbox_interrupt() is async-signal-safe. */
static airlock_sandbox *volatile interruptible;
static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig) {
    (void)sig;
    got_sigint = 1;
    if (interruptible) airlock_sandbox_interrupt(interruptible);
}

static void catch_sigint(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a Ctrl-C at the prompt ends the read */
    sigaction(SIGINT, &sa, NULL);
}

/* Does this line open or continue a block that needs more lines?
 * Heuristic, like Python's own prompt: a trailing ':' or '\\', or brackets
 * left open. A block ends at an empty line. */
static bool line_continues(const char *buf) {
    int depth = 0;
    char quote = 0;
    for (const char *p = buf; *p; p++) {
        if (quote) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == quote) quote = 0;
        } else if (*p == '#') {
            while (p[1] && p[1] != '\n') p++;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (strchr("([{", *p)) {
            depth++;
        } else if (strchr(")]}", *p)) {
            depth--;
        }
    }
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\n')) n--;
    return depth > 0 || (n && (buf[n - 1] == ':' || buf[n - 1] == '\\'));
}

static bool ends_with_colon(const char *buf) {
    size_t n = strlen(buf);
    while (n && strchr(" \t\n", buf[n - 1])) n--;
    return n && buf[n - 1] == ':';
}

static char *append_line(char *block, const char *line) {
    size_t a = block ? strlen(block) : 0, b = strlen(line);
    char *s = realloc(block, a + b + 2);
    if (!s) {
        free(block);
        return NULL;
    }
    memcpy(s + a, line, b);
    s[a + b] = '\n';
    s[a + b + 1] = '\0';
    return s;
}

/* Read one complete input: a line, a bracketed expression spread over
 * lines, or a compound statement ended by an empty line. */
static char *read_input(void) {
    char *block = NULL;
    bool in_block = false, compound = false;
    for (;;) {
        got_sigint = 0;
        char *line = readline(in_block ? "... " : ">>> ");
        if (got_sigint) { /* the typed input is dropped, like Python's prompt */
            free(line);
            free(block);
            block = NULL;
            in_block = compound = false;
            printf("\nKeyboardInterrupt\n");
            continue;
        }
        if (!line) return block; /* EOF: run what we have, or stop */
        bool empty = line[0] == '\0';
        if (!empty) add_history(line);
        if (compound && empty) {
            free(line);
            return block;
        }
        block = append_line(block, line);
        free(line);
        if (!block) return NULL;
        bool open = line_continues(block);
        if (!in_block && open) compound = ends_with_colon(block);
        if (!open && !compound) return block;
        in_block = true;
    }
}

bool repl_prepare(char *err, size_t errsize) {
    if (!edit_api_open(err, errsize)) return false;
    rl_initialize();
    return true;
}

int repl_run(airlock_sandbox *sb) {
    airlock_guest_info g = {.size = sizeof g};
    airlock_guest_info_of(airlock_sandbox_guest(sb), &g);
    printf("airlock %s, %s %s. Nothing on this machine is reachable from here.\n"
           "Ctrl-C interrupts, Ctrl-D exits.\n",
           AIRLOCK_VERSION, g.title, g.version);
    catch_sigint();
    char *input;
    while ((input = read_input()) != NULL) {
        interruptible = sb;
        int rc = airlock_sandbox_exec(sb, input, strlen(input));
        interruptible = NULL;
        free(input);
        report_text(sb, rc, false);
        size_t len;
        const char *res = airlock_sandbox_result(sb, &len);
        if (res) printf("%.*s\n", (int)len, res);
        if (rc == AIRLOCK_EXIT) return report_exit_status(sb, rc);
    }
    putchar('\n');
    return EXIT_OK;
}
