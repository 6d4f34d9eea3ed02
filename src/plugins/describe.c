/*
 * describe.c - what a runtime grants through host functions and plugins,
 * in plain words: `airlock --list-grants` prints it and the MCP server puts
 * it in its tool description, so a person or an agent can see exactly what
 * the sandbox may reach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/host.h"
#include "plugins/runtime.h"

static void put(codec_buf *b, const char *s) { codec_buf_put(b, s, strlen(s)); }

/* "module: f, g; other: h" for the functions of plugin p. */
static void list_functions(codec_buf *b, const host_registry *reg, const host_plugin *p) {
    for (size_t m = 0; m < reg->nmodules; m++) {
        if (reg->modules[m].plugin != p) continue;
        put(b, "\n    import ");
        put(b, reg->modules[m].name);
        put(b, ":");
        const char *sep = " ";
        for (size_t i = 0; i < reg->nfns; i++) {
            if (strcmp(reg->fns[i].module, reg->modules[m].name) != 0) continue;
            put(b, sep);
            put(b, reg->fns[i].name);
            put(b, "()");
            sep = ", ";
        }
    }
}

static void describe_plugin(codec_buf *b, const host_registry *reg, const host_plugin *p) {
    char text[1024];
    if (!p->def) {
        put(b, "- host functions (registered by the embedding program):");
        list_functions(b, reg, p);
        put(b, "\n");
        return;
    }
    if (p->def == &host_env_plugin) host_env_describe(reg, text, sizeof text);
    else if (p->def->describe) p->def->describe(p->state, text, sizeof text);
    else snprintf(text, sizeof text, "%s", p->def->grants);
    text[sizeof text - 1] = '\0';
    char head[600];
    snprintf(head, sizeof head, "- %s %s (%s%s%s): ", p->name, p->def->version ? p->def->version : "",
             p->origin, p->options ? ", options " : "", p->options ? p->options : "");
    put(b, head);
    put(b, text);
    list_functions(b, reg, p);
    put(b, "\n");
}

const char *airlock_runtime_describe_grants(airlock_runtime *rt) {
    if (!rt) return "";
    pthread_mutex_lock(runtime_lock(rt));
    host_registry *reg = host_registry_of(rt);
    if (!reg) {
        pthread_mutex_unlock(runtime_lock(rt));
        return "out of memory";
    }
    codec_buf b = {0};
    bool env_listed = false;
    for (size_t i = 0; i < reg->nplugins; i++) {
        describe_plugin(&b, reg, reg->plugins[i]);
        env_listed |= reg->plugins[i]->def == &host_env_plugin;
    }
    if (reg->nenv && !env_listed) {
        char text[1024];
        host_env_describe(reg, text, sizeof text);
        put(&b, "- env (built-in): ");
        put(&b, text);
        put(&b, "\n");
    }
    if (!b.len) put(&b, "- no host functions, plugins or environment variables are granted\n");
    if (reg->deterministic) {
        char text[200];
        snprintf(text, sizeof text, "- deterministic: the clock starts at 2024-01-01T00:00:00Z and advances 1 ms per "
                 "reading; random numbers come from seed %llu\n", (unsigned long long)reg->seed);
        put(&b, text);
    }
    if (host_audit_enabled(reg)) put(&b, "- every host call, allowed or denied, is written to the audit log\n");
    free(reg->grants_text);
    reg->grants_text = b.data ? b.data : strdup("");
    pthread_mutex_unlock(runtime_lock(rt));
    return reg->grants_text ? reg->grants_text : "out of memory";
}
