#!/bin/sh
# `make install` into a staging directory, then use the staged tree the way
# a packager's user would: a separate C program compiled with
# `pkg-config --cflags --libs airlock` (shared, and static) runs Python; the
# installed command, man page and Python binding work. Prints "N passed,
# M failed".
#
#   tests/install/run.sh [BUILD_DIR]     (default build; make's B)
#
# The build must be up to date (make install depends on `all`).
set -u
cd "$(dirname "$0")/../.."
B=${1:-build}
B=${B%/}
REPO=$(pwd)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL  %s\n' "$*"; }
check() { # description, command...
    desc=$1; shift
    if "$@" >"$STAGE/out" 2>&1; then ok; else bad "$desc"; sed 's/^/      /' "$STAGE/out" | tail -15; fi
}
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

ROOT=$STAGE/root
if ! make --no-print-directory B="$B" install DESTDIR="$ROOT" PREFIX=/usr >"$STAGE/make.log" 2>&1; then
    bad "make install DESTDIR=$ROOT PREFIX=/usr"
    tail -20 "$STAGE/make.log" | sed 's/^/      /'
    finish
fi
ok
U=$ROOT/usr
VERSION=$(grep -m1 'define AIRLOCK_VERSION ' include/airlock.h | cut -d'"' -f2)

# ---- the tree -----------------------------------------------------------------
for f in bin/airlock lib/libairlock.so.$VERSION lib/libairlock.a include/airlock.h \
         lib/pkgconfig/airlock.pc share/man/man1/airlock.1; do
    check "installed: $f" test -f "$U/$f"
done
if [ -f include/airlock_plugin.h ]; then check "installed: include/airlock_plugin.h" test -f "$U/include/airlock_plugin.h"; fi
check "libairlock.so.0 -> libairlock.so.$VERSION" test "$(readlink "$U/lib/libairlock.so.0")" = "libairlock.so.$VERSION"
check "libairlock.so -> libairlock.so.0" test "$(readlink "$U/lib/libairlock.so")" = "libairlock.so.0"
check "soname is libairlock.so.0" sh -c "readelf -d '$U/lib/libairlock.so.$VERSION' | grep -q 'SONAME.*\[libairlock.so.0\]'"
check "airlock is executable" test -x "$U/bin/airlock"
check "no build paths in airlock.pc" sh -c "! grep -q '$B\|$STAGE' '$U/lib/pkgconfig/airlock.pc'"

# ---- only the API is visible ------------------------------------------------------
# The library exports exactly the functions the two public headers mark
# AIRLOCK_API: nothing internal (vm_*, vfs_*, the guest's Z_*), nothing missing.
LIB=$U/lib/libairlock.so.$VERSION
nm -D --defined-only "$LIB" | awk '{print $3}' | sort >"$STAGE/exported"
sed -n 's/^AIRLOCK_API .*[ *]\(airlock_[a-z0-9_]*\)(.*/\1/p' include/airlock.h include/airlock_plugin.h | sort -u >"$STAGE/declared"
check "the library exports symbols" test -s "$STAGE/exported"
check "the headers declare AIRLOCK_API functions" test "$(wc -l <"$STAGE/declared")" -gt 50
extra=$(comm -23 "$STAGE/exported" "$STAGE/declared" | tr '\n' ' ')
missing=$(comm -13 "$STAGE/exported" "$STAGE/declared" | tr '\n' ' ')
if [ -z "$extra" ]; then ok; else bad "exported but not in the public headers: $extra"; fi
if [ -z "$missing" ]; then ok; else bad "declared AIRLOCK_API but not exported: $missing"; fi
# SQLite is loaded by the first grant (src/plugins/sqlite_lib.c), never
# linked: nothing of the host's own SQLite can bind to the library's.
sqlite_imports=$(nm -D --undefined-only "$LIB" | awk '{print $2}' | grep '^sqlite3_' | tr '\n' ' ')
if [ -z "$sqlite_imports" ]; then ok; else bad "libairlock imports SQLite symbols: $sqlite_imports"; fi
check "libairlock does not link libsqlite3" sh -c "! readelf -d '$LIB' | grep -q 'NEEDED.*sqlite'"
check "airlock.pc does not ask for libsqlite3" sh -c "! grep -q sqlite '$U/lib/pkgconfig/airlock.pc'"

# ---- pkg-config, as a user of the staged tree ---------------------------------
export PKG_CONFIG_PATH="$U/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$ROOT" PKG_CONFIG_LIBDIR="$U/lib/pkgconfig"
check "pkg-config --exists airlock" pkg-config --exists airlock
check "pkg-config --modversion = $VERSION" test "$(pkg-config --modversion airlock)" = "$VERSION"
check "cflags point into the stage" test "$(echo $(pkg-config --cflags airlock))" = "-I$U/include"

