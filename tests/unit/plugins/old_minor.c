/* A plugin as built before plugin ABI minor versions: it declares ABI 1
 * (read as 1.0) and uses only 1.0's functions. A newer airlock must load it. */
#include "airlock_plugin.h"

static int twice(airlock_call *call) {
    int64_t n;
    if (airlock_call_get_int(call, 0, "n", &n) != AIRLOCK_OK) return AIRLOCK_ERROR;
    return airlock_call_return(call, airlock_value_new_int(2 * n));
}

static const airlock_function functions[] = {{"twice", twice, "2 * n"}, {NULL, NULL, NULL}};
static const airlock_module modules[] = {{"old", functions, NULL}, {NULL, NULL, NULL}};
static const airlock_plugin plugin = {.abi_version = 1, .name = "old", .version = "1", .grants = "nothing",
                                      .modules = modules};

const airlock_api *airlock_api_table_ __attribute__((visibility("hidden")));
__attribute__((visibility("default"))) const uint32_t airlock_plugin_abi = 1;
__attribute__((visibility("default"))) const airlock_plugin *airlock_plugin_entry(const airlock_api *api) {
    airlock_api_table_ = api;
    return &plugin;
}
