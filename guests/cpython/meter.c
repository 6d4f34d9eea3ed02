/*
 * cpython-meter IN.wasm OUT.wasm [--no-fuel] - fuel metering for the CPython guest.
 *
 * The MicroPython guest's fuel pass (guests/patch/fuel.c, described in
 * guests/patch/README.md), applied to the CPython module after dce.sh and
 * nothing else: that tool's other passes rewrite MicroPython's own code.
 * Adds the global airlock_fuel, the import airlock.fuel_exhausted and the
 * inline checks; the generated C renames the import's module to pyairlock
 * (cpython.mk) so it never meets the MicroPython guest's handler.
 * --no-fuel adds the global and the import but no checks (a build that
 * measures what metering costs: CPYTHON_FUEL=0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patch.h"

/* Exactly the features pyodide.asm.wasm declares. */
static BinaryenFeatures cpython_features(void) {
    return BinaryenFeatureMVP() | BinaryenFeatureBulkMemory() | BinaryenFeatureMutableGlobals() |
           BinaryenFeatureNontrappingFPToInt() | BinaryenFeatureSignExt() | BinaryenFeatureReferenceTypes() |
           BinaryenFeatureMultivalue() | BinaryenFeatureExceptionHandling();
}

static uint8_t *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) die("%s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0) die("%s: cannot seek", path);
    long n = ftell(f);
    if (n <= 0) die("%s: empty or unreadable", path);
    rewind(f);
    uint8_t *buf = malloc((size_t)n);
    if (!buf) die("out of memory");
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) die("%s: short read", path);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

int main(int argc, char **argv) {
    bool meter = argc == 3;
    if (!meter && !(argc == 4 && strcmp(argv[3], "--no-fuel") == 0)) {
        fputs("usage: cpython-meter IN.wasm OUT.wasm [--no-fuel]\n", stderr);
        return 2;
    }
    size_t size;
    uint8_t *buf = slurp(argv[1], &size);
    BinaryenModuleRef m = BinaryenModuleRead((char *)buf, size);
    if (!m) die("%s: Binaryen could not read the module", argv[1]);
    BinaryenModuleSetFeatures(m, cpython_features());
    FuelStats fs;
    fuel_add(m, meter, &fs);
    if (!BinaryenModuleValidate(m)) die("internal: the metered module does not validate");
    BinaryenModuleAllocateAndWriteResult w = BinaryenModuleAllocateAndWrite(m, NULL);
    if (!w.binary) die("Binaryen could not write the module");
    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(w.binary, 1, w.binaryBytes, out) != w.binaryBytes || fclose(out) != 0)
        die("%s: write failed", argv[2]);
    note("%s: %zu bytes; %u functions, %u metered, %u unmetered leaves; checks: %u entry + %u loop + %u "
         "bulk-memory; charge-only: %u entry + %u catch; %u entries folded into their callers; max cost %lld; at most %lld between checks (%u entries checked for that); "
         "%u functions keep the counter in a local",
         argv[2], w.binaryBytes, fs.funcs_total, fs.funcs_metered, fs.funcs_leaf, fs.entry_checks,
         fs.loop_checks, fs.bulk_checks, fs.entry_charges, fs.charge_points, fs.entry_folded,
         (long long)fs.max_cost, (long long)fs.check_interval,
         fs.entry_checks_added, fs.funcs_local_counter);
    free(w.binary);
    free(w.sourceMap);
    BinaryenModuleDispose(m);
    free(buf);
    return 0;
}
