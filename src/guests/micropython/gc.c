/*
 * gc.c - garbage collection while Python runs.
 *
 * The guest's own gc_collect() only sets a flag (in a browser, pointers held
 * in WebAssembly locals cannot be found, so MicroPython's pyscript build
 * defers every collection until the outermost call returns). The build-time
 * patch (guests/patch) makes gc_collect() call this import instead. Here,
 * WebAssembly locals are C locals of the translated code, on this thread's
 * native stack or in its registers, so we can find them: we run MicroPython's
 * own collection, and between its start (which marks the interpreter's root
 * pointers) and its end (which traces and sweeps) we mark every heap block
 * that any word on the native stack, in the registers, or on the guest's
 * shadow stack could point to, as a 32-bit guest address or as a host
 * address inside linear memory. Conservative, like MicroPython's collector
 * on real hardware: a stale word can keep garbage alive, never the reverse.
 *
 * The trace from the marked blocks to everything they reach is done here
 * too (trace_heap), with a host-side mark stack: the guest's holds 64
 * entries, and every overflow made it re-scan the whole heap.
 *
 * The heap layout (layout.h, derived from the module at build time) is read
 * from guest memory, which the guest can write: every field is validated
 * before use and a malformed heap traps the sandbox.
 */
#include <stdlib.h>
#include <string.h>

#include "guests/micropython/micropython.h"
#include "runtime/image.h"
#include "runtime/meter.h"
#include "runtime/undo.h"
#include "runtime/vm.h"

/* Under valgrind, the scanned stack range is declared defined first: the
 * scan reads dead and never-written slots on purpose, and memcheck would
 * otherwise report every branch on them and, worse, taint the mark bits
 * (and so the guest's whole collection) with "uninitialised". Outside
 * valgrind the client request is a few no-op instructions. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define SCAN_IS_INTENDED(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#endif
#endif
#ifndef SCAN_IS_INTENDED
#define SCAN_IS_INTENDED(p, n) ((void)0)
#endif

#define MAX_AREAS 4096
#define ATB_FREE 0u
#define ATB_HEAD 1u
#define ATB_TAIL 2u
#define ATB_MARK 3u

typedef struct heap_area {
    uint32_t atb;        /* allocation table: 2 bits per block */
    uint32_t atb_len;
    uint32_t pool_start, pool_end;
} heap_area;

typedef struct heap {
    heap_area areas[64];
    int count;
    uint32_t lo, hi;     /* bounds of all pools, for a quick reject */
} heap;

static uint64_t heap_bytes_in_use(airlock_vm *vm, const heap *h, uint8_t *free_pages, uint64_t pages);

/* Read the guest's list of heap areas; false if it is malformed. */
static bool read_heap(airlock_vm *vm, heap *h) {
    h->count = 0;
    h->lo = UINT32_MAX;
    h->hi = 0;
    uint32_t addr = AIRLOCK_GC_AREA_ADDR;
    for (int guard = 0; addr; guard++) {
        uint32_t f[6];
        const uint8_t *p = vm_ptr(vm, addr, sizeof f);
        if (!p || guard >= MAX_AREAS) return false;
        memcpy(f, p, sizeof f);
        heap_area a = {.atb = f[1], .atb_len = f[2], .pool_start = f[4], .pool_end = f[5]};
        uint64_t blocks = ((uint64_t)a.pool_end - a.pool_start) / AIRLOCK_GC_BLOCK_BYTES;
        if (a.pool_end < a.pool_start || !vm_ptr(vm, a.pool_start, a.pool_end - a.pool_start) ||
            !vm_ptr(vm, a.atb, a.atb_len) || (uint64_t)a.atb_len * 4 < blocks)
            return false;
        if (h->count == (int)(sizeof h->areas / sizeof h->areas[0])) return false;
        h->areas[h->count++] = a;
        if (a.pool_start < h->lo) h->lo = a.pool_start;
        if (a.pool_end > h->hi) h->hi = a.pool_end;
        addr = f[0];
    }
    return true;
}

static unsigned atb_get(const uint8_t *atb, uint32_t block) {
    return (atb[block / 4] >> (2 * (block % 4))) & 3u;
}

static void atb_set(uint8_t *atb, uint32_t block, unsigned kind) {
    uint8_t shift = (uint8_t)(2 * (block % 4));
    atb[block / 4] = (uint8_t)((atb[block / 4] & ~(3u << shift)) | (kind << shift));
}

