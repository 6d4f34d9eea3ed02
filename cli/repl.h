/*
 * repl.h - the interactive session of `airlock` on a terminal.
 */
#ifndef AIRLOCK_CLI_REPL_H
#define AIRLOCK_CLI_REPL_H

#include "airlock.h"

/* Read-eval-print until end of input; returns the exit status. */
int repl_run(airlock_sandbox *sb);

#endif
