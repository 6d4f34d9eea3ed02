/*
 * report.h - how a run is shown: plain streams, or one JSON object.
 */
#ifndef AIRLOCK_CLI_REPORT_H
#define AIRLOCK_CLI_REPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "airlock.h"

/*
 * The run as the JSON object of DESIGN.md's CLI interface:
 * {"ok","stdout","stderr","result","error","limit","stats"}. rc is what
 * airlock_sandbox_exec returned. The caller owns the reference.
 */
json_t *report_json(airlock_sandbox *sb, int rc);

/* Print the run as Python would: guest stdout/stderr (unless they were
 * streamed by report_stream), then the traceback or the reason the run
 * stopped on stderr. */
void report_text(airlock_sandbox *sb, int rc, bool streamed);
/* An airlock_output_fn: the guest's output to ours as it comes. */
void report_stream(void *userdata, int stream, const char *data, size_t len);

/* The process exit status for a run (0, 1, 3, or SystemExit's code). */
int report_exit_status(airlock_sandbox *sb, int rc);

/* A JSON string from arbitrary bytes: invalid UTF-8 becomes U+FFFD, NUL
 * bytes are kept (escaped as \u0000 when dumped). */
json_t *json_bytes(const char *s, size_t len);

#endif