mkdir -p "$STAGE/app"
cat >"$STAGE/app/hello.c" <<'EOF'
/* A tiny program that embeds airlock: compiled against the installed tree. */
#include <airlock.h>
#include <stdio.h>
#include <string.h>

static int run(airlock_sandbox *sb, const char *code) {
    int rc = airlock_sandbox_exec(sb, code, strlen(code));
    printf("rc=%d stdout=%s", rc, airlock_sandbox_stdout(sb, NULL));
    if (airlock_sandbox_result(sb, NULL))
        printf("result=%s\n", airlock_sandbox_result(sb, NULL));
    if (airlock_sandbox_error_type(sb))
        printf("error=%s: %s\n", airlock_sandbox_error_type(sb), airlock_sandbox_error_message(sb));
    return rc;
}

int main(void) {
    airlock_runtime *rt;
    airlock_sandbox *sb;
    airlock_limits lim = {.size = sizeof(airlock_limits), .timeout_seconds = 10, .memory_bytes = 64u << 20};
    if (airlock_runtime_new(&rt) || airlock_runtime_set_limits(rt, &lim) || airlock_sandbox_new(rt, &sb)) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    printf("guest=%s\n", airlock_guest_version());
    run(sb, "x = sum(i * i for i in range(10))\nprint(x)");
    run(sb, "x + 15");
    run(sb, "open('/etc/passwd')");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
    return 0;
}
EOF
EXPECTED="guest=1.27.0
rc=0 stdout=285
rc=0 stdout=result=300
rc=1 stdout=error=OSError: [Errno 2] ENOENT"

CC=${CC:-cc}
# shellcheck disable=SC2046
check "compile and link with pkg-config --cflags --libs airlock" \
    $CC -std=c17 -Wall -Wextra -Werror $(pkg-config --cflags airlock) "$STAGE/app/hello.c" -o "$STAGE/app/hello" $(pkg-config --libs airlock)
check "the program needs libairlock.so.0" sh -c "readelf -d '$STAGE/app/hello' | grep -q 'NEEDED.*\[libairlock.so.0\]'"
check "it loads the staged library" sh -c "LD_LIBRARY_PATH='$U/lib' ldd '$STAGE/app/hello' | grep -q '$U/lib/libairlock.so.0'"
got=$(LD_LIBRARY_PATH="$U/lib" "$STAGE/app/hello" 2>&1)
if [ "$got" = "$EXPECTED" ]; then ok; else bad "shared build runs Python: got '$got'"; fi

# Static: the archive plus Libs.private.
# shellcheck disable=SC2046
check "static link with pkg-config --static --libs airlock" \
    $CC -std=c17 $(pkg-config --cflags airlock) "$STAGE/app/hello.c" -o "$STAGE/app/hello-static" \
    $(pkg-config --static --libs airlock | sed 's/-lairlock/-l:libairlock.a/')
check "the static program does not need libairlock.so" sh -c "! readelf -d '$STAGE/app/hello-static' | grep -q libairlock"
got=$("$STAGE/app/hello-static" 2>&1)
if [ "$got" = "$EXPECTED" ]; then ok; else bad "static build runs Python: got '$got'"; fi

# ---- a host that uses SQLite itself, beside an SQLite grant -----------------------
# tests/install/sqlite_host.c: airlock's SQLite is a private copy, so the
# host configures its own after the guest's queries, both write at once
# from two threads, and no guest allocation reaches the host's allocator.
# shellcheck disable=SC2046
check "compile a host linking -lsqlite3 and airlock" \
    $CC -std=c17 -Wall -Wextra -Werror $(pkg-config --cflags airlock) tests/install/sqlite_host.c \
    -o "$STAGE/app/sqlite_host" $(pkg-config --libs airlock) -lsqlite3 -lpthread
mkdir -p "$STAGE/dbs"
got=$(LD_LIBRARY_PATH="$U/lib" "$STAGE/app/sqlite_host" "$STAGE/dbs" 2>&1)
want="guest rows (1000, 499500)
host config after the guest's queries: ok
guest rows 1050
host rows 200, through the host's allocator: yes
guest bytes 40000000
host allocator saw guest work: no
stopped by the timeout limit
host rows after 200"
if [ "$got" = "$want" ]; then ok; else bad "a host using SQLite beside a grant: got '$got'"; fi