/* Mark the block holding guest address p, if p lies in a heap pool. */
static void mark_candidate(airlock_vm *vm, const heap *h, uint32_t p) {
    if (p < h->lo || p >= h->hi) return;
    for (int i = 0; i < h->count; i++) {
        const heap_area *a = &h->areas[i];
        if (p < a->pool_start || p >= a->pool_end) continue;
        uint8_t *atb = vm->inst.w2c_memory.data + a->atb;
        uint32_t block = (p - a->pool_start) / AIRLOCK_GC_BLOCK_BYTES;
        unsigned kind = atb_get(atb, block);
        /* An interior pointer: walk back to the head of its allocation. */
        while (kind == ATB_TAIL && block > 0) kind = atb_get(atb, --block);
        if (kind == ATB_HEAD) atb_set(atb, block, ATB_MARK);
        return;
    }
}

/* Scan [lo, hi) of host memory for guest addresses and host addresses into
 * linear memory. The native stack is 8-byte aligned; 32-bit values can sit
 * in either half of a word. */
__attribute__((no_sanitize_address)) static void scan_host_range(airlock_vm *vm, const heap *h, uintptr_t lo, uintptr_t hi) {
    uintptr_t base = (uintptr_t)vm->inst.w2c_memory.data;
    uint64_t size = vm->inst.w2c_memory.size;
    lo &= ~(uintptr_t)7;
    for (uintptr_t p = lo; p + 8 <= hi; p += 8) {
        uint64_t w;
        memcpy(&w, (const void *)p, 8);
        mark_candidate(vm, h, (uint32_t)w);
        mark_candidate(vm, h, (uint32_t)(w >> 32));
        if (w >= base && w - base < size) mark_candidate(vm, h, (uint32_t)(w - base));
    }
}

/* The guest's shadow stack: from its stack pointer up to its base. */
static void scan_shadow_stack(airlock_vm *vm, const heap *h) {
    uint32_t sp = vm->inst.w2c_g0;
    uint32_t base = Z_guestZ_emscripten_stack_get_base(&vm->inst);
    if (sp > base || !vm_ptr(vm, sp, base - sp)) vm_trap(vm, WASM_RT_TRAP_OOB);
    for (uint32_t a = sp & ~3u; a + 4 <= base; a += 4) {
        uint32_t w;
        memcpy(&w, vm->inst.w2c_memory.data + a, 4);
        mark_candidate(vm, h, w);
    }
}

/* noinline: its own frame, which holds the spilled registers, must be part
 * of the scanned range, from its stack pointer up to the guest's entry. */
__attribute__((noinline)) static void scan_roots(airlock_vm *vm, const heap *h) {
    /* Spill every callee-saved register into this frame so the scan sees
     * guest pointers that live only in registers. */
    __builtin_unwind_init();
    uintptr_t sp;
    AIRLOCK_SP(sp);
    SCAN_IS_INTENDED((void *)sp, vm->stack_top - sp);
    scan_host_range(vm, h, sp, vm->stack_top);
    scan_shadow_stack(vm, h);
}

/*
 * The mark phase's trace, as MicroPython's gc_mark_subtree does it, from
 * every marked block (the interpreter's roots, marked by the guest's start
 * phase, and the stack words marked above): a block's words that are
 * block-aligned addresses inside a pool (the first area that holds them)
 * of an unmarked head mark that head, and it is traced in turn. A bitmap
 * records the blocks traced, so each live block is read once; the host's
 * stack is bounded, and when it is full a marked child is left for the
 * next pass over the tables, which traces the marked blocks not yet
 * traced. Host work: O(blocks x passes + live words), passes at most
 * 1 + blocks / TRACE_STACK.
 */
#define TRACE_STACK (1u << 16)

typedef struct trace_ref {
    uint32_t area, block;
} trace_ref;

typedef struct tracer {
    airlock_vm *vm;
    const heap *h;
    uint32_t blocks[64];   /* per area: the pool's blocks */
    uint64_t first[64];    /* per area: its first bit in traced */
    uint8_t *traced;
    trace_ref *stack;
    uint32_t sp;
    bool overflow;
} tracer;

static bool traced_test_and_set(tracer *t, trace_ref r) {
    uint64_t bit = t->first[r.area] + r.block;
    uint8_t mask = (uint8_t)(1u << (bit % 8));
    bool was = t->traced[bit / 8] & mask;
    t->traced[bit / 8] |= mask;
    return was;
}

/* Mark the head that word w addresses, as the guest's trace would, and push it. */
static void trace_child(tracer *t, uint32_t w) {
    if (w % AIRLOCK_GC_BLOCK_BYTES || w < t->h->lo || w >= t->h->hi) return;
    for (uint32_t i = 0; i < (uint32_t)t->h->count; i++) {
        const heap_area *a = &t->h->areas[i];
        if (w < a->pool_start || w >= a->pool_end) continue;
        uint8_t *atb = t->vm->inst.w2c_memory.data + a->atb;
        uint32_t block = (w - a->pool_start) / AIRLOCK_GC_BLOCK_BYTES;
        if (atb_get(atb, block) != ATB_HEAD) return;
        atb_set(atb, block, ATB_MARK);
        if (t->sp < TRACE_STACK) t->stack[t->sp++] = (trace_ref){i, block};
        else t->overflow = true;
        return;
    }
}

