/*
 * repl.h - the interactive session of `airlock` on a terminal.
 */
#ifndef AIRLOCK_CLI_REPL_H
#define AIRLOCK_CLI_REPL_H

#include <stdbool.h>
#include <stddef.h>

#include "airlock.h"

/* Load what line editing reads from disk (libedit itself, terminfo,
 * ~/.editrc) now, before the OS sandbox closes the filesystem; false with
 * a message if libedit cannot be loaded. */
bool repl_prepare(char *err, size_t errsize);

/* Read-eval-print until end of input; returns the exit status. */
int repl_run(airlock_sandbox *sb);

#endif
