/*
 * airlock-patch: build-time rewriting of the pinned MicroPython guest.
 *
 * Shared declarations between the passes.  Each pass lives in its own file:
 *   wasmbin.c   minimal reader for the data section of a .wasm file, so the
 *               data image can be inspected and patched in place (same length)
 *               before Binaryen parses the module
 *   modtable.c  removes `uctypes` from MicroPython's ROM module tables
 *   dictmap.c   dict(m) and d.update(m) treat every object with keys() as a
 *               mapping, as CPython does
 *   messages.c  fixes an error text that can reach the guest unformatted
 *   gchook.c    finds gc_collect & friends by shape, hooks gc_collect to the
 *               host, derives the runtime's layout constants
 *   fuel.c      inline fuel metering at function entries and loop headers
 *   vstrgrow.c  geometric growth of vstr buffers (json.dumps, str.join...)
 *   qstrfind.c  qstr_find_strn asks the host's hash index first
 *   maptable.c  dicts and sets: mixed home slots, growth at 3/4 full
 *   gcalloc.c   gc_alloc: next-fit for allocations of 2 blocks or more
 *   strfind.c   find_subbytes asks the host (memmem) first
 *   sjlj.c      setjmp/longjmp without a host call per invoke
 *   airlock_patch.c  command line, orchestration, LAYOUT.h writer
 */
#ifndef AIRLOCK_PATCH_H
#define AIRLOCK_PATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <binaryen-c.h>

/* ---- diagnostics ---- */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- wasmbin.c: the active data segments of a module, in its file bytes ---- */
typedef struct {
    uint32_t addr;      /* linear-memory address of the first byte */
    uint32_t len;
    size_t file_off;    /* where the bytes are in the .wasm buffer */
} DataSeg;

typedef struct {
    uint8_t *buf;       /* the whole .wasm file (owned by the caller) */
    size_t size;
    DataSeg *segs;
    size_t nsegs;
} DataImage;

void data_image_load(DataImage *img, uint8_t *buf, size_t size);
void data_image_free(DataImage *img);
/* Pointer to `len` bytes at `addr` if they lie inside one segment, else NULL. */
uint8_t *img_ptr(const DataImage *img, uint32_t addr, uint32_t len);
bool img_read32(const DataImage *img, uint32_t addr, uint32_t *out);
void img_write32(const DataImage *img, uint32_t addr, uint32_t v);

/* ---- modtable.c ---- */
typedef struct {
    int maps_patched;           /* how many ROM maps lost their uctypes entry */
    uint32_t module_map_addr;   /* mp_builtin_module_map (the mp_map_t) */
    uint32_t qstr_uctypes;
} ModtableResult;

/* Removes `name` from every ROM map keyed by qstrs; fails the build if the
 * builtin module table cannot be identified. */
void remove_builtin_module(const DataImage *img, const char *name, ModtableResult *res);

/* The static qstr number of `name`, or 0 if it is not a static qstr. */
uint32_t qstr_find(const DataImage *img, const char *name);

/* ---- dictmap.c: dict(m) / d.update(m) use m.keys() for every mapping ---- */
typedef struct {
    uint32_t q_keys, q_getitem;     /* static qstr numbers */
    uint32_t wrong_length_addr;     /* the "wrong length" error text */
} DictMapInfo;

void dict_mapping_scan(const DataImage *img, DictMapInfo *out);
void dict_mapping_add(BinaryenModuleRef m, const DictMapInfo *info);
/* ---- messages.c ---- */
/* Make error texts that MicroPython may show unformatted read right;
 * returns how many were changed. */
int fix_messages(const DataImage *img);

/* ---- gchook.c ---- */
typedef struct {
    BinaryenIndex gc_collect, counter, collect_start, collect_end; /* original indices */
    uint32_t pending_addr;       /* u8 flag set by gc_collect */
    uint32_t call_depth_addr;    /* i32 outermost-call counter */
    uint32_t state_ctx_addr;     /* &mp_state_ctx */
    uint32_t area_addr;          /* &MP_STATE_MEM(area) */
    uint32_t stack_overflow_addr;
    uint32_t block_bytes;
    /* from the exported mp_sched_keyboard_interrupt (0 if not recognised) */
    uint32_t pending_exc_addr;   /* MP_STATE_MAIN_THREAD(mp_pending_exception) */
    uint32_t kbd_exc_addr;       /* &MP_STATE_VM(mp_kbd_exception) */
    uint32_t sched_state_addr;   /* MP_STATE_VM(sched_state), u16 */
} GcLayout;

void gc_hook(BinaryenModuleRef m, GcLayout *out);

/* ---- fuel.c ---- */
#define FUEL_GLOBAL "airlock_fuel"
#define FUEL_EXPORT "airlock_fuel"
#define FUEL_IMPORT_MODULE "airlock"
#define FUEL_IMPORT_BASE "fuel_exhausted"
/* One fuel unit per this many bytes of memory.copy / memory.fill. */
#define FUEL_BYTES_PER_UNIT 16
/* Functions with no loop, call or bulk-memory op and at most this many
 * instructions are not metered themselves; see fuel.c. */
#define FUEL_LEAF_MAX 32
/* A function whose entry only charges (in no call cycle, not in the table,
 * not exported) and costs at most this much charges nothing: its direct
 * callers pay for it at the call; see fuel.c. */
#ifndef FUEL_FOLD_MAX
#define FUEL_FOLD_MAX 100
#endif
/* Charge-only entries get checks where that keeps the fuel charged from one
 * check to the next under this (where the code allows it); see fuel.c. */
