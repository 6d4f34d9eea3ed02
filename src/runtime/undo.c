/*
 * undo.c - page-level undo log of one execution (undo.h).
 *
 * The saved copy of guest page i lives at the same offset i in an undo area
 * of the same size as the memory reservation: no allocation at fault time
 * (the fault handler may not call malloc), and only saved pages use memory.
 * Memory is reached through vm->mem, the guest's memory descriptor, and
 * what the guest keeps outside it (its instance's globals) through its
 * undo_save/undo_restore hooks (guests/guest.h): this file serves every
 * guest alike.
 *
 * In guard-page mode memory stays read-only between executions ("guarded"),
 * except the few pages the last executions wrote, which stay writable and
 * are kept in a list. The next execution saves those up front (a copy each,
 * no fault) and every other page on its first write (a fault). So a small
 * execution that writes the same pages as the one before costs a few page
 * copies and no protection change; only the first execution of a sandbox
 * makes the whole memory read-only, and only an execution that wrote more
 * than the guest's undo_keep pages protects it whole again.
 */
#include "runtime/undo.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guests/guest.h"

#define PAGE 4096u

static bool ensure_area(airlock_vm *vm) {
    if (!vm->undo_area) {
        void *p = mmap(NULL, vm->mem_reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (p == MAP_FAILED) return false;
        vm->undo_area = p;
    }
    size_t bitmap_bytes = (size_t)(vm->mem->size / PAGE + 7) / 8 + 1;
    if (bitmap_bytes > vm->undo_bitmap_bytes) {
        uint8_t *b = realloc(vm->undo_bitmap, bitmap_bytes);
        if (!b) return false;
        vm->undo_bitmap = b;
        vm->undo_bitmap_bytes = bitmap_bytes;
    }
    memset(vm->undo_bitmap, 0, bitmap_bytes);
    return true;
}

/* Save page `page` (its current contents) in the undo area. */
static void save_page(airlock_vm *vm, uint64_t page) {
    uint64_t off = page * PAGE;
    memcpy(vm->undo_area + off, vm->mem_base + off, PAGE);
    vm->undo_bitmap[page / 8] |= (uint8_t)(1u << (page % 8));
    if (off < vm->undo_low) vm->undo_low = off;
    if (off + PAGE > vm->undo_high) vm->undo_high = off + PAGE;
}

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
static bool is_saved(const airlock_vm *vm, uint64_t page) {
    return vm->undo_bitmap[page / 8] & (1u << (page % 8));
}

/* Memory fully writable again (recording could not start). */
static void unguard(airlock_vm *vm) {
    if (vm->undo_guarded && vm->mem->size)
        mprotect(vm->mem_base, vm->mem->size, PROT_READ | PROT_WRITE);
    vm->undo_guarded = false;
    vm->undo_kept_count = 0;
}
#endif

void undo_skip(airlock_vm *vm) {
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
    unguard(vm);
#else
    (void)vm;
#endif
}

bool undo_begin(airlock_vm *vm) {
    vm->undo_active = false;
    vm->undo_size = vm->mem->size;
    vm->undo_low = UINT64_MAX;
    vm->undo_high = 0;
    bool ready = vm->guest->undo_save(vm) && ensure_area(vm);
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
    if (!ready) {
        unguard(vm);
        return false;
    }
    if (!vm->undo_guarded) {
        if (vm->undo_size && mprotect(vm->mem_base, vm->undo_size, PROT_READ) != 0) {
            mprotect(vm->mem_base, vm->undo_size, PROT_READ | PROT_WRITE);
            return false;
        }
        vm->undo_guarded = true;
        vm->undo_kept_count = 0;
    }
    /* the pages left writable are saved now: their first write will not fault */
    for (uint32_t i = 0; i < vm->undo_kept_count; i++) save_page(vm, vm->undo_kept[i]);
#else
    if (!ready) return false;
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
    uint64_t page = (addr - base) / PAGE;
    /* A read fault cannot happen on a PROT_READ page: this is a first write. */
    save_page(vm, page);
    return mprotect(vm->mem_base + page * PAGE, PAGE, PROT_READ | PROT_WRITE) == 0;
}

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
/* Make pages [from, to) read-only (one call for the run). */
static void protect_run(airlock_vm *vm, uint64_t from, uint64_t to) {
    if (to > from) mprotect(vm->mem_base + from * PAGE, (to - from) * PAGE, PROT_READ);
}

/* Protect pages [from, to) again and drop their saved copies. */
static void drop_run(airlock_vm *vm, uint64_t from, uint64_t to) {
    if (to <= from) return;
    protect_run(vm, from, to);
    madvise(vm->undo_area + from * PAGE, (to - from) * PAGE, MADV_DONTNEED);
}

/* Executions a kept page may go unchanged before it is protected again: a
 * page written every time may still end up with the same contents (the
 * interpreter's stack), and a fault (with the two mprotects around it)
 * costs about what 20 executions' copy and compare of the page do. 32, not
 * 8: exec("x = 1") 103 -> 85 us on the CPython guest, 23.2 -> 20.6 us on
 * the MicroPython guest (bench/harness exec-small, same sitting). */
#define UNDO_IDLE 32

/*
 * After the execution: the saved pages stay writable and are kept for the
 * next execution, unless one was kept before and has now gone UNDO_IDLE
 * executions unchanged; the others are protected again, run by run (and
 * their saved copies dropped), and so is memory the execution grew. With
 * more than the guest's undo_keep pages to keep, all of memory is
 * protected in one call and false returned.
 */
static bool settle(airlock_vm *vm) {
    uint64_t size = vm->mem->size;
    if (size > vm->undo_size) protect_run(vm, vm->undo_size / PAGE, size / PAGE);
    uint32_t old_count = vm->undo_kept_count, o = 0, n = 0;
    uint32_t keep = vm->guest->undo_keep < UNDO_KEEP_MAX ? vm->guest->undo_keep : UNDO_KEEP_MAX;
    uint32_t pages[UNDO_KEEP_MAX];
    uint8_t idle[UNDO_KEEP_MAX];
    uint64_t run_start = 0, run_end = 0; /* pages to protect, not yet done */
    for (uint64_t off = vm->undo_low; off < vm->undo_high; off += PAGE) {
        uint64_t page = off / PAGE;
        if (!is_saved(vm, page)) continue;
        while (o < old_count && vm->undo_kept[o] < page) o++; /* both lists ascend */
        bool was_kept = o < old_count && vm->undo_kept[o] == page;
        unsigned age = 0;
        if (was_kept && memcmp(vm->mem_base + off, vm->undo_area + off, PAGE) == 0) age = vm->undo_kept_idle[o] + 1u;
        if (age < UNDO_IDLE) {
            if (n == keep) {
                mprotect(vm->mem_base, vm->undo_size, PROT_READ);
                vm->undo_kept_count = 0;
                return false;
            }
            pages[n] = (uint32_t)page;
            idle[n++] = (uint8_t)age;
            continue;
        }
        if (page != run_end) {
            drop_run(vm, run_start, run_end);
            run_start = page;
        }
        run_end = page + 1;
    }
    drop_run(vm, run_start, run_end);
    memcpy(vm->undo_kept, pages, n * sizeof *pages);
    memcpy(vm->undo_kept_idle, idle, n);
    vm->undo_kept_count = n;
    return true;
}
#endif

/* Settle the protection. The saved copies of kept pages stay, so that the
 * next execution copies into pages already there instead of faulting each
 * one in again (at most the guest's undo_keep pages per sandbox); all
 * others go. */
static void finish(airlock_vm *vm) {
    bool kept = false;
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
    kept = settle(vm);
#endif
    if (!kept && vm->undo_high > vm->undo_low)
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
        if (is_saved(vm, off / PAGE)) memcpy(vm->mem_base + off, vm->undo_area + off, PAGE);
#else
    memcpy(vm->mem_base, vm->undo_area, vm->undo_size);
#endif
    /* Memory the execution grew goes away again. */
    uint64_t grown = vm->mem->size;
    if (grown > vm->undo_size) {
        mprotect(vm->mem_base + vm->undo_size, grown - vm->undo_size, PROT_NONE);
        madvise(vm->mem_base + vm->undo_size, grown - vm->undo_size, MADV_DONTNEED);
    }
    vm->mem->size = vm->undo_size;
    vm->mem->pages = (uint32_t)(vm->undo_size / 65536);
    vm->guest->undo_restore(vm);
    finish(vm);
}

void undo_free(airlock_vm *vm) {
    if (vm->undo_area) munmap(vm->undo_area, vm->mem_reserved);
    vm->undo_area = NULL;
    free(vm->undo_bitmap);
    vm->undo_bitmap = NULL;
    vm->undo_bitmap_bytes = 0;
}
