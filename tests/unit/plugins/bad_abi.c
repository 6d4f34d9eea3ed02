/* A plugin built for another ABI version: airlock must refuse it. */
#include <stddef.h>
#include <stdint.h>

__attribute__((visibility("default"))) const uint32_t airlock_plugin_abi = 999;
__attribute__((visibility("default"))) const void *airlock_plugin_entry(const void *api) {
    (void)api;
    return NULL;
}