/* Trace one block: its allocation's words, up to the next non-tail block. */
static void trace_block(tracer *t, trace_ref r) {
    if (traced_test_and_set(t, r)) return;
    const heap_area *a = &t->h->areas[r.area];
    const uint8_t *atb = t->vm->inst.w2c_memory.data + a->atb;
    uint32_t n = 1;
    while (r.block + n < t->blocks[r.area] && atb_get(atb, r.block + n) == ATB_TAIL) n++;
    const uint8_t *p = t->vm->inst.w2c_memory.data + a->pool_start + (uint64_t)r.block * AIRLOCK_GC_BLOCK_BYTES;
    for (uint32_t i = 0; i < n * (AIRLOCK_GC_BLOCK_BYTES / 4); i++) {
        uint32_t w;
        memcpy(&w, p + 4 * (size_t)i, 4);
        trace_child(t, w);
    }
}

/* One pass over the allocation tables: trace every marked, untraced block. */
static void trace_pass(tracer *t) {
    for (uint32_t i = 0; i < (uint32_t)t->h->count; i++) {
        const uint8_t *atb = t->vm->inst.w2c_memory.data + t->h->areas[i].atb;
        for (uint32_t b = 0; b < t->blocks[i]; b++) {
            if (atb[b / 4] == 0) { b |= 3; continue; } /* four free blocks */
            if (atb_get(atb, b) != ATB_MARK) continue;
            trace_block(t, (trace_ref){i, b});
            while (t->sp) trace_block(t, t->stack[--t->sp]);
        }
    }
}

/* False if the host is out of memory (the guest's own trace then runs). */
static bool trace_heap(airlock_vm *vm, const heap *h) {
    tracer t = {.vm = vm, .h = h};
    uint64_t total = 0;
    for (int i = 0; i < h->count; i++) {
        t.blocks[i] = (h->areas[i].pool_end - h->areas[i].pool_start) / AIRLOCK_GC_BLOCK_BYTES;
        t.first[i] = total;
        total += t.blocks[i];
    }
    /* Pools of a sane heap do not overlap: together they fit in memory. */
    if (total > vm->inst.w2c_memory.size / AIRLOCK_GC_BLOCK_BYTES) vm_trap(vm, WASM_RT_TRAP_OOB);
    t.traced = calloc(total / 8 + 1, 1);
    t.stack = malloc(TRACE_STACK * sizeof *t.stack);
    bool ok = t.traced && t.stack;
    if (ok) {
        do {
            t.overflow = false;
            trace_pass(&t);
        } while (t.overflow);
    }
    free(t.traced);
    free(t.stack);
    return ok;
}

/*
 * A collection's work is bounded all the same: the guest can corrupt the
 * heap records the collector walks (a cycle in the area list, a pool that
 * spans all of memory), and an unbounded walk would hold the host thread
 * past every deadline. So the collector runs in fuel slices like guest code;
 * between slices meter.c watches the clock and interrupts but charges
 * nothing, and a collection that needs more than GC_WORK_PER_BYTE units per
 * byte of memory means a corrupt heap: a trap. (Measured when the guest
 * traced: a full collection of 32 MiB of small live objects in 71 MiB of
 * memory cost about 21 units per byte, most of it re-tracing after
 * mark-stack overflows; the guest's part is now its root marking and the
 * sweep.)
 */
#define GC_WORK_PER_BYTE 256u
#define GC_WORK_MIN 100000000u

void Z_airlockZ_gc_collect(struct Z_airlock_instance_t *self) {
    airlock_vm *vm = VM_OF(self);
    /* The collector's own work depends on what the conservative scan finds,
     * which can differ between runs; it is not charged to the run's fuel, so
     * fuel_used stays the same for the same program. */
    u64 fuel = vm->inst.w2c_airlock_fuel;
    vm->gc_work_left = GC_WORK_MIN + (uint64_t)vm->inst.w2c_memory.size * GC_WORK_PER_BYTE;
    vm->inst.w2c_airlock_fuel = AIRLOCK_GC_SLICE;
    Z_guestZ_airlock_gc_collect_start(&vm->inst);
    heap h;
    if (!read_heap(vm, &h)) vm_trap(vm, WASM_RT_TRAP_OOB);
    scan_roots(vm, &h);
    /* Everything marked is traced: the end phase has nothing to re-trace
     * (it does, from every marked block, if the host had no memory). */
    bool traced = trace_heap(vm, &h);
    if (!vm_store_u32(vm, AIRLOCK_GC_STACK_OVERFLOW_ADDR, !traced)) vm_trap(vm, WASM_RT_TRAP_OOB);
    Z_guestZ_airlock_gc_collect_end(&vm->inst);
    vm->gc_work_left = 0;
    vm->inst.w2c_airlock_fuel = fuel;
    vm->gc_count++;
    if (read_heap(vm, &h)) vm->heap_live_bytes = heap_bytes_in_use(vm, &h, NULL, 0);
}

