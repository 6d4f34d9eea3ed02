/*
 * store_redis.c - sessions in Redis, for many `airlock serve` machines
 * sharing one store (a standalone server; hiredis).
 *
 * A session is the hash airlock:s:TENANT:NAME {v: version, d: image} with a
 * TTL; airlock:u:TENANT maps each of the tenant's session names to its
 * size, for quotas. The version check, the quota check and the write run as
 * one Lua script, so they are atomic on the server. Names are restricted to
 * [A-Za-z0-9_.-], so a ':' can never make one tenant's key another's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib_store.h"
#include "serve.h"

/* Debian 12's libhiredis0.14, which tools/deps.sh installs with libhiredis-dev */
DYNLIB_DEFINE(redis_api, REDIS_FUNCTIONS, "libhiredis.so.0.14", "libhiredis0.14")

#define REDIS_TIMEOUT_SECONDS 5

typedef struct redis_store {
    store base;
    char host[256];
    int port, db;
    redisContext *c;
} redis_store;

/* KEYS: session, usage. ARGV: expected version, image, ttl (ms), max
 * sessions, max bytes, session name, the tenant's session key prefix. */
static const char put_script[] =
    "local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')\n"
    "if cur ~= tonumber(ARGV[1]) then return -1 end\n"
    "local maxs, maxb = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
    "if maxs > 0 or maxb > 0 then\n"
    "  local n, bytes = 0, 0\n"
    "  local u = redis.call('HGETALL', KEYS[2])\n"
    "  for i = 1, #u, 2 do\n"
    "    if u[i] ~= ARGV[6] then\n"
    "      if redis.call('EXISTS', ARGV[7] .. u[i]) == 1 then n = n + 1; bytes = bytes + tonumber(u[i + 1])\n"
    "      else redis.call('HDEL', KEYS[2], u[i]) end\n"
    "    end\n"
    "  end\n"
    "  if (maxs > 0 and n + 1 > maxs) or (maxb > 0 and bytes + #ARGV[2] > maxb) then return -2 end\n"
    "end\n"
    "redis.call('HSET', KEYS[1], 'v', cur + 1, 'd', ARGV[2])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
    "redis.call('HSET', KEYS[2], ARGV[6], #ARGV[2])\n"
    "redis.call('PEXPIRE', KEYS[2], ARGV[3])\n"
    "return cur + 1\n";

static redis_store *rs(store *s) { return (redis_store *)s; }

static bool connect_redis(redis_store *r) {
    if (r->c) redisFree(r->c);
    struct timeval tv = {REDIS_TIMEOUT_SECONDS, 0};
    r->c = redisConnectWithTimeout(r->host, r->port, tv);
    if (!r->c || r->c->err) {
        snprintf(r->base.err, sizeof r->base.err, "redis %.100s:%d: %.100s", r->host, r->port,
                 r->c ? r->c->errstr : "out of memory");
        return false;
    }
    redisSetTimeout(r->c, tv);
    if (r->db) {
        redisReply *rep = redisCommand(r->c, "SELECT %d", r->db);
        bool ok = rep && rep->type == REDIS_REPLY_STATUS;
        freeReplyObject(rep);
        if (!ok) {
            snprintf(r->base.err, sizeof r->base.err, "redis: cannot select database %d", r->db);
            return false;
        }
    }
    return true;
}

/* Run a command, reconnecting once if the connection broke. */
static redisReply *command_argv(redis_store *r, int argc, const char **argv, const size_t *lens) {
    for (int attempt = 0; attempt < 2; attempt++) {
        if ((!r->c || r->c->err) && !connect_redis(r)) return NULL;
        redisReply *rep = redisCommandArgv(r->c, argc, argv, lens);
        if (rep) {
            if (rep->type != REDIS_REPLY_ERROR) return rep;
            snprintf(r->base.err, sizeof r->base.err, "redis: %s", rep->str);
            freeReplyObject(rep);
            return NULL;
        }
        snprintf(r->base.err, sizeof r->base.err, "redis: %s", r->c->errstr);
    }
    return NULL;
}

static void key_of(char *out, size_t n, char kind, const char *tenant, const char *name) {
    if (name) snprintf(out, n, "airlock:%c:%s:%s", kind, tenant, name);
    else snprintf(out, n, "airlock:%c:%s", kind, tenant);
}

static int rd_get(store *s, const char *tenant, const char *name, void **data, size_t *len, uint64_t *version) {
    char key[3 * SERVE_MAX_NAME];
    key_of(key, sizeof key, 's', tenant, name);
    const char *argv[] = {"HMGET", key, "v", "d"};
    redisReply *rep = command_argv(rs(s), 4, argv, NULL);
    if (!rep) return STORE_ERROR;
    int rc = STORE_MISSING;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 && rep->element[0]->type == REDIS_REPLY_STRING &&
        rep->element[1]->type == REDIS_REPLY_STRING) {
        *version = strtoull(rep->element[0]->str, NULL, 10);
        *len = rep->element[1]->len;
        *data = malloc(*len ? *len : 1);
        if (*data) memcpy(*data, rep->element[1]->str, *len);
        rc = *data ? STORE_OK : STORE_ERROR;
    }
    freeReplyObject(rep);
    return rc;
}

