/*
 * snapshot.c - boot CPython once, freeze it, and make fresh interpreters as
 * copy-on-write views of the frozen one.
 *
 * A snapshot is the booted interpreter's linear memory in a sealed memfd
 * (only the pages that hold data are written: the rest stays a hole), its
 * instance (the wasm globals), its function table and the little host state
 * that describes guest memory (cpython_vm.utc_name). A fresh interpreter
 * maps the memfd MAP_PRIVATE, so it shares every page with the snapshot
 * until it writes one, and gets its own table, vfs, limits and output.
 *
 * What two interpreters made from one snapshot share: everything the boot
 * computed, which includes CPython's string-hash secret (_Py_HashSecret,
 * drawn from random_get during Py_InitializeEx; changing it afterwards would
 * corrupt every dict the boot built). What they never share: the boot
 * imports no module that keeps a random state (snapshot_check_seedless),
 * so random, os.urandom, secrets, uuid.uuid4() and tempfile draw from
 * random_get in each interpreter, afresh.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi/abi.h"
#include "cpython_guest.h"
#include "cpython_vm.h"

struct cpython_snapshot {
    int fd;                       /* sealed memfd of the memory */
    uint64_t bytes;               /* its size */
    Z_cpython_instance_t inst;    /* globals; host pointers are replaced */
    wasm_rt_funcref_t *table;     /* the function table */
    uint32_t table_size;
    uint32_t utc_name;            /* cpython_vm.utc_name */
    uint64_t boot_elapsed_ns;     /* the guest clock at the freeze */
};

#define PAGE 4096u

static bool page_is_zero(const uint8_t *p) {
    uint64_t acc = 0;
    for (size_t i = 0; i < PAGE; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    return acc == 0;
}

/* Write memory to fd, one pwrite per run of pages holding data. */
static bool write_data_runs(int fd, const uint8_t *mem, uint64_t bytes) {
    uint64_t run = 0, at = 0;
    for (uint64_t off = 0; off <= bytes; off += PAGE) {
        bool data = off < bytes && !page_is_zero(mem + off);
        if (data && !run) at = off;
        if (data) {
            run += PAGE;
            continue;
        }
        for (uint64_t done = 0; done < run;) {
            ssize_t n = pwrite(fd, mem + at + done, run - done, (off_t)(at + done));
            if (n <= 0) return false;
            done += (uint64_t)n;
        }
        run = 0;
    }
    return true;
}

static int freeze_memory(const airlock_vm *vm) {
    int fd = memfd_create("airlock-cpython-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    if (ftruncate(fd, (off_t)vm->mem->size) != 0 || !write_data_runs(fd, vm->mem->data, vm->mem->size) ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

uint64_t cpython_snapshot_bytes(const cpython_snapshot *s) { return s->bytes; }

void cpython_snapshot_free(cpython_snapshot *s) {
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    free(s->table);
    free(s);
}

/* Freeze c, a booted interpreter that has run nothing. */
static cpython_snapshot *freeze(const cpython_vm *c) {
    cpython_snapshot *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    const wasm_rt_funcref_table_t *t = &c->inst.w2c___indirect_function_table;
    s->fd = freeze_memory(&c->vm);
    s->bytes = c->vm.mem->size;
    s->inst = c->inst;
    s->table_size = t->size;
    s->table = malloc((t->size ? t->size : 1) * sizeof *s->table);
    s->utc_name = c->utc_name;
    s->boot_elapsed_ns = abi_monotonic_ns() - c->vm.ticks_origin_ns;
    if (s->fd < 0 || !s->table) {
        cpython_snapshot_free(s);
        return NULL;
    }
    memcpy(s->table, t->data, t->size * sizeof *s->table);
    return s;
}

cpython_snapshot *cpython_snapshot_new(const cpython_options *opt, int *trap) {
    cpython_options boot_opt = *opt;
    boot_opt.deterministic = false; /* what each fresh interpreter draws is its own */
    cpython_vm *c = cpython_boot(&boot_opt, trap);
    if (!c || *trap) {
        cpython_free(c);
        return NULL;
    }
    cpython_snapshot *s = cpython_snapshot_check_seedless(c) ? freeze(c) : NULL;
    cpython_free(c);
    return s;
}

/* Give c the snapshot's instance with c's own host pointers and tables. */
static bool attach(cpython_vm *c, const cpython_snapshot *s) {
    c->inst = s->inst;
    c->inst.Z_env_instance = (struct Z_pyenv_instance_t *)&c->vm;
    c->inst.Z_wasi_snapshot_preview1_instance = (struct Z_pywasi_instance_t *)&c->vm;
    c->inst.Z_airlock_instance = (struct Z_pyairlock_instance_t *)&c->vm;
    c->inst.w2c_memory = (wasm_rt_memory_t){.max_pages = s->inst.w2c_memory.max_pages};
    wasm_rt_funcref_t *table = malloc((s->table_size ? s->table_size : 1) * sizeof *table);
    wasm_rt_externref_t *t1 = calloc(s->inst.w2c_T1.size + 1, sizeof *t1);
    wasm_rt_externref_t *t2 = calloc(s->inst.w2c_T2.size + 1, sizeof *t2);
    c->inst.w2c___indirect_function_table.data = table;
    c->inst.w2c_T1.data = t1;
    c->inst.w2c_T2.data = t2;
    if (!table || !t1 || !t2) return false;
    for (uint32_t i = 0; i < s->table_size; i++) {
        table[i] = s->table[i];
        if (table[i].func) table[i].module_instance = &c->inst;
    }
    c->vm.mem = &c->inst.w2c_memory;
    return vm_memory_map_snapshot(&c->vm, s->fd, s->bytes) == 0;
}

cpython_vm *cpython_new_from_snapshot(const cpython_snapshot *s, const cpython_options *opt) {
    cpython_vm *c = cpython_vm_new(opt);
    if (!c) return NULL;
    if (c->vm.mem_limit < s->bytes || !attach(c, s)) {
        cpython_free(c);
        return NULL;
    }
    c->utc_name = s->utc_name;
    /* the guest's monotonic clock goes on from where the boot left it */
    c->vm.ticks_origin_ns = abi_monotonic_ns() - s->boot_elapsed_ns;
    return c;
}
