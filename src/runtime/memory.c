/*
 * memory.c - guest linear memory.
 *
 * Each vm reserves a large range of address space with no access and makes
 * the first `size` bytes readable and writable. In guard-page mode (the
 * default) the reservation covers every address a 32-bit pointer plus a
 * 32-bit offset can form, so generated code needs no bounds checks: any
 * access beyond `size` faults inside the reservation and becomes a trap
 * (signals.c). In explicit mode the generated code checks every access and
 * the same reservation simply gives memory room to grow in place.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/vm.h"

#define WASM_PAGE 65536ull
/* 4 GiB of addresses plus 4 GiB of offsets, plus slack for wide accesses. */
#define RESERVATION ((8ull << 30) + WASM_PAGE)

static int reserve(airlock_vm *vm) {
    if (!vm->mem) return -1; /* the guest's memory descriptor, set first (vm.h) */
    void *p = mmap(NULL, RESERVATION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return -1;
    vm->mem_base = p;
    vm->mem_reserved = RESERVATION;
    return 0;
}

static void set_size(airlock_vm *vm, uint64_t bytes) {
    if (!vm->mem) return; /* never mapped */
    vm->mem->data = vm->mem_base;
    vm->mem->size = bytes;
    vm->mem->pages = (uint32_t)(bytes / WASM_PAGE);
}

int vm_memory_map(airlock_vm *vm, uint32_t pages) {
    uint64_t bytes = (uint64_t)pages * WASM_PAGE;
    if (bytes > vm->mem_limit) return -1;
    if (reserve(vm) != 0) return -1;
    vm->snap_mapped = false;
    if (bytes && mprotect(vm->mem_base, bytes, PROT_READ | PROT_WRITE) != 0) {
        vm_memory_unmap(vm);
        return -1;
    }
    set_size(vm, bytes);
    return 0;
}

int vm_memory_map_snapshot(airlock_vm *vm, int fd, uint64_t bytes) {
    if (reserve(vm) != 0) return -1;
    if (bytes && mmap(vm->mem_base, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
        vm_memory_unmap(vm);
        return -1;
    }
    vm->snap_mapped = true;
    set_size(vm, bytes);
    return 0;
}

int vm_memory_map_runs(airlock_vm *vm, int fd, uint64_t bytes, const vm_map_run *runs, size_t n) {
    if (vm_memory_map(vm, (uint32_t)(bytes / WASM_PAGE)) != 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (runs[i].at + runs[i].len > bytes ||
            mmap(vm->mem_base + runs[i].at, runs[i].len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd,
                 (off_t)runs[i].file_offset) == MAP_FAILED) {
            vm_memory_unmap(vm);
            return -1;
        }
    vm->snap_mapped = true;
    return 0;
}

int64_t vm_memory_grow(airlock_vm *vm, uint32_t delta) {
    wasm_rt_memory_t *mem = vm->mem;
    uint64_t old_pages = mem->pages;
    uint64_t new_pages = old_pages + delta;
    if (new_pages > mem->max_pages || new_pages * WASM_PAGE > vm->mem_limit) {
        vm->mem_limit_hit = true;
        return -1;
    }
    if (delta && mprotect(vm->mem_base + old_pages * WASM_PAGE, (uint64_t)delta * WASM_PAGE,
                          PROT_READ | PROT_WRITE) != 0)
        return -1;
    set_size(vm, new_pages * WASM_PAGE);
    return (int64_t)old_pages;
}

void vm_memory_unmap(airlock_vm *vm) {
    if (vm->mem_base) munmap(vm->mem_base, vm->mem_reserved);
    vm->mem_base = NULL;
    vm->mem_reserved = 0;
    set_size(vm, 0);
}

/* pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)
#define PM_FILE (1ull << 61)

int64_t vm_memory_written(const airlock_vm *vm, int pagemap_fd, uint64_t first, uint32_t n, uint8_t *written) {
    uint64_t entries[512];
    const uint64_t page = 4096;
    uint64_t base = (uintptr_t)vm->mem_base / page + first;
    uint32_t done = 0;
    while (done < n) {
        uint32_t k = n - done < 512 ? n - done : 512;
        ssize_t got = pread(pagemap_fd, entries, k * sizeof *entries, (off_t)((base + done) * sizeof *entries));
        if (got != (ssize_t)(k * sizeof *entries)) return -1;
        for (uint32_t i = 0; i < k; i++) {
            uint64_t e = entries[i];
            /* an anonymous page here is a private copy: something wrote it */
            written[done + i] = ((e & PM_PRESENT) && !(e & PM_FILE)) || (e & PM_SWAPPED);
        }
        done += k;
    }
    return done;
}

void vm_prepare_write(airlock_vm *vm, uint8_t *p, uint64_t len) {
    if (!vm->undo_active || len == 0) return;
    uintptr_t page = (uintptr_t)p & ~(uintptr_t)4095;
    for (; page < (uintptr_t)p + len; page += 4096) {
        volatile uint8_t *b = (volatile uint8_t *)(page < (uintptr_t)p ? p : (uint8_t *)page);
        *b = *b;
    }
}

bool vm_load_u32(airlock_vm *vm, uint32_t addr, uint32_t *out) {
    uint8_t *p = vm_ptr(vm, addr, 4);
    if (!p) return false;
    memcpy(out, p, 4);
    return true;
}

bool vm_store_u32(airlock_vm *vm, uint32_t addr, uint32_t value) {
    uint8_t *p = vm_ptr(vm, addr, 4);
    if (!p) return false;
    memcpy(p, &value, 4);
    return true;
}

int64_t vm_strlen(airlock_vm *vm, uint32_t addr, uint32_t max) {
    uint64_t size = vm->mem->size;
    if (addr >= size) return -1;
    uint64_t avail = size - addr;
    if (avail > (uint64_t)max + 1) avail = (uint64_t)max + 1;
    const uint8_t *p = vm->mem->data + addr;
    const uint8_t *nul = memchr(p, 0, avail);
    return nul ? (int64_t)(nul - p) : -1;
}
