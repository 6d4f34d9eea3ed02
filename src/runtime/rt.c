/*
 * rt.c - the parts of the wasm2c runtime interface (wasm-rt.h) that are not
 * about traps: function types, tables, and memory allocation hooks.
 *
 * This replaces wabt's reference wasm-rt-impl.c. The reference keeps its
 * state in globals; here the only process-wide state is the table of
 * function signatures, written once under a lock by the module's
 * initialisation and read-only afterwards.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/vm.h"

#define MAX_FUNC_TYPES 512
#define MAX_TYPE_ARITY 32

typedef struct {
    uint32_t params, results;
    wasm_rt_type_t types[MAX_TYPE_ARITY];
} func_sig;

static func_sig func_sigs[MAX_FUNC_TYPES];
static uint32_t func_sig_count;
static pthread_mutex_t func_sig_lock = PTHREAD_MUTEX_INITIALIZER;

/* Type ids are 1-based so that 0 never matches a registered type. */
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
    func_sig sig = {.params = params, .results = results};
    if (params + results > MAX_TYPE_ARITY) abort(); /* build-time fact */
    va_list ap;
    va_start(ap, results);
    for (uint32_t i = 0; i < params + results; i++) sig.types[i] = va_arg(ap, wasm_rt_type_t);
    va_end(ap);

    pthread_mutex_lock(&func_sig_lock);
    uint32_t id = 0;
    for (uint32_t i = 0; i < func_sig_count && !id; i++)
        if (memcmp(&func_sigs[i], &sig, sizeof sig) == 0) id = i + 1;
    if (!id) {
        if (func_sig_count == MAX_FUNC_TYPES) abort(); /* build-time fact */
        func_sigs[func_sig_count++] = sig;
        id = func_sig_count;
    }
    pthread_mutex_unlock(&func_sig_lock);
    return id;
}

/* Nothing to set up: everything else is per vm. */
void wasm_rt_init(void) {}
bool wasm_rt_is_initialized(void) { return true; }
void wasm_rt_free(void) {}

/*
 * Instantiation runs inside vm_call() (sandbox.c), so the vm being built is
 * the current one; a failure traps it instead of ending the process.
 */
static airlock_vm *instantiating_vm(void) {
    airlock_vm *vm = vm_current();
    if (!vm) abort(); /* an airlock bug: instantiation outside vm_call */
    return vm;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
    airlock_vm *vm = instantiating_vm();
    vm->mem = mem; /* this guest's memory, whatever its instance type */
    mem->max_pages = max_pages;
    if (vm_memory_map(vm, initial_pages) != 0) vm_trap(vm, WASM_RT_TRAP_OOB);
}

/* airlock unmaps memory itself (vm_memory_unmap); Z_guest_free is unused. */
void wasm_rt_free_memory(wasm_rt_memory_t *mem) { (void)mem; }

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements, uint32_t max_elements) {
    table->data = calloc(elements ? elements : 1, sizeof *table->data);
    if (!table->data) vm_trap(instantiating_vm(), WASM_RT_TRAP_OOB);
    table->size = elements;
    table->max_size = max_elements;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) {
    free(table->data);
    table->data = NULL;
    table->size = 0;
}

/*
 * Tables of opaque host references (externref). A guest may declare them
 * (the CPython guest's JavaScript FFI does) but airlock never hands it a
 * host reference: every entry stays null. Growth is capped, since the guest
 * decides how much it asks for.
 */
#define EXTERNREF_TABLE_MAX 65536u

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t *table, uint32_t elements, uint32_t max_elements) {
    if (elements > EXTERNREF_TABLE_MAX) vm_trap(instantiating_vm(), WASM_RT_TRAP_OOB);
    table->data = calloc(elements ? elements : 1, sizeof *table->data);
    if (!table->data) vm_trap(instantiating_vm(), WASM_RT_TRAP_OOB);
    table->size = elements;
    table->max_size = max_elements < EXTERNREF_TABLE_MAX ? max_elements : EXTERNREF_TABLE_MAX;
}

void wasm_rt_free_externref_table(wasm_rt_externref_table_t *table) {
    free(table->data);
    table->data = NULL;
    table->size = 0;
}

uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t *table, uint32_t delta, wasm_rt_externref_t init) {
    uint32_t old = table->size;
    if (delta == 0) return old;
    if ((uint64_t)old + delta > table->max_size) return UINT32_MAX;
    wasm_rt_externref_t *data = realloc(table->data, ((size_t)old + delta) * sizeof *data);
    if (!data) return UINT32_MAX;
    for (uint32_t i = old; i < old + delta; i++) data[i] = init;
    table->data = data;
    table->size = old + delta;
    return old;
}
