/*
 * mhd.h - libmicrohttpd, opened when `airlock serve` starts instead of linked.
 *
 * Linked, it and GnuTLS (which it pulls in, with eight more libraries) were
 * loaded by every airlock command, and the dynamic loader bound their
 * symbols at each start: most of an `airlock -c` run's instructions. The
 * few functions the server uses are reached through pointers that
 * mhd_api_open() fills (cli/dynlib.h); the names below make the calls read
 * as usual.
 */
#ifndef AIRLOCK_SERVE_MHD_H
#define AIRLOCK_SERVE_MHD_H

#include <microhttpd.h>

#include "dynlib.h"

/* Debian 12's libmicrohttpd12, the package tools/deps.sh installs. */
#define MHD_LIBRARY "libmicrohttpd.so.12"

#define MHD_FUNCTIONS(X)                                                                           \
    X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_quiesce_daemon) X(MHD_get_daemon_info)           \
    X(MHD_lookup_connection_value) X(MHD_add_response_header) X(MHD_queue_response)              \
    X(MHD_destroy_response) X(MHD_create_response_from_buffer)
/* mhd_api_open(err, errsize) loads the library once; false with a message
 * if it cannot (dynlib.h). */
DYNLIB_DECLARE(mhd_api, MHD_FUNCTIONS)

#define MHD_start_daemon (*mhd_api.p_MHD_start_daemon)
#define MHD_stop_daemon (*mhd_api.p_MHD_stop_daemon)
#define MHD_quiesce_daemon (*mhd_api.p_MHD_quiesce_daemon)
#define MHD_get_daemon_info (*mhd_api.p_MHD_get_daemon_info)
#define MHD_lookup_connection_value (*mhd_api.p_MHD_lookup_connection_value)
#define MHD_add_response_header (*mhd_api.p_MHD_add_response_header)
#define MHD_queue_response (*mhd_api.p_MHD_queue_response)
#define MHD_destroy_response (*mhd_api.p_MHD_destroy_response)
#define MHD_create_response_from_buffer (*mhd_api.p_MHD_create_response_from_buffer)

#endif
