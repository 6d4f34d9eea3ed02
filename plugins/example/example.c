/*
 * example.c - a tiny airlock plugin, and the template for new ones.
 *
 * It gives the guest a module `example` with three host functions and a bit
 * of Python on top. It grants nothing of the host: it only computes. Build:
 *
 *   cc -shared -fPIC -DAIRLOCK_PLUGIN_DYNAMIC -I<airlock>/include \
 *      example.c -o example.so
 *   airlock --plugin ./example.so=greeting=Howdy -c 'import example; print(example.greet("Ada"))'
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "airlock_plugin.h"

/* Per-load state made by init from the options string. */
typedef struct example_state {
    char greeting[64];
} example_state;

/* greet(name) -> "<greeting>, <name>!" */
static int example_greet(airlock_call *call) {
    const example_state *st = airlock_call_userdata(call);
    const char *name;
    size_t len;
    if (airlock_call_get_str(call, 0, "name", &name, &len)) return AIRLOCK_ERROR;
    if (len > 1000) return airlock_call_raise(call, "ValueError", "name too long");
    char buf[1100];
    snprintf(buf, sizeof buf, "%s, %s!", st->greeting, name);
    return airlock_call_return(call, airlock_value_new_str(buf));
}

/* add(a, b) -> a + b, for 64-bit ints; OverflowError past the range. */
static int example_add(airlock_call *call) {
    int64_t a, b, sum;
    if (airlock_call_get_int(call, 0, "a", &a) || airlock_call_get_int(call, 1, "b", &b)) return AIRLOCK_ERROR;
    if (__builtin_add_overflow(a, b, &sum)) return airlock_call_raise(call, "OverflowError", "sum out of range");
    return airlock_call_return(call, airlock_value_new_int(sum));
}

/* stats(numbers) -> {"count": n, "sum": s, "mean": m}; raises the
 * module's own ExampleError (defined in the Python below) when empty. */
static int example_stats(airlock_call *call) {
    const airlock_value *list = airlock_call_param(call, 0, "numbers");
    if (airlock_value_kind(list) != AIRLOCK_LIST)
        return airlock_call_raise(call, "TypeError", "stats() takes a list of numbers");
    size_t n = airlock_value_len(list);
    if (n == 0) return airlock_call_raise(call, "example.ExampleError", "no numbers");
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        const airlock_value *x = airlock_value_item(list, i);
        airlock_kind k = airlock_value_kind(x);
        if (k != AIRLOCK_INT && k != AIRLOCK_FLOAT)
            return airlock_call_raise(call, "TypeError", "item %zu is not a number", i);
        sum += airlock_value_float(x);
    }
    airlock_value *d = airlock_value_new_dict();
    airlock_dict_set(d, "count", airlock_value_new_int((int64_t)n));
    airlock_dict_set(d, "sum", airlock_value_new_float(sum));
    airlock_dict_set(d, "mean", airlock_value_new_float(sum / (double)n));
    return airlock_call_return(call, d); /* a failed step above shows up here */
}

static const airlock_function example_functions[] = {
    {"greet", example_greet, "a greeting for name"},
    {"add", example_add, "the sum of two ints"},
    {"stats", example_stats, "count, sum and mean of a list of numbers"},
    {NULL, NULL, NULL},
};

/* Runs once in the module when the snapshot is built, after the functions
 * above are bound: friendlier wrappers and the module's exception class. */
static const char example_python[] =
    "class ExampleError(Exception):\n"
    "    pass\n"
    "\n"
    "def shout(name):\n"
    "    return greet(name).upper()\n";

static const airlock_module example_modules[] = {
    {"example", example_functions, example_python},
    {NULL, NULL, NULL},
};

/* Options: "greeting=TEXT" (default "Hello"). */
static int example_init(const char *options, void **state, char *err, size_t errsize) {
    example_state *st = calloc(1, sizeof *st);
    if (!st) return snprintf(err, errsize, "out of memory"), -1;
    snprintf(st->greeting, sizeof st->greeting, "Hello");
    if (options && *options) {
        if (strncmp(options, "greeting=", 9) != 0 || strlen(options + 9) >= sizeof st->greeting) {
            snprintf(err, errsize, "unknown option '%s' (expected greeting=TEXT)", options);
            free(st);
            return -1;
        }
        snprintf(st->greeting, sizeof st->greeting, "%s", options + 9);
    }
    *state = st;
    return 0;
}

static void example_fini(void *state) { free(state); }

static void example_describe(void *state, char *buf, size_t size) {
    const example_state *st = state;
    snprintf(buf, size, "computes greetings (\"%s, NAME!\"), sums and statistics; reaches nothing on the host",
             st->greeting);
}

static const airlock_plugin example_plugin = {
    .abi_version = AIRLOCK_PLUGIN_ABI_VERSION,
    .name = "example",
    .version = "1.0",
    .grants = "computes greetings, sums and statistics; reaches nothing on the host",
    .modules = example_modules,
    .init = example_init,
    .fini = example_fini,
    .describe = example_describe,
};

AIRLOCK_PLUGIN_EXPORT(example_plugin)
