/*
 * log.c - log lines of the servers, safe to print whatever a client sent.
 */
#include "log.h"

#include <stdio.h>

void log_vline(const char *who, const char *fmt, va_list ap) {
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    fprintf(stderr, "%s: %s\n", who, line);
}
