/*
 * undo.c - page-level undo log of one execution (undo.h).
 *
 * The saved copy of guest page i lives at the same offset i in an undo area
 * of the same size as the memory reservation: no allocation at fault time
 * (the fault handler may not call malloc), and only saved pages use memory.
 */
#include "runtime/undo.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime/qstr.h"

#define PAGE 4096u

static bool ensure_area(airlock_vm *vm) {
    if (vm->undo_area) return true;
    void *p = mmap(NULL, vm->mem_reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    vm->undo_area = p;
    return true;
}

bool undo_begin(airlock_vm *vm) {
    vm->undo_active = false;
    if (!ensure_area(vm)) return false;
    vm->undo_size = vm->inst.w2c_memory.size;
    vm->undo_inst = vm->inst;
    vm->undo_low = UINT64_MAX;
    vm->undo_high = 0;
    size_t bitmap_bytes = (size_t)(vm->undo_size / PAGE + 7) / 8 + 1;
    if (bitmap_bytes > vm->undo_bitmap_bytes) {
        uint8_t *b = realloc(vm->undo_bitmap, bitmap_bytes);
        if (!b) return false;
        vm->undo_bitmap = b;
        vm->undo_bitmap_bytes = bitmap_bytes;
    }
    memset(vm->undo_bitmap, 0, bitmap_bytes);
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
    if (vm->undo_size && mprotect(vm->mem_base, vm->undo_size, PROT_READ) != 0) return false;
#else
    memcpy(vm->undo_area, vm->mem_base, vm->undo_size);
    vm->undo_low = 0;
    vm->undo_high = vm->undo_size;
#endif
    vm->undo_active = true;
    return true;
}

bool undo_on_fault(airlock_vm *vm, const siginfo_t *info) {
    if (!vm || !vm->undo_active) return false;
    uintptr_t addr = (uintptr_t)info->si_addr, base = (uintptr_t)vm->mem_base;
    if (addr < base || addr - base >= vm->undo_size) return false;
    uint64_t off = (addr - base) & ~(uint64_t)(PAGE - 1);
    /* A read fault cannot happen on a PROT_READ page: this is a first write. */
    memcpy(vm->undo_area + off, vm->mem_base + off, PAGE);
    if (mprotect(vm->mem_base + off, PAGE, PROT_READ | PROT_WRITE) != 0) return false;
    vm->undo_bitmap[off / PAGE / 8] |= (uint8_t)(1u << (off / PAGE % 8));
    if (off < vm->undo_low) vm->undo_low = off;
    if (off + PAGE > vm->undo_high) vm->undo_high = off + PAGE;
    return true;
}

/* Make the recorded range writable again and drop the saved copies. */
static void finish(airlock_vm *vm) {
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
    if (vm->undo_size) mprotect(vm->mem_base, vm->undo_size, PROT_READ | PROT_WRITE);
#endif
    if (vm->undo_high > vm->undo_low)
        madvise(vm->undo_area + vm->undo_low, vm->undo_high - vm->undo_low, MADV_DONTNEED);
    vm->undo_active = false;
}

void undo_commit(airlock_vm *vm) {
    if (vm->undo_active) finish(vm);
}

void undo_rollback(airlock_vm *vm) {
    if (!vm->undo_active) return;
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
    for (uint64_t off = vm->undo_low; off < vm->undo_high && off < vm->undo_size; off += PAGE)
        if (vm->undo_bitmap[off / PAGE / 8] & (1u << (off / PAGE % 8)))
            memcpy(vm->mem_base + off, vm->undo_area + off, PAGE);
#else
    memcpy(vm->mem_base, vm->undo_area, vm->undo_size);
#endif
    /* Memory the execution grew goes away again. */
    uint64_t grown = vm->inst.w2c_memory.size;
    if (grown > vm->undo_size) {
        mprotect(vm->mem_base + vm->undo_size, grown - vm->undo_size, PROT_NONE);
        madvise(vm->mem_base + vm->undo_size, grown - vm->undo_size, MADV_DONTNEED);
    }
    wasm_rt_memory_t mem = vm->inst.w2c_memory;
    wasm_rt_funcref_table_t table = vm->inst.w2c___indirect_function_table;
    vm->inst = vm->undo_inst;
    vm->inst.w2c_memory = mem;
    vm->inst.w2c_memory.size = vm->undo_size;
    vm->inst.w2c_memory.pages = (uint32_t)(vm->undo_size / 65536);
    vm->inst.w2c___indirect_function_table = table;
    qstr_index_reset(vm); /* the pools may have lost entries */
    finish(vm);
}

void undo_free(airlock_vm *vm) {
    if (vm->undo_area) munmap(vm->undo_area, vm->mem_reserved);
    vm->undo_area = NULL;
    free(vm->undo_bitmap);
    vm->undo_bitmap = NULL;
    vm->undo_bitmap_bytes = 0;
}
