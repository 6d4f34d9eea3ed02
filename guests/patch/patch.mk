# Make fragment for the build-time guest patch tool (guests/patch/README.md).
# `include` it from the top-level Makefile.  Builds $(B)/tools/airlock-patch
# (B defaults to build) with $(CC) and $(CFLAGS), plus its own std/warnings.
AIRLOCK_PATCH_SRCS := $(addprefix guests/patch/,airlock_patch.c dictmap.c fuel.c gchook.c modtable.c messages.c wasmbin.c ir.c vstrgrow.c qstrfind.c maptable.c gcalloc.c sjlj.c strfind.c)
AIRLOCK_PATCH_HDRS := guests/patch/patch.h
AIRLOCK_PATCH_CFLAGS := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror

# Order-only on .deps: under make -j the tool must not compile before
# tools/deps.sh has installed Binaryen's headers (a fresh machine).
$(or $(B),build)/tools/airlock-patch: $(AIRLOCK_PATCH_SRCS) $(AIRLOCK_PATCH_HDRS) guests/patch/patch.mk | $(or $(B),build)/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(AIRLOCK_PATCH_CFLAGS) -o $@ $(AIRLOCK_PATCH_SRCS) -lbinaryen
