# guests/cpython/cpython.mk - the CPython guest (issue 11), opt-in.
#
#   make cpython         $(B)/cpython/run: boots CPython 3.14, runs source
#   make test-cpython    its tests (tests/cpython/run.sh)
#
# Not part of `make`, `make test` or CI until it works end to end.
# CPYTHON_OPT (default -O2) is the optimisation of the generated C, which is
# compiled without -g and without sanitizers (SANITIZE=1 still applies to
# the host code); CPYTHON_PARTS the number of its translation units.
# From the pinned package to objects:
#   fetch (guests/fetch.sh + guest.lock) -> dce.sh (drop the exports we never
#   call) -> meter.c (fuel) -> wasm2c -> rename the import modules ->
#   split.awk -> cc, in parallel. The standard library: the pinned zip, plus
#   the guest's own .pyc (compileall.c runs compileall.py, addpyc.py adds
#   them); the start-up snapshot is made from both (Makefile, mksnapshot.c).

CPY := $(B)/cpython
CPY_GEN := $(CPY)/gen
CPY_OBJ := $(CPY)/obj
CPYTHON_OPT ?= -O2
CPYTHON_PARTS ?= 16
CPY_LOCK := guests/cpython/guest.lock
CPY_PART_NAMES := $(addprefix part,$(shell seq 0 $(CPYTHON_PARTS)))
CPY_PART_OBJS := $(addprefix $(CPY_OBJ)/,$(addsuffix .o,$(CPY_PART_NAMES)))
CPY_HOST_SRCS := $(wildcard src/guests/cpython/*.c)
CPY_HOST_OBJS := $(patsubst src/guests/cpython/%.c,$(CPY_OBJ)/host/%.o,$(CPY_HOST_SRCS)) \
                 $(CPY_OBJ)/host/ffi_stubs.o $(CPY_OBJ)/host/stdlib.o

.PHONY: cpython test-cpython
cpython: $(CPY)/run

$(CPY)/pyodide.asm.wasm $(CPY)/python_stdlib.zip &: $(CPY_LOCK) guests/fetch.sh | $(B)/.deps
	@guests/fetch.sh $(CPY) $(CPY_LOCK)

$(CPY)/dce.wasm: $(CPY)/pyodide.asm.wasm guests/cpython/exports.keep guests/cpython/dce.sh
	guests/cpython/dce.sh $< guests/cpython/exports.keep $@

# Fuel metering: the MicroPython guest's pass (guests/patch/fuel.c), driven
# by guests/cpython/meter.c.
CPY_METER := $(B)/tools/cpython-meter
CPY_METER_SRCS := guests/cpython/meter.c guests/patch/fuel.c guests/patch/ir.c
$(CPY_METER): $(CPY_METER_SRCS) guests/patch/patch.h | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Iguests/patch -o $@ $(CPY_METER_SRCS) -lbinaryen

# CPYTHON_FUEL=0: no checks (what metering costs; nothing stops a loop in C).
CPYTHON_FUEL ?= 1
$(CPY)/fuel.wasm: $(CPY)/dce.wasm $(CPY_METER)
	$(CPY_METER) $< $@ $(if $(filter 0,$(CPYTHON_FUEL)),--no-fuel)

# The guest's imports get module names of their own (pyenv, pywasi), so that
# every one of them lands in src/guests/cpython/, never by accident in the
# MicroPython guest's import of the same name (their errno numbers differ).
CPY_RENAME := -e 's/Z_envZ_/Z_pyenvZ_/g; s/Z_env_instance_t/Z_pyenv_instance_t/g' \
              -e 's/Z_airlockZ_/Z_pyairlockZ_/g; s/Z_airlock_instance_t/Z_pyairlock_instance_t/g' \
              -e 's/Z_wasi_snapshot_preview1Z_/Z_pywasiZ_/g; s/Z_wasi_snapshot_preview1_instance_t/Z_pywasi_instance_t/g'
$(CPY_GEN)/common.h $(CPY_GEN)/cpython.h $(addprefix $(CPY_GEN)/,$(addsuffix .c,$(CPY_PART_NAMES))) &: \
		$(CPY)/fuel.wasm guests/cpython/split.awk
	rm -rf $(CPY_GEN) && mkdir -p $(CPY_GEN)
	wasm2c --enable-exceptions $< -n cpython -o $(CPY_GEN)/cpython.c
	sed -i $(CPY_RENAME) $(CPY_GEN)/cpython.c $(CPY_GEN)/cpython.h
	sed -i 's/^#define FUNC_PROLOGUE$$/#define FUNC_PROLOGUE AIRLOCK_FUNC_PROLOGUE/' $(CPY_GEN)/cpython.c
	grep -q 'define FUNC_PROLOGUE AIRLOCK_FUNC_PROLOGUE' $(CPY_GEN)/cpython.c
	awk -v out=$(CPY_GEN) -v parts=$(CPYTHON_PARTS) -f guests/cpython/split.awk $(CPY_GEN)/cpython.c $(CPY_GEN)/cpython.c
	rm $(CPY_GEN)/cpython.c

# Generated code: no warnings (not ours), no sanitizers, no debug info.
CPY_GEN_FLAGS := -std=c17 -fPIC -D_GNU_SOURCE $(RT_DEFS) -Isrc -I$(G) -I$(CPY_GEN) $(CPYTHON_OPT) -w \
                 -include src/guests/cpython/prologue.h
$(CPY_OBJ)/part%.o: $(CPY_GEN)/part%.c $(CPY_GEN)/common.h src/guests/cpython/prologue.h \
		src/runtime/guest_prologue.h $(G)/guest.h
	@mkdir -p $(@D)
	$(CC) $(CPY_GEN_FLAGS) -c $< -o $@

# The JavaScript FFI imports, each refused (guests/cpython/ffi.list).
$(CPY_GEN)/ffi_stubs.c: guests/cpython/ffi.list guests/cpython/stubs.awk $(CPY_GEN)/cpython.h
	awk -f guests/cpython/stubs.awk guests/cpython/ffi.list $(CPY_GEN)/cpython.h > $@.tmp && mv $@.tmp $@

# The standard library zip, embedded read-only: the pinned one with the
# guest's own .pyc beside each module (stdlib.o), made by running
# compileall.py in the guest linked with the pinned zip alone (stdlib_pinned.o).
# Its assembly goes beside the object, not into $(CPY_GEN), which the wasm2c
# rule empties: under make -j from clean the two ran at once.
$(B)/tools/cpython-compileall: guests/cpython/compileall.c $(LIB_OBJS) $(CPY_PART_OBJS) \
		$(filter-out %/stdlib.o,$(CPY_HOST_OBJS)) $(CPY_OBJ)/host/stdlib_pinned.o $(O)/gen/cpython_driver.o \
		$(O)/gen/prebuilt_none.o
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) -include $(G)/layout.h $^ -o $@ $(LDLIBS_CORE)
$(CPY)/stdlib_pyc.txt: $(B)/tools/cpython-compileall guests/cpython/compileall.py
	$< guests/cpython/compileall.py > $@.tmp && mv $@.tmp $@
$(CPY)/stdlib.zip: $(CPY)/python_stdlib.zip $(CPY)/stdlib_pyc.txt guests/cpython/addpyc.py
	python3 guests/cpython/addpyc.py $(CPY)/python_stdlib.zip $(CPY)/stdlib_pyc.txt $@
$(CPY_OBJ)/host/stdlib.o: $(CPY)/stdlib.zip
$(CPY_OBJ)/host/stdlib_pinned.o: $(CPY)/python_stdlib.zip
$(CPY_OBJ)/host/stdlib.o $(CPY_OBJ)/host/stdlib_pinned.o:
	@mkdir -p $(@D)
	printf '%s\n' '.section .rodata' '.global cpython_stdlib_zip' '.global cpython_stdlib_size' \
	    '.balign 64' 'cpython_stdlib_zip:' '.incbin "$<"' 'cpython_stdlib_end:' '.balign 8' \
	    'cpython_stdlib_size:' '.quad cpython_stdlib_end - cpython_stdlib_zip' \
	    '.section .note.GNU-stack,"",@progbits' > $(@:.o=.S)
	$(CC) -c $(@:.o=.S) -o $@

CPY_HOST_FLAGS := $(BASE_CFLAGS) $(WARN) -I$(CPY_GEN)
$(CPY_OBJ)/host/%.o: src/guests/cpython/%.c $(CPY_GEN)/cpython.h $(wildcard src/guests/cpython/*.h src/runtime/*.h) \
		$(G)/guest.h $(G)/layout.h
	@mkdir -p $(@D)
	$(CC) $(CPY_HOST_FLAGS) -c $< -o $@

$(CPY_OBJ)/host/ffi_stubs.o: $(CPY_GEN)/ffi_stubs.c src/guests/cpython/cpython_vm.h
	@mkdir -p $(@D)
	$(CC) $(CPY_HOST_FLAGS) -Isrc/guests/cpython -Wno-unused-parameter -c $< -o $@

$(CPY)/libairlock_cpython.a: $(CPY_PART_OBJS) $(CPY_HOST_OBJS)
	rm -f $@
	ar rcs $@ $^

$(CPY)/run: tests/cpython/run.c $(CPY)/libairlock_cpython.a $(B)/libairlock.a
	$(CC) $(CPY_HOST_FLAGS) -Isrc/guests/cpython $< $(CPY)/libairlock_cpython.a $(B)/libairlock.a -o $@ \
	    $(LDLIBS_CORE)

test-cpython: $(CPY)/run
	tests/cpython/run.sh $(CPY)/run
