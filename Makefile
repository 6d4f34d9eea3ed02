# airlock - build, test, install.
#
#   make            library, CLI (build/airlock)
#   make test       the whole test suite
#   make deps       install the Debian packages the build needs (as root)
#   make wheel      the Python binding with the library: build/dist/airlock-*.whl
#   make fresh-check  the README's set-up on a fresh Debian 12 system (as root)
#   make clean
#   make cpython    the CPython guest's own runner (guests/cpython/cpython.mk)
#
# Variables: CC, CFLAGS, PREFIX, DESTDIR, BOUNDS=guard|explicit,
# SANITIZE=1, CPYTHON=0 (a library without the CPython guest: builds in a
# minute instead of about ten), GUEST_WASM=/path/micropython.wasm (still checked against
# guests/micropython/guest.lock unless GUEST_UNCHECKED=1).

CC ?= cc
CFLAGS ?= -O2 -g
PREFIX ?= /usr/local
BOUNDS ?= guard
SANITIZE ?=

B ?= build
G := $(B)/guest
O := $(B)/obj

ifeq ($(BOUNDS),guard)
  MEMCHECK := 1
else ifeq ($(BOUNDS),explicit)
  MEMCHECK := 0
else
  $(error BOUNDS must be guard or explicit)
endif

ifeq ($(SANITIZE),1)
  SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  # AddressSanitizer owns SIGSEGV; explicit bounds checks keep the guest safe.
  MEMCHECK := 0
endif

GUEST_VERSION := $(shell sed -n 's/^micropython_version=//p' guests/micropython/guest.lock)
GUEST_SHA256 := $(shell sed -n 's/^sha256=//p' guests/micropython/guest.lock)

RT_DEFS := -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=$(MEMCHECK) -DWASM_RT_USE_STACK_DEPTH_COUNT=0
# Hidden by default: the shared library exports only what airlock.h and
# airlock_plugin.h mark AIRLOCK_API.
BASE_CFLAGS := -std=c17 -fPIC -fvisibility=hidden -D_GNU_SOURCE $(RT_DEFS) -Iinclude -Isrc -I$(G) $(SAN_FLAGS) $(CFLAGS)
WARN := -Wall -Wextra -Werror
LDLIBS_CORE := -lpthread -lm