/* ---- what a session image needs to hold ------------------------------------ */

/* Whether the blocks [b, b + n) are all free. */
static bool blocks_free(const uint8_t *atb, uint32_t b, uint32_t n) {
    for (; n && b % 4; b++, n--)
        if (atb_get(atb, b) != ATB_FREE) return false;
    for (; n >= 4; b += 4, n -= 4)
        if (atb[b / 4]) return false;
    for (; n; b++, n--)
        if (atb_get(atb, b) != ATB_FREE) return false;
    return true;
}

/* The whole pages of a's pool that hold part of an allocated block; the
 * others, which only free blocks cover (a block straddling a page's edge
 * counts for both pages), are set in free_pages (if not NULL). */
static uint64_t pages_in_use(const heap_area *a, const uint8_t *atb, uint8_t *free_pages, uint64_t pages) {
    const uint32_t block = AIRLOCK_GC_BLOCK_BYTES, blocks = (a->pool_end - a->pool_start) / block;
    uint64_t first = ((uint64_t)a->pool_start + IMAGE_PAGE - 1) / IMAGE_PAGE, end = a->pool_end / IMAGE_PAGE;
    uint64_t used = 0;
    for (uint64_t page = first; page < end; page++) {
        uint64_t lo = page * IMAGE_PAGE - a->pool_start, hi = lo + IMAGE_PAGE; /* pool offsets */
        uint32_t b0 = (uint32_t)(lo / block), b1 = (uint32_t)((hi + block - 1) / block);
        if (b1 > blocks) break; /* the pool's tail, past its last whole block */
        if (!blocks_free(atb, b0, b1 - b0)) used++;
        else if (free_pages && page < pages) free_pages[page / 8] |= (uint8_t)(1u << (page % 8));
    }
    return used;
}

/* The bytes of heap pages that hold allocated blocks (live or garbage),
 * and in free_pages (a bitmap of `pages` bits, or NULL) the others: nothing
 * reads those before an allocation clears them (MicroPython zeroes what
 * gc_alloc and gc_realloc hand out), so an image need not hold them. */
static uint64_t heap_bytes_in_use(airlock_vm *vm, const heap *h, uint8_t *free_pages, uint64_t pages) {
    uint64_t used = 0;
    for (int i = 0; i < h->count; i++)
        used += pages_in_use(&h->areas[i], vm->inst.w2c_memory.data + h->areas[i].atb, free_pages, pages);
    return used * IMAGE_PAGE;
}

bool mp_heap_scan(airlock_vm *vm, uint8_t *free_pages, uint64_t pages, uint64_t *in_use) {
    heap h;
    if (!read_heap(vm, &h)) return false;
    /* Pools of a sane heap do not overlap: the walk is bounded by memory. */
    uint64_t total = 0;
    for (int i = 0; i < h.count; i++) total += h.areas[i].pool_end - h.areas[i].pool_start;
    if (total > vm->inst.w2c_memory.size) return false;
    *in_use = heap_bytes_in_use(vm, &h, free_pages, pages);
    return true;
}

static void collect(airlock_vm *vm, void *arg) {
    (void)arg;
    Z_airlockZ_gc_collect((struct Z_airlock_instance_t *)vm);
}

bool mp_heap_collect(airlock_vm *vm) {
    /* Between executions: no stop or fuel of the last run applies, and a
     * collection that outlasts the sandbox's timeout is abandoned at once
     * (a stop already under way allows no grace and asks nothing of the
     * guest). Its writes go to the undo log: one that traps (a heap the
     * guest garbled; the collector's lock and marks would stay half-set)
     * leaves memory as it was. Without the log, no collection. */
    airlock_limits limits = vm->limits;
    vm->limits.fuel = 0;
    meter_begin(vm);
    vm->limits = limits;
    if (vm->deadline_ns) {
        vm->stop_reason = AIRLOCK_LIMIT_TIMEOUT;
        vm->grace_until_ns = vm->deadline_ns;
    }
    bool collected = false;
    if (vm->guest->undo && undo_begin(vm)) {
        collected = vm_call(vm, collect, NULL) == 0;
        if (collected) {
            undo_commit(vm);
        } else {
            undo_rollback(vm);
            vm->guest->rolled_back(vm);
        }
    }
    vm->stop_reason = AIRLOCK_LIMIT_NONE;
    vm->grace_until_ns = vm->deadline_ns = 0;
    vm->hard_stop = false;
    return collected;
}
