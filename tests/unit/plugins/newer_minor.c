/* A plugin for a newer minor ABI (1.999) than this airlock speaks: it may
 * call functions the library lacks, so airlock must refuse it. */
#include <stddef.h>
#include <stdint.h>

__attribute__((visibility("default"))) const uint32_t airlock_plugin_abi = (1u << 16) | 999u;
__attribute__((visibility("default"))) const void *airlock_plugin_entry(const void *api) {
    (void)api;
    return NULL;
}
