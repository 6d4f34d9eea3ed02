/*
 * options.h - the airlock command line, parsed.
 */
#ifndef AIRLOCK_CLI_OPTIONS_H
#define AIRLOCK_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "airlock.h"

enum { EXIT_OK = 0, EXIT_PYTHON = 1, EXIT_USAGE = 2, EXIT_LIMIT = 3 };

typedef enum { RUN_UNSET, RUN_CODE, RUN_FILE, RUN_STDIN, RUN_REPL } run_mode;

typedef struct cli_options {
    run_mode mode;
    const char *code;      /* -c */
    const char *file;      /* FILE */
    bool json;
    airlock_limits limits;
} cli_options;

/*
 * Parse argv. Returns -1 when the program should go on, or an exit status
 * (after printing help, the version, or a usage error on stderr).
 */
int options_parse(int argc, char **argv, cli_options *opt);

/* "64M" -> bytes; false if malformed or out of range. */
bool parse_size(const char *s, uint64_t *out);

#endif