static int rd_put(store *s, const char *tenant, const char *name, const void *data, size_t len, uint64_t expect,
                  const store_quota *q, uint64_t *version) {
    char key[3 * SERVE_MAX_NAME], ukey[2 * SERVE_MAX_NAME], prefix[2 * SERVE_MAX_NAME + 16];
    char exp[24], ttl[24], maxs[24], maxb[24];
    key_of(key, sizeof key, 's', tenant, name);
    key_of(ukey, sizeof ukey, 'u', tenant, NULL);
    snprintf(prefix, sizeof prefix, "airlock:s:%s:", tenant);
    snprintf(exp, sizeof exp, "%llu", (unsigned long long)expect);
    snprintf(ttl, sizeof ttl, "%llu", (unsigned long long)(s->ttl * 1000));
    snprintf(maxs, sizeof maxs, "%u", q ? q->max_sessions : 0);
    snprintf(maxb, sizeof maxb, "%llu", (unsigned long long)(q ? q->max_bytes : 0));
    const char *argv[] = {"EVAL", put_script, "2", key, ukey, exp, data, ttl, maxs, maxb, name, prefix};
    size_t lens[12];
    for (int i = 0; i < 12; i++) lens[i] = strlen(argv[i]);
    lens[6] = len;
    redisReply *rep = command_argv(rs(s), 12, argv, lens);
    if (!rep) return STORE_ERROR;
    int rc = STORE_ERROR;
    if (rep->type == REDIS_REPLY_INTEGER) {
        rc = rep->integer == -1 ? STORE_CONFLICT : rep->integer == -2 ? STORE_QUOTA : STORE_OK;
        if (rc == STORE_OK) *version = (uint64_t)rep->integer;
    }
    freeReplyObject(rep);
    return rc;
}

static int rd_del(store *s, const char *tenant, const char *name) {
    char key[3 * SERVE_MAX_NAME], ukey[2 * SERVE_MAX_NAME];
    key_of(key, sizeof key, 's', tenant, name);
    key_of(ukey, sizeof ukey, 'u', tenant, NULL);
    const char *del[] = {"DEL", key}, *hdel[] = {"HDEL", ukey, name};
    redisReply *rep = command_argv(rs(s), 2, del, NULL);
    if (!rep) return STORE_ERROR;
    int rc = rep->type == REDIS_REPLY_INTEGER && rep->integer > 0 ? STORE_OK : STORE_MISSING;
    freeReplyObject(rep);
    freeReplyObject(command_argv(rs(s), 3, hdel, NULL));
    return rc;
}

/* Sessions in the store, by a bounded SCAN: -1 when there are too many to
 * count cheaply. */
static int64_t rd_count(store *s) {
    int64_t n = 0;
    char cursor[32] = "0";
    for (int round = 0; round < 100; round++) {
        const char *argv[] = {"SCAN", cursor, "MATCH", "airlock:s:*", "COUNT", "1000"};
        redisReply *rep = command_argv(rs(s), 6, argv, NULL);
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
            freeReplyObject(rep);
            return -1;
        }
        n += (int64_t)rep->element[1]->elements;
        snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
        freeReplyObject(rep);
        if (strcmp(cursor, "0") == 0) return n;
    }
    return -1;
}

static void rd_close(store *s) {
    if (rs(s)->c) redisFree(rs(s)->c);
    free(s);
}

static const store_ops redis_ops = {rd_get, rd_put, rd_del, rd_count, rd_close};

/* redis://HOST[:PORT][/DB] */
static bool parse_url(const char *url, redis_store *r) {
    const char *p = url + 8, *end = p + strcspn(p, ":/");
    if (end == p || (size_t)(end - p) >= sizeof r->host) return false;
    memcpy(r->host, p, (size_t)(end - p));
    r->host[end - p] = '\0';
    r->port = 6379;
    char *stop;
    if (*end == ':') {
        long port = strtol(end + 1, &stop, 10);
        if (stop == end + 1 || port < 1 || port > 65535) return false;
        r->port = (int)port;
        end = stop;
    }
    if (*end == '/') {
        long db = strtol(end + 1, &stop, 10);
        if (stop == end + 1 || db < 0 || db > 1000 || *stop) return false;
        r->db = (int)db;
        end = stop;
    }
    return *end == '\0';
}

store *store_open_redis(const char *url, double ttl, char *err, size_t errsize) {
    if (!redis_api_open(err, errsize)) return NULL;
    redis_store *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    r->base.ops = &redis_ops;
    r->base.ttl = ttl;
    if (!parse_url(url, r)) {
        snprintf(err, errsize, "bad Redis address '%s' (want redis://HOST[:PORT][/DB])", url);
        free(r);
        return NULL;
    }
    if (!connect_redis(r)) {
        snprintf(err, errsize, "%s", r->base.err);
        rd_close(&r->base);
        return NULL;
    }
    return &r->base;
}
