/*
 * repl.h - the interactive session of `airlock` on a terminal.
 */
#ifndef AIRLOCK_CLI_REPL_H
#define AIRLOCK_CLI_REPL_H

#include "airlock.h"

/* Load what line editing reads from disk (terminfo, ~/.editrc) now, before
 * the OS sandbox closes the filesystem. */
void repl_prepare(void);

/* Read-eval-print until end of input; returns the exit status. */
int repl_run(airlock_sandbox *sb);

#endif