# One folder per guest under src/guests/ (guest.h); the CPython guest's
# objects come from guests/cpython/cpython.mk.
LIB_SRCS := $(wildcard src/*.c src/runtime/*.c src/abi/*.c src/vfs/*.c src/plugins/*.c src/guests/*.c src/guests/micropython/*.c)
LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(LIB_SRCS)) $(O)/guest.o $(O)/gen/boot_tree.o $(O)/gen/lib_tree.o \
            $(O)/gen/host_tree.o
HOST_PY_FILES := $(sort $(wildcard src/plugins/py/*.py))
GUEST_LIB_FILES := $(shell find guests/micropython/lib -type f -name '*.py' 2>/dev/null | sort)

SONAME := libairlock.so.0
CLI_SRCS := $(wildcard cli/*.c serve/*.c)
CLI_OBJS := $(patsubst %.c,$(O)/%.o,$(CLI_SRCS))

.PHONY: all test clean deps install guest demo bench bench-serve print-ldlibs soak fuzz tsan fresh-check wheel
all: $(B)/airlock $(B)/libairlock.a $(B)/$(SONAME)

# Install missing Debian packages (as root) or say which are missing.
$(B)/.deps: tools/deps.sh
	@mkdir -p $(@D)
	tools/deps.sh
	@touch $@

# ---- the guest: fetch, verify, patch, translate -------------------------

$(G)/micropython.wasm: guests/micropython/guest.lock guests/fetch.sh | $(B)/.deps
	@guests/fetch.sh $(G)

-include guests/patch/patch.mk
ifneq ($(wildcard guests/patch/patch.mk),)
$(G)/patched.wasm $(G)/layout.h &: $(G)/micropython.wasm $(B)/tools/airlock-patch
	$(B)/tools/airlock-patch $< $(G)/patched.wasm $(G)/layout.h
else
$(G)/patched.wasm $(G)/layout.h &: $(G)/micropython.wasm
	cp $< $(G)/patched.wasm
	echo '/* no patch tool yet */' > $(G)/layout.h
endif

# wasm2c, then point FUNC_PROLOGUE at our stack check and the loads and
# stores at each function's copy of the memory descriptor (guest_prologue.h).
$(G)/guest.c $(G)/guest.h &: $(G)/patched.wasm
	wasm2c $< -n guest -o $(G)/guest.c
	sed -i -e 's/^#define FUNC_PROLOGUE$$/#define FUNC_PROLOGUE AIRLOCK_FUNC_PROLOGUE; AIRLOCK_MEMORY_LOCAL(instance->w2c_memory)/' \
	    -e 's/\<\([fi]\(32\|64\)_\(load\|store\)[0-9a-z_]*\)(&instance->w2c_memory, /\1(AIRLOCK_MEMORY, /g' $(G)/guest.c
	grep -q 'define FUNC_PROLOGUE AIRLOCK_FUNC_PROLOGUE; AIRLOCK_MEMORY_LOCAL' $(G)/guest.c
	grep -q 'i32_load(AIRLOCK_MEMORY, ' $(G)/guest.c
	! grep -q '_\(load\|store\)[0-9a-z_]*(&instance->w2c_memory' $(G)/guest.c

# Generated code: no -Werror (not ours), same runtime configuration.
$(O)/guest.o: $(G)/guest.c $(G)/guest.h src/runtime/guest_prologue.h src/runtime/guest_fuel.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -w -include src/runtime/guest_prologue.h -c $< -o $@

guest: $(G)/guest.c

# ---- embedded Python: boot.py and the guest library ----------------------

# Everything compiled before the guest exists (the tools, the plugins, the
# snapshot stub) waits for tools/deps.sh: under make -j on a fresh machine
# it would otherwise run before the compiler is installed.
$(B)/tools/embed: guests/embed.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) -std=c17 -O1 $(WARN) $< -o $@

$(B)/gen/boot_tree.c: src/guests/micropython/boot.py $(B)/tools/embed
	@mkdir -p $(@D)
	$(B)/tools/embed $@ airlock_boot_tree src/guests/micropython src/guests/micropython/boot.py

$(B)/gen/lib_tree.c: $(GUEST_LIB_FILES) $(B)/tools/embed
	@mkdir -p $(@D)
	$(B)/tools/embed $@ airlock_lib_tree guests/micropython/lib $(GUEST_LIB_FILES)

$(B)/gen/host_tree.c: $(HOST_PY_FILES) $(B)/tools/embed
	@mkdir -p $(@D)
	$(B)/tools/embed $@ airlock_host_py_tree src/plugins/py $(HOST_PY_FILES)

$(O)/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -c $< -o $@

# ---- library and CLI ------------------------------------------------------

$(O)/src/guests/micropython/guest.o: CFLAGS_EXTRA = -DAIRLOCK_GUEST_VERSION='"$(GUEST_VERSION)"' \
    -DAIRLOCK_GUEST_SHA256='"$(GUEST_SHA256)"'

# The command's two folders see each other's headers (serve/ uses the CLI's
# option parser and reports; main.c dispatches to serve).
$(O)/cli/%.o $(O)/serve/%.o: CFLAGS_EXTRA = -Icli -Iserve