#ifndef FUEL_CHECK_INTERVAL_MAX
#define FUEL_CHECK_INTERVAL_MAX 100000
#endif
/* 1: in functions with a loop the counter is a local, stored and reloaded
 * around calls (fuel.c); 0: every charge updates the global. */
#ifndef FUEL_LOCAL_COUNTER
#define FUEL_LOCAL_COUNTER 1
#endif
/* If nonzero, the cases of a br_table with at least this many targets get
 * their own charge point (fuel.c) instead of the loop header paying for the
 * longest case.  Off by default: on fib(27) it cuts the fuel charged by 34%
 * but adds 3.3% instructions (the interpreter's dispatch loop), which would
 * break the 10% overhead budget.  Build with -DFUEL_SWITCH_MIN_CASES=16 to
 * trade speed for closer accounting. */
#ifndef FUEL_SWITCH_MIN_CASES
#define FUEL_SWITCH_MIN_CASES 0
#endif

typedef struct {
    unsigned funcs_total, funcs_metered, funcs_leaf;
    unsigned entry_checks, entry_charges, entry_folded, loop_checks, bulk_checks, charge_points;
    uint64_t cost_sum;
    int64_t max_cost;  /* the largest amount one check or charge takes */
    int64_t check_interval; /* N: the most fuel charged from one check to the next */
    unsigned entry_checks_added; /* charge-only entries checked to bound N */
    unsigned funcs_local_counter; /* functions keeping the counter in a local */
} FuelStats;

/* Adds the global, export and import; inserts the checks unless !meter. */
void fuel_add(BinaryenModuleRef m, bool meter, FuelStats *st);

/* ---- speed passes: each finds its target by shape, verifies it, and fails
 * the build unless it matches exactly once ---- */
/* vstrgrow.c: vstr buffers grow geometrically, not by 16 bytes. */
void vstr_growth_patch(BinaryenModuleRef m);

/* qstrfind.c: qstr_find_strn asks the host first (import airlock.qstr_find :
 * (str, len) -> qstr, or -1 to let the guest search as before). */
typedef struct {
    uint32_t last_pool_addr;  /* MP_STATE_VM(last_pool): the newest pool */
    uint32_t hash_bytes;      /* width of a stored qstr hash: 1 or 2 */
} QstrLayout;
void qstr_find_hook(BinaryenModuleRef m, QstrLayout *out);

/* maptable.c: mp_map_lookup and mp_set_lookup take large tables' home slots
 * from a mixed hash and grow tables at 3/4 full; the check fails the build
 * if the data image holds a hash table laid out by the old homes. */
void map_table_check_rom(const DataImage *img);
void map_table_patch(BinaryenModuleRef m);

/* gcalloc.c: multi-block allocations start where the last one ended (a
 * hint, cleared by gc_collect_end); the original search runs before any
 * allocation fails. */
void gc_alloc_patch(BinaryenModuleRef m, const GcLayout *L);

/* sjlj.c: setjmp/longjmp unwinds by returning, with a guest-side catch in
 * place of each invoke_* import (the imports are removed). */
typedef struct {
    unsigned invoke_imports, invoke_direct, invoke_indirect, funcs_unwinding, checks, exports_wrapped;
    unsigned threw_folded; /* direct sites whose __THREW__ accesses moved into the catch */
} SjljStats;
void sjlj_patch(BinaryenModuleRef m, SjljStats *st);

/* A host import tried before a guest function's own body: the body moves to
 * a new function named `guest` (same parameters, i32 result, locals), and the
 * function becomes
 *   if (when) { r = import(params...); if (r != -1) return r; }  return guest(params...);
 * (`when` NULL: always), r being its first local, an i32, free once the body
 * that used it has moved (the C API cannot add a local).  `import` is the
 * internal name HOST_IMPORT_PREFIX + the import's name in HOST_IMPORT_MODULE. */
#define HOST_IMPORT_MODULE "airlock"
#define HOST_IMPORT_PREFIX "airlock$"
void ask_host_first(BinaryenModuleRef m, BinaryenFunctionRef f, const char *import, const char *guest,
                    BinaryenExpressionRef when);

/* strfind.c: find_subbytes (str.find, index, in, replace, split...) asks the
 * host first (import airlock.find_subbytes : (haystack, hlen, needle, nlen,
 * direction) -> address, 0 for none, or -1 to let the guest search). */
void find_subbytes_hook(BinaryenModuleRef m);

/* small helpers shared by the passes */
/* Binaryen's FunctionImportGetModule returns "" (not NULL) for defined functions. */
bool func_is_import(BinaryenFunctionRef f);
bool func_is_defined(BinaryenFunctionRef f);
bool expr_is_const_i32(BinaryenExpressionRef e, int32_t *v);
/* Is e a local.get?  Stores the local's index. */
bool expr_is_local_get(BinaryenExpressionRef e, BinaryenIndex *idx);
/* Calls fn(child, ctx) for every direct child expression of e; fails the build
 * on an expression kind this tool does not understand. */
void for_each_child(BinaryenExpressionRef e,
                    void (*fn)(BinaryenExpressionRef child, void *ctx), void *ctx);
/* Replaces every direct child c of e with fn(c, ctx) (same kinds as above). */
typedef BinaryenExpressionRef (*Mapper)(BinaryenExpressionRef child, void *ctx);
void map_children(BinaryenExpressionRef e, Mapper fn, void *ctx);
/* Pre-order walk: fn(e, ctx) for root and every expression below it. */
typedef void (*Visitor)(BinaryenExpressionRef e, void *ctx);
void walk(BinaryenExpressionRef root, Visitor fn, void *ctx);

#endif
