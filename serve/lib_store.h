/*
 * lib_store.h - zstd and hiredis for serve's session store, opened by
 * zstd_api_open() and redis_api_open() when the store opens instead of
 * linked (cli/dynlib.h).
 */
#ifndef AIRLOCK_SERVE_LIB_STORE_H
#define AIRLOCK_SERVE_LIB_STORE_H

#include <hiredis/hiredis.h>
#include <zstd.h>

#include "dynlib.h"

#define ZSTD_FUNCTIONS(X)                                                                          \
    X(ZSTD_compressBound) X(ZSTD_compress) X(ZSTD_isError) X(ZSTD_getFrameContentSize) X(ZSTD_decompress)
DYNLIB_DECLARE(zstd_api, ZSTD_FUNCTIONS)

#define ZSTD_compressBound (*zstd_api.p_ZSTD_compressBound)
#define ZSTD_compress (*zstd_api.p_ZSTD_compress)
#define ZSTD_isError (*zstd_api.p_ZSTD_isError)
#define ZSTD_getFrameContentSize (*zstd_api.p_ZSTD_getFrameContentSize)
#define ZSTD_decompress (*zstd_api.p_ZSTD_decompress)

#define REDIS_FUNCTIONS(X)                                                                         \
    X(redisConnectWithTimeout) X(redisSetTimeout) X(redisCommand) X(redisCommandArgv) X(redisFree) \
    X(freeReplyObject)
DYNLIB_DECLARE(redis_api, REDIS_FUNCTIONS)

#define redisConnectWithTimeout (*redis_api.p_redisConnectWithTimeout)
#define redisSetTimeout (*redis_api.p_redisSetTimeout)
#define redisCommand (*redis_api.p_redisCommand)
#define redisCommandArgv (*redis_api.p_redisCommandArgv)
#define redisFree (*redis_api.p_redisFree)
#define freeReplyObject (*redis_api.p_freeReplyObject)

#endif