$(O)/%.o: %.c $(G)/guest.h $(G)/layout.h $(wildcard include/*.h src/*.h src/*/*.h src/guests/*/*.h cli/*.h serve/*.h)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) $(CFLAGS_EXTRA) -include $(G)/layout.h -c $< -o $@

# ---- the prebuilt start-up snapshot ----------------------------------------
# mksnapshot boots the library (built without an image) and writes the state
# every default runtime starts from; the final library embeds it.

$(O)/gen/prebuilt_none.o: guests/prebuilt_none.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) -c $< -o $@

$(B)/tools/mksnapshot: guests/micropython/mksnapshot.c $(LIB_OBJS) $(O)/gen/prebuilt_none.o
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) -include $(G)/layout.h $^ -o $@ $(LDLIBS_CORE)

$(G)/prebuilt.img: $(B)/tools/mksnapshot
	$(B)/tools/mksnapshot $@

# $(call embed_image,NAME): an object holding $< as NAME_image[] and its
# size as NAME_size, both hidden, through $(B)/gen/NAME.S; page-aligned
# (the CPython guest maps the image's pages from the file: snapshot.c)
define embed_image
	@mkdir -p $(@D) $(B)/gen
	printf '%s\n' '.section .rodata' '.global $(1)_image' '.global $(1)_size' \
	    '.hidden $(1)_image' '.hidden $(1)_size' \
	    '.balign 4096' '$(1)_image:' '.incbin "$<"' '$(1)_end:' '.balign 8' \
	    '$(1)_size:' '.quad $(1)_end - $(1)_image' \
	    '.section .note.GNU-stack,"",@progbits' > $(B)/gen/$(1).S
	$(CC) -c $(B)/gen/$(1).S -o $@
endef

$(O)/gen/prebuilt.o: $(G)/prebuilt.img
	$(call embed_image,airlock_prebuilt)

$(B)/libairlock.a: $(LIB_OBJS) $(O)/gen/prebuilt.o
	rm -f $@
	ar rcs $@ $^

$(B)/$(SONAME): $(LIB_OBJS) $(O)/gen/prebuilt.o tools/libairlock.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=tools/libairlock.map $(SAN_FLAGS) $(CFLAGS) \
	    $(filter %.o,$^) -o $@ $(LDLIBS_CORE)
	ln -sf $(SONAME) $(B)/libairlock.so

# Only what every command may use is linked: libmicrohttpd (serve/mhd.h),
# SQLite, zstd and hiredis (serve's store, probe) and libedit (the prompt)
# are opened by the commands that use them (cli/dynlib.h), so the others
# skip their loading and symbol binding.
CLI_LIBS := $(shell pkg-config --libs jansson libseccomp 2>/dev/null || echo -ljansson -lseccomp)
$(B)/airlock: $(CLI_OBJS) $(B)/libairlock.a
	$(CC) $(SAN_FLAGS) $(CFLAGS) $(CLI_OBJS) $(B)/libairlock.a -o $@ $(CLI_LIBS) $(LDLIBS_CORE)

# The same CLI with its test hooks compiled in (cli/test_hooks.c): only the
# tests run it; the airlock command never contains them.
$(B)/tests/airlock_hooks: $(CLI_SRCS) $(wildcard cli/*.h serve/*.h) $(B)/libairlock.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) -Icli -Iserve -DAIRLOCK_TEST_HOOKS $(CLI_SRCS) $(B)/libairlock.a -o $@ $(CLI_LIBS) $(LDLIBS_CORE)

# ---- plugins: shared objects built against include/airlock_plugin.h --------

PLUGIN_FLAGS := -std=c17 -shared -fPIC -fvisibility=hidden -DAIRLOCK_PLUGIN_DYNAMIC -Iinclude $(WARN) $(CFLAGS)
all: $(B)/plugins/example.so

$(B)/plugins/example.so: plugins/example/example.c include/airlock_plugin.h include/airlock.h | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_FLAGS) $< -o $@

# Deliberately broken plugins the unit tests must see refused.
$(B)/tests/plugins/%.so: tests/unit/plugins/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(PLUGIN_FLAGS) $< -o $@

$(B)/tests/test_plugins: $(B)/plugins/example.so $(B)/tests/plugins/bad_abi.so $(B)/tests/plugins/no_symbol.so \
    $(B)/tests/plugins/newer_minor.so $(B)/tests/plugins/old_minor.so
$(B)/tests/test_plugins: private BASE_CFLAGS += -DTEST_BUILD_DIR='"$(B)"'
$(B)/tests/test_rollback: $(B)/tests/plugins/rollback_probe.so
$(B)/tests/test_rollback: private BASE_CFLAGS += -DTEST_BUILD_DIR='"$(B)"'

# ---- tests ----------------------------------------------------------------

TEST_SRCS := $(wildcard tests/unit/*.c)
TEST_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(TEST_SRCS))
# the security suites' binaries (see below)
FUZZ_HARNESSES := $(basename $(notdir $(wildcard fuzz/fz_*.c)))
SEC_BINS := $(B)/tests/escape_api $(B)/tests/stress $(B)/tests/chaos $(B)/tests/airlock_hooks $(addprefix $(B)/fuzz/replay_,$(FUZZ_HARNESSES)) \
            $(B)/tests/rewrite_driver $(B)/tests/rewrite_driver_san
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm)

$(B)/tests/%: tests/unit/%.c $(B)/libairlock.a tests/unit/testutil.h tests/unit/small_stack.h
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) -Itests/unit $< $(B)/libairlock.a -o $@ $(CHECK_LIBS) $(LDLIBS_CORE)

test: all wheel $(TEST_BINS) $(SEC_BINS)
	AIRLOCK=$(B)/airlock tests/run.sh $(TEST_BINS)

# ---- the CPython guest: in the library by default; make cpython, make test-cpython

include guests/cpython/cpython.mk

# The library with the CPython guest (CPYTHON=1, the default): its
# generated code, its imports, its adapter (src/guests/cpython/guest.c)
# and its driver.
CPYTHON ?= 1
CPY_VERSION := $(shell sed -n 's/^python_version=//p' $(CPY_LOCK))
CPY_WASM_SHA256 := $(shell sed -n '/^file=pyodide.asm.wasm/{n;s/^sha256=//p}' $(CPY_LOCK))
$(B)/gen/cpython_driver.c: src/guests/cpython/driver.py $(B)/tools/embed
	@mkdir -p $(@D)
	$(B)/tools/embed $@ cpython_driver_tree src/guests/cpython src/guests/cpython/driver.py
$(CPY_OBJ)/host/guest.o: CPY_HOST_FLAGS += -DAIRLOCK_CPYTHON_VERSION='"$(CPY_VERSION)"' \
    -DAIRLOCK_CPYTHON_SHA256='"$(CPY_WASM_SHA256)"'
$(CPY_OBJ)/host/guest.o: $(wildcard src/*.h src/*/*.h src/guests/*/*.h include/*.h)
# guest.c's list of guests follows CPYTHON: rebuilt when it changes.
$(B)/cpython.config: FORCE
	@mkdir -p $(@D)
	@echo $(CPYTHON) | cmp -s - $@ || echo $(CPYTHON) > $@
$(O)/src/guests/guest.o: $(B)/cpython.config
.PHONY: FORCE
ifeq ($(CPYTHON),1)
CPY_LIB_OBJS := $(CPY_PART_OBJS) $(CPY_HOST_OBJS) $(O)/gen/cpython_driver.o
$(B)/libairlock.a $(B)/$(SONAME) $(B)/tools/mksnapshot: $(CPY_LIB_OBJS)
# The CPython start-up snapshot, made at build time by booting the guest as
# every runtime does (guests/cpython/mksnapshot.c) and embedded beside it;
# src/guests/cpython/snapshot.c checks it before use.
$(B)/tools/cpython-mksnapshot: guests/cpython/mksnapshot.c $(LIB_OBJS) $(CPY_LIB_OBJS) $(O)/gen/prebuilt_none.o
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) -include $(G)/layout.h $^ -o $@ $(LDLIBS_CORE)
$(CPY)/prebuilt.img: $(B)/tools/cpython-mksnapshot
	$< $@
$(O)/gen/cpython_prebuilt.o: $(CPY)/prebuilt.img
	$(call embed_image,cpython_prebuilt)
$(B)/libairlock.a $(B)/$(SONAME): $(O)/gen/cpython_prebuilt.o
$(O)/src/guests/guest.o: CFLAGS_EXTRA = -DAIRLOCK_WITH_CPYTHON=1
# make test runs tests/cpython with the guest's own runner too
test: $(CPY)/run
endif

# ---- security suites: escape corpus, stress and soak, fuzzing -------------
#
# Built next to the CLI; tests/run.sh finds them there. Each fuzz harness is
# also linked with fuzz/replay.c and replayed over its seeds and regressions.

# The source rewriter as a filter for its differential test against the
# Python oracle (tests/rewrite/run.py): plain, and under ASan and UBSan.
REWRITE_SRCS := tests/rewrite/driver.c src/guests/micropython/rewrite.c
$(B)/tests/rewrite_driver: $(REWRITE_SRCS) src/guests/micropython/rewrite.h
	@mkdir -p $(@D)
	$(CC) -std=c17 -Isrc $(WARN) $(CFLAGS) $(REWRITE_SRCS) -o $@
$(B)/tests/rewrite_driver_san: $(REWRITE_SRCS) src/guests/micropython/rewrite.h
	@mkdir -p $(@D)
	$(CC) -std=c17 -Isrc $(WARN) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined $(REWRITE_SRCS) -o $@

$(B)/tests/escape_api: tests/escape/api.c $(B)/libairlock.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) $< $(B)/libairlock.a -o $@ $(LDLIBS_CORE)

$(B)/tests/stress: tests/stress/stress.c $(B)/libairlock.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) $< $(B)/libairlock.a -o $@ $(LDLIBS_CORE)

$(B)/tests/chaos: tests/stress/chaos.c $(B)/libairlock.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) $< $(B)/libairlock.a -o $@ $(LDLIBS_CORE)

# The threading contract under ThreadSanitizer, then AddressSanitizer:
# tests/stress/chaos.c, CHAOS_THREADS threads for CHAOS_SECONDS each.
# Explicit bounds checks: the sanitizers own SIGSEGV.
CHAOS_THREADS ?= 8
CHAOS_SECONDS ?= 60
tsan:
	$(MAKE) B=build-tsan BOUNDS=explicit CPYTHON=0 CFLAGS='-O1 -g -fsanitize=thread' build-tsan/tests/chaos
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/chaos $(CHAOS_THREADS) $(CHAOS_SECONDS)
	$(MAKE) B=build-san SANITIZE=1 build-san/tests/chaos
	build-san/tests/chaos $(CHAOS_THREADS) $(CHAOS_SECONDS)

$(B)/fuzz/replay_%: fuzz/%.c fuzz/replay.c fuzz/input.h $(B)/libairlock.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) -I. -include $(G)/layout.h fuzz/replay.c $< $(B)/libairlock.a -o $@ $(LDLIBS_CORE)

# Full-size stress and soak (tests/stress/run.sh): about 20 minutes.
soak: $(B)/airlock $(B)/tests/stress
	STRESS_N=10000 SOAK_M=100000 tests/stress/run.sh $(B)/airlock

# libFuzzer: everything rebuilt with clang into build-fuzz/ (explicit bounds
# checks: ASan owns SIGSEGV), then each harness runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz:
	$(MAKE) B=build-fuzz CC=clang BOUNDS=explicit CPYTHON=0 CFLAGS='-O1 -g $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link' \
		$(addprefix build-fuzz/fuzz/,$(FUZZ_HARNESSES))
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

$(B)/fuzz/fz_%: fuzz/fz_%.c fuzz/input.h $(B)/libairlock.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(WARN) -I. -fsanitize=fuzzer -include $(G)/layout.h $< $(B)/libairlock.a -o $@ \
		$(LDLIBS_CORE)

# airlock against the alternatives, in one run (bench/README.md).
bench:
	bench/run.sh

# airlock serve under load on loopback (wrk, Redis, haproxy): bench/serve.sh.
bench-serve: $(B)/airlock
	bench/serve.sh $(B)/airlock

# What a program linking libairlock.a statically needs besides it.
print-ldlibs:
	@echo $(LDLIBS_CORE)

# A first look: a working computation, and a file read that is denied.
demo: $(B)/airlock
	@echo '$$ airlock -c "print(sum(i * i for i in range(10)))"'
	@$(B)/airlock -c 'print(sum(i * i for i in range(10)))'
	@echo '$$ airlock -c "print(open(\"/etc/passwd\").read())"'
	@$(B)/airlock -c 'print(open("/etc/passwd").read())' || echo "(exit status $$?: the sandbox has no files)"

# ---- the Python binding as a wheel, library included ------------------------
# $(B)/dist/airlock-VERSION-py3-none-PLATFORM.whl (tools/wheel.sh; offline).

wheel: $(B)/$(SONAME) | $(B)/.deps
	tools/wheel.sh $(B)

# ---- setup, install, clean -------------------------------------------------

deps:
	tools/deps.sh
	@mkdir -p $(B) && touch $(B)/.deps

clean:
	rm -rf $(B)

# The README's set-up on a freshly debootstrapped Debian 12 (as root; about
# half an hour): tools/fresh-check.sh, into FRESH_DIR.
FRESH_DIR ?= $(B)/fresh-check
fresh-check:
	tools/fresh-check.sh $(FRESH_DIR)

# ---- install ------------------------------------------------------------------
#
#   make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]
#
# The shared library (real name, soname and development symlinks), the
# static library, the headers, airlock.pc (from tools/airlock.pc.in), the
# airlock command and its man page. BINDIR, LIBDIR, INCLUDEDIR, MANDIR and
# PKGCONFIGDIR can be overridden one by one.

BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL ?= install
AIRLOCK_VERSION := $(shell grep -m1 'define AIRLOCK_VERSION ' include/airlock.h | cut -d'"' -f2)
LIB_REALNAME := libairlock.so.$(AIRLOCK_VERSION)
INSTALL_HEADERS := $(wildcard include/airlock.h include/airlock_plugin.h)

.PHONY: uninstall
install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 755 $(B)/airlock $(DESTDIR)$(BINDIR)/airlock
	$(INSTALL) -m 755 $(B)/$(SONAME) $(DESTDIR)$(LIBDIR)/$(LIB_REALNAME)
	ln -sf $(LIB_REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libairlock.so
	$(INSTALL) -m 644 $(B)/libairlock.a $(DESTDIR)$(LIBDIR)/libairlock.a
	$(INSTALL) -m 644 $(INSTALL_HEADERS) $(DESTDIR)$(INCLUDEDIR)/
	sed -e 's|@prefix@|$(PREFIX)|' -e 's|@libdir@|$(LIBDIR)|' -e 's|@includedir@|$(INCLUDEDIR)|' \
		-e 's|@version@|$(AIRLOCK_VERSION)|' -e 's|@libs_private@|$(LDLIBS_CORE)|' \
		tools/airlock.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/airlock.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/airlock.pc
	$(INSTALL) -m 644 docs/airlock.1 $(DESTDIR)$(MANDIR)/man1/airlock.1
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/airlock $(DESTDIR)$(LIBDIR)/$(LIB_REALNAME) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libairlock.so \
		$(DESTDIR)$(LIBDIR)/libairlock.a $(DESTDIR)$(PKGCONFIGDIR)/airlock.pc \
		$(DESTDIR)$(MANDIR)/man1/airlock.1 \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(INSTALL_HEADERS)))
