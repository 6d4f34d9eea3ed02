/*
 * compileall.c - build tool: run a Python script (guests/cpython/compileall.py)
 * in the CPython guest, booted with the pinned standard library zip, and
 * write what it printed to stdout.
 *
 *   cpython-compileall SCRIPT.py > OUT
 *
 * Linked with the pinned zip, not the one it helps to make. Exit status 1
 * if the boot failed or the script raised. Output past 256 MiB is cut: the
 * script ends with a line that says how many came before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/cpython/cpython_guest.h"
#include "runtime/vm.h"

#define OUTPUT_BYTES (256u << 20)

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    long len = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *data = len >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)len + 1) : NULL;
    if (data && fread(data, 1, (size_t)len, f) != (size_t)len) {
        free(data);
        data = NULL;
    }
    if (data) data[len] = '\0';
    if (f) fclose(f);
    return data;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: cpython-compileall SCRIPT.py > OUT\n");
        return 2;
    }
    char *script = slurp(argv[1]);
    if (!script) {
        perror(argv[1]);
        return 1;
    }
    cpython_options opt = {.output_bytes = OUTPUT_BYTES};
    int trap = 0;
    cpython_vm *c = cpython_boot(&opt, &trap);
    int rc = c && !trap ? cpython_exec(c, script, &trap) : CPYTHON_DEAD;
    const char *out = c ? cpython_output(c, 0) : "";
    size_t len = strlen(out);
    if (rc != CPYTHON_OK) {
        fprintf(stderr, "cpython-compileall: %s failed (%d, %s): %.2000s\n", argv[1], rc,
                trap ? vm_trap_message(trap) : "no trap", c ? cpython_output(c, 1) : "out of memory");
        cpython_free(c);
        return 1;
    }
    bool ok = fwrite(out, 1, len, stdout) == len && fflush(stdout) == 0;
    cpython_free(c);
    free(script);
    return ok ? 0 : 1;
}
