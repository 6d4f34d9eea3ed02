/*
 * A plugin that keeps host state per call, tagged with the execution that
 * made it, and releases it in its rollback hook: test_rollback checks that
 * a rolled-back execution's state goes and earlier state stays.
 *   probe.make() -> a new handle; probe.live() -> handles alive
 */
#include <airlock_plugin.h>
#include <pthread.h>
#include <stdlib.h>

#define MAX_HANDLES 1000

typedef struct probe_state {
    pthread_mutex_t lock;
    uint64_t exec[MAX_HANDLES]; /* 0: free */
    int64_t rollbacks;
} probe_state;

static int probe_init(const char *options, void **state, char *err, size_t errsize) {
    (void)options, (void)err, (void)errsize;
    probe_state *s = calloc(1, sizeof *s);
    if (!s) return 1;
    pthread_mutex_init(&s->lock, NULL);
    *state = s;
    return 0;
}

static void probe_fini(void *state) {
    probe_state *s = state;
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static int make(airlock_call *call) {
    probe_state *s = airlock_call_userdata(call);
    uint64_t exec = airlock_call_exec(call);
    int64_t slot = -1;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; exec && i < MAX_HANDLES && slot < 0; i++)
        if (!s->exec[i]) s->exec[i] = exec, slot = i;
    pthread_mutex_unlock(&s->lock);
    if (slot < 0) return airlock_call_raise(call, "RuntimeError", "no handle free (exec %llu)", (unsigned long long)exec);
    return airlock_call_return(call, airlock_value_new_int(slot));
}

static int live(airlock_call *call) {
    probe_state *s = airlock_call_userdata(call);
    int64_t n = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < MAX_HANDLES; i++) n += s->exec[i] != 0;
    pthread_mutex_unlock(&s->lock);
    return airlock_call_return(call, airlock_value_new_int(n));
}

static void probe_rollback(void *state, uint64_t exec) {
    probe_state *s = state;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < MAX_HANDLES; i++)
        if (s->exec[i] == exec) s->exec[i] = 0;
    s->rollbacks++;
    pthread_mutex_unlock(&s->lock);
}

static const airlock_function probe_functions[] = {
    {"make", make, "a new handle"},
    {"live", live, "how many handles are alive"},
    {NULL, NULL, NULL},
};

static const airlock_module probe_modules[] = {{"probe", probe_functions, NULL}, {NULL, NULL, NULL}};

static const airlock_plugin probe_plugin = {
    .abi_version = AIRLOCK_PLUGIN_ABI_VERSION,
    .name = "probe",
    .version = "1",
    .grants = "handles that live in the host (a test of the rollback hook)",
    .modules = probe_modules,
    .init = probe_init,
    .fini = probe_fini,
    .rollback = probe_rollback,
};

AIRLOCK_PLUGIN_EXPORT(probe_plugin)
