/*
 * mhd.c - opens libmicrohttpd for `airlock serve` (see mhd.h).
 */
#include "mhd.h"

DYNLIB_DEFINE(mhd_api, MHD_FUNCTIONS, MHD_LIBRARY, "libmicrohttpd12")