# Without libsqlite3.so.0 (hidden by a bind mount in a namespace of our
# own) a grant fails with a message naming the package; nothing else does.
cat >"$STAGE/app/nosqlite.c" <<'EOF'
#include <airlock.h>
#include <stdio.h>
int main(void) {
    airlock_runtime *rt, *plain;
    airlock_sandbox *sb;
    if (airlock_runtime_new(&plain) || airlock_sandbox_new(plain, &sb)) return 1;
    airlock_sandbox_free(sb);
    printf("sandbox ok\n");
    if (airlock_runtime_new(&rt)) return 1;
    int rc = airlock_runtime_allow_sqlite(rt, "/tmp/x.db", 0);
    printf("grant rc=%d %s\n", rc, rc ? airlock_runtime_errmsg(rt) : "");
    airlock_runtime_free(rt);
    airlock_runtime_free(plain);
    return 0;
}
EOF
# shellcheck disable=SC2046
check "compile a program that grants SQLite" \
    $CC -std=c17 $(pkg-config --cflags airlock) "$STAGE/app/nosqlite.c" -o "$STAGE/app/nosqlite" $(pkg-config --libs airlock)
SQLITE_SO=$(readlink -f "$(${CC} -print-file-name=libsqlite3.so.0)")
if unshare -rm true 2>/dev/null && [ -f "$SQLITE_SO" ]; then
    got=$(LD_LIBRARY_PATH="$U/lib" unshare -rm sh -c "mount --bind /dev/null '$SQLITE_SO' && '$STAGE/app/nosqlite'" 2>&1)
    case $got in
    "sandbox ok
grant rc=9 SQLite grants need libsqlite3.so.0 (Debian package libsqlite3-0): "*) ok ;;
    *) bad "a grant without libsqlite3: got '$got'" ;;
    esac
    got=$(LD_LIBRARY_PATH="$U/lib" "$STAGE/app/nosqlite" 2>&1)
    if [ "$got" = "sandbox ok
grant rc=0 " ]; then ok; else bad "a grant with libsqlite3: got '$got'"; fi
else
    echo "skipped: a grant without libsqlite3: no user namespace to hide the library in"
fi

# ---- the installed command and its man page ------------------------------------
check "installed airlock runs code" test "$("$U/bin/airlock" -c 'print(6 * 7)')" = "42"
check "installed airlock --version" sh -c "'$U/bin/airlock' --version | grep -q '$VERSION'"
# man-db (tools/deps.sh) brings man and groff: a missing one is a failure.
check "man page renders without warnings" sh -c "groff -man -ww -z -Tutf8 '$U/share/man/man1/airlock.1' 2>&1 | (! grep .)"
check "man page: man -l" sh -c "MANWIDTH=80 man -l '$U/share/man/man1/airlock.1' 2>/dev/null | grep -q 'EXIT STATUS'"
check "man airlock finds the installed page" sh -c "MANPATH='$U/share/man' MANWIDTH=80 man airlock 2>/dev/null | grep -q 'EXIT STATUS'"
# make install's default MANDIR is searched by man with a plain PATH
check "man searches /usr/local/share/man (make install's default)" \
    sh -c "env -i PATH=/usr/local/bin:/usr/bin:/bin manpath 2>/dev/null | tr : '\\n' | grep -qx /usr/local/share/man"
# Every long option of `airlock --help` and `airlock mcp --help` is documented.
for flag in $( { "$U/bin/airlock" --help; "$U/bin/airlock" mcp --help; } 2>&1 | grep -Eo -- '--[a-z][a-z-]+' | sort -u); do
    esc=$(printf '%s' "$flag" | sed 's/-/\\\\-/g')
    if grep -q -- "$esc" "$U/share/man/man1/airlock.1"; then ok; else bad "airlock(1) does not document $flag"; fi
done

# ---- the Python binding finds the installed library ------------------------------
if command -v python3 >/dev/null; then
    got=$(cd /tmp && env -u AIRLOCK_LIBRARY LD_LIBRARY_PATH="$U/lib" PYTHONPATH="$REPO/bindings/python" \
          python3 -c 'import airlock; print(airlock.library_path()); print(airlock.run("6 * 7").result)' 2>&1)
    want="$(readlink -f "$U/lib/libairlock.so.0")
42"
    if [ "$got" = "$want" ]; then ok; else bad "Python binding loads the installed library: got '$got'"; fi
fi

# ---- uninstall leaves nothing behind ---------------------------------------------
make --no-print-directory B="$B" uninstall DESTDIR="$ROOT" PREFIX=/usr >"$STAGE/make.log" 2>&1 || bad "make uninstall"
left=$(find "$ROOT" -type f -o -type l)
if [ -z "$left" ]; then ok; else bad "make uninstall left: $left"; fi

finish
