/*
 * repl.c - an interactive session: line editing and history (libedit),
 * multi-line blocks, state kept across inputs, values echoed like Python.
 */
#include "repl.h"

#include <editline/readline.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "report.h"

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
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t')) n--;
    return depth > 0 || (n && (buf[n - 1] == ':' || buf[n - 1] == '\\'));
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

/* Read one complete input (a line, or a block ended by an empty line). */
static char *read_input(void) {
    char *block = NULL;
    bool in_block = false;
    for (;;) {
        char *line = readline(in_block ? "... " : ">>> ");
        if (!line) return block; /* EOF: run what we have, or stop */
        bool empty = line[0] == '\0';
        if (!empty) add_history(line);
        if (in_block && empty) {
            free(line);
            return block;
        }
        block = append_line(block, line);
        free(line);
        if (!block) return NULL;
        if (!in_block && !line_continues(block)) return block;
        in_block = true;
    }
}

int repl_run(airlock_sandbox *sb) {
    printf("airlock %s, MicroPython %s. Nothing on this machine is reachable from here.\n"
           "Ctrl-D exits.\n",
           AIRLOCK_VERSION, airlock_guest_version());
    char *input;
    while ((input = read_input()) != NULL) {
        int rc = airlock_exec(sb, input, strlen(input));
        free(input);
        report_text(sb, rc);
        size_t len;
        const char *res = airlock_result(sb, &len);
        if (res) printf("%.*s\n", (int)len, res);
        if (rc == AIRLOCK_EXIT) return report_exit_status(sb, rc);
    }
    putchar('\n');
    return EXIT_OK;
}
