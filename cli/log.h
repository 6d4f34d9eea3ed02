/*
 * log.h - one log line on stderr for the servers (`airlock mcp`,
 * `airlock serve`).
 */
#ifndef AIRLOCK_CLI_LOG_H
#define AIRLOCK_CLI_LOG_H

#include <stdarg.h>

/*
 * "WHO: message\n" on stderr. Log lines quote names chosen by clients
 * (methods, sessions, tenants): control characters become '?' so that they
 * cannot forge log lines or drive a terminal. Long lines are cut.
 */
void log_vline(const char *who, const char *fmt, va_list ap);

#endif
