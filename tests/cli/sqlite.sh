#!/bin/sh
# --allow-sqlite PATH[:rw]: the granted database works, its neighbours do not.
#   tests/cli/sqlite.sh [path/to/airlock]
set -u
AIRLOCK=${1:-build/airlock}
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null; then
    echo "sqlite: python3 is needed to make the test databases"
    exit 1
fi

mkdir -p "$TMP/db" "$TMP/other"
python3 - "$TMP" <<'EOF'
import sqlite3, sys
t = sys.argv[1]
for path, rows in ((t + '/db/shop.db', 3), (t + '/db/next.db', 1), (t + '/other/secret.db', 1), (t + '/db/rw.db', 2)):
    c = sqlite3.connect(path)
    c.execute('create table items(id integer primary key, name text unique, price real, data blob)')
    c.executemany('insert into items(name, price, data) values (?, ?, ?)',
                  [('item%d' % i, i * 1.5, bytes([i])) for i in range(rows)])
    c.commit()
    c.close()
c = sqlite3.connect(t + '/db/wide.db')
c.execute('create table w(x text)')
c.execute('insert into w values (?)', ('a' * 2000000,))
c.commit()
EOF
SHOP=$TMP/db/shop.db
WIDE=$TMP/db/wide.db
RW=$TMP/db/rw.db

# the grant works: parameters, description, fetch*, rowcount, Row
expect_stdout "[('item1', 1.5), ('item2', 3.0)]
('name', 'price')
(3, 'item0')
1 [(1,), (2,)] [(3,)]
item2 3.0 b'\\x02'" --allow-sqlite "$SHOP" -c "
import sqlite3
c = sqlite3.connect('$SHOP')
cur = c.execute('select name, price from items where price > ? order by id', (1,))
print(cur.fetchall())
print(tuple(d[0] for d in cur.description))
print(c.execute('select count(*), min(name) from items').fetchone())
cur = c.execute('select id from items where id > :low order by id', {'low': 0})
print(cur.arraysize, cur.fetchmany(2), cur.fetchall())
c.row_factory = sqlite3.Row
r = c.execute('select name, price, data from items where id = 3').fetchone()
print(r['name'], r['PRICE'], r[2])"

# the path as granted, relative to the host's working directory
ABS_AIRLOCK=$(cd "$(dirname "$AIRLOCK")" && pwd)/$(basename "$AIRLOCK")
(cd "$TMP" && "$ABS_AIRLOCK" --allow-sqlite db/shop.db -c "
import sqlite3
print(sqlite3.connect('db/shop.db').execute('select count(*) from items').fetchone()[0])" >"$TMP/out" 2>&1)
if [ "$(cat "$TMP/out")" = 3 ]; then ok; else bad "relative grant: $(head -c 300 "$TMP/out")"; fi

# read-write: commit, rollback, context manager, executemany, lastrowid, errors
expect_stdout "3 1 True
3 False
3
IntegrityError UNIQUE constraint failed: items.name
ProgrammingError Incorrect number of bindings supplied. The current statement uses 1, and there are 2 supplied.
ProgrammingError You can only execute one statement at a time.
OperationalError no such table: nope
ProgrammingError Cannot operate on a closed database." --allow-sqlite "$RW:rw" -c "
import sqlite3
c = sqlite3.connect('$RW')
cur = c.cursor()
cur.execute('insert into items(name, price) values (?, ?)', ('new', 9.0))
print(cur.lastrowid, cur.rowcount, c.in_transaction)
c.rollback()
with c:
    c.executemany('insert into items(name) values (?)', [('a',), ('b',)])
    c.rollback()
    c.executemany('insert into items(name) values (?)', [('a',)])
print(c.execute('select count(*) from items').fetchone()[0], c.in_transaction)
c.execute('insert into items(name) values (?)', ('gone',))
c.rollback()
print(c.execute('select count(*) from items').fetchone()[0])
for sql, args in (('insert into items(name) values (?)', ('a',)), ('select ?', (1, 2)),
                  ('select 1; select 2', ()), ('select * from nope', ())):
    try:
        c.execute(sql, args)
    except sqlite3.Error as e:
        print(type(e).__name__, e)
c.close()
try:
    c.execute('select 1')
except sqlite3.ProgrammingError as e:
    print(type(e).__name__, e)"
if python3 -c "import sqlite3, sys; sys.exit(sqlite3.connect('$RW').execute('select count(*) from items').fetchone()[0] != 3)"; then ok
else bad "the committed rows are not in $RW"; fi

# a write statement under a read-only grant
expect_stdout "OperationalError attempt to write a readonly database" --allow-sqlite "$SHOP" -c "
import sqlite3
try:
    sqlite3.connect('$SHOP').execute('delete from items')
except sqlite3.Error as e:
    print(type(e).__name__, e)"

# neighbours: another file in the same directory, another directory, :memory:
for path in "$TMP/db/next.db" "$TMP/other/secret.db" ":memory:" "$TMP/db/../db/shop.db" "$TMP/db"; do
    expect_stdout "PermissionError" --allow-sqlite "$SHOP" -c "
import sqlite3
try:
    sqlite3.connect('$path')
except PermissionError as e:
    print('PermissionError' if 'not granted' in str(e) else e)"
done

# ATTACH (and VACUUM INTO, which attaches), load_extension, temp objects, pragmas
expect_stdout "attach DatabaseError not authorized
vacuum DatabaseError not authorized
load_extension DatabaseError not authorized
enable_load_extension NotSupportedError extensions cannot be loaded in the sandbox
temp DatabaseError not authorized
pragma_set DatabaseError not authorized
pragma_query ok
table_info ok" --allow-sqlite "$SHOP" --allow-sqlite "$RW:rw" -c "
import sqlite3
c = sqlite3.connect('$RW')
cases = [('attach', lambda: c.execute(\"attach database '$TMP/other/secret.db' as s\")),
         ('vacuum', lambda: c.execute(\"vacuum into '$TMP/other/copy.db'\")),
         ('load_extension', lambda: c.execute(\"select load_extension('/usr/lib/x.so')\")),
         ('enable_load_extension', lambda: c.enable_load_extension(True)),
         ('temp', lambda: c.execute('create temp table t(a)')),
         ('pragma_set', lambda: c.execute('pragma journal_mode = wal')),
         ('pragma_query', lambda: c.execute('pragma user_version').fetchone()),
         ('table_info', lambda: c.execute('pragma table_info(items)').fetchall())]
for name, f in cases:
    try:
        f()
        print(name, 'ok')
    except Exception as e:
        print(name, type(e).__name__, str(e).split(':')[0])"
if [ ! -e "$TMP/other/copy.db" ]; then ok; else bad "VACUUM INTO wrote a file outside the grant"; fi

# the temp schema, whatever the syntax: refused (it is a file outside the
# grant); reading it is fine
expect_stdout "create temp table t(a) DatabaseError
create table temp.t(a) DatabaseError
create temporary view v as select 1 DatabaseError
create view temp.v as select 1 DatabaseError
create trigger temp.tr after insert on items begin select 1; end DatabaseError
create temp trigger tr after insert on items begin select 1; end DatabaseError
create index temp.i on items(name) OperationalError
create virtual table temp.f using fts5(a) DatabaseError
create table main.ok(a) ok
[]" --allow-sqlite "$RW:rw" -c "
import sqlite3
c = sqlite3.connect('$RW')
for sql in ('create temp table t(a)', 'create table temp.t(a)', 'create temporary view v as select 1',
            'create view temp.v as select 1', 'create trigger temp.tr after insert on items begin select 1; end',
            'create temp trigger tr after insert on items begin select 1; end', 'create index temp.i on items(name)',
            'create virtual table temp.f using fts5(a)', 'create table main.ok(a)'):
    try:
        c.execute(sql)
        print(sql, 'ok')
    except sqlite3.DatabaseError as e:
        print(sql, type(e).__name__ if 'temp' in str(e).lower() else e)
c.rollback()
print(c.execute('select name from temp.sqlite_master').fetchall())
c.execute('drop table main.ok')"

# Temporary files (sorts, DISTINCT, GROUP BY, materialized subqueries) stay
# in memory: strace -f sees no file created, through the CLI without its OS
# sandbox and through the C API (ctypes on libairlock); past the 64 MiB cap
# a query fails cleanly.
if command -v strace >/dev/null; then
    mkdir -p "$TMP/big"
    python3 -c "
import sqlite3
c = sqlite3.connect('$TMP/big/big.db')
c.execute('create table big(a, b)')
c.executemany('insert into big values (?, ?)', ((i, 'x' * 200) for i in range(60000)))
c.execute('create table huge(a, b)')
c.executemany('insert into huge values (?, ?)', ((i, 'y' * 800) for i in range(100000)))
c.commit()"
    cat >"$TMP/temp.py" <<EOF
import sqlite3
c = sqlite3.connect('$TMP/big/big.db')
print(c.execute('select count(*), sum(a) from (select a, b from big order by random())').fetchone())
print(c.execute('select count(*) from (select distinct b || a from big)').fetchone())
print(c.execute('select count(*) from (select b || a as k, count(*) from big group by k)').fetchone())
print(c.execute('with m as materialized (select a, b || a as k from big) select count(*) from m x, m y where x.a = y.a and x.a < 10').fetchone())
try:
    c.execute('select a, b from huge order by random()').fetchone()
except sqlite3.OperationalError as e:
    print('OperationalError', 'MiB a sandbox may use' in str(e))
EOF
    want="(60000, 1799970000)
(60000,)
(60000,)
(10,)
OperationalError True"
    ABS_TMP=$(cd "$TMP" && pwd)
    created() { # strace log: the files a process created (O_CREAT, O_TMPFILE, mkdir, link, rename)
        grep -E 'O_CREAT|O_TMPFILE|mkdir|link\(|linkat|rename' "$1" | grep -v ' = -1 ' |
            grep -v "\"$ABS_TMP/out\"\|\"$ABS_TMP/err\"\|\"/dev/null\"" || true
    }
    TRACED="open,openat,openat2,creat,mkdir,mkdirat,link,linkat,rename,renameat,renameat2"
    strace -f -qq -o "$TMP/trace.cli" -e trace=$TRACED \
        "$AIRLOCK" --no-os-sandbox --allow-sqlite "$TMP/big/big.db" "$TMP/temp.py" >"$TMP/out" 2>"$TMP/err"
    if [ "$(cat "$TMP/out")" = "$want" ] && [ -z "$(created "$TMP/trace.cli")" ]; then ok
    else bad "temporary storage (CLI): '$(cat "$TMP/out")' $(head -c 300 "$TMP/err") created: $(created "$TMP/trace.cli" | head -5)"; fi
    cat >"$TMP/api.py" <<'EOF'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
P = ctypes.c_void_p
for name, res, args in (('airlock_runtime_new', ctypes.c_int, [ctypes.POINTER(P)]),
                        ('airlock_runtime_allow_sqlite', ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_int]),
                        ('airlock_sandbox_new', ctypes.c_int, [P, ctypes.POINTER(P)]),
                        ('airlock_sandbox_exec', ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_size_t]),
                        ('airlock_sandbox_stdout', ctypes.c_char_p, [P, ctypes.POINTER(ctypes.c_size_t)])):
    getattr(lib, name).restype, getattr(lib, name).argtypes = res, args
rt, sb = P(), P()
assert lib.airlock_runtime_new(ctypes.byref(rt)) == 0
assert lib.airlock_runtime_allow_sqlite(rt, sys.argv[2].encode(), 0) == 0
assert lib.airlock_sandbox_new(rt, ctypes.byref(sb)) == 0
code = open(sys.argv[3], 'rb').read()
lib.airlock_sandbox_exec(sb, code, len(code))
n = ctypes.c_size_t()
sys.stdout.write(lib.airlock_sandbox_stdout(sb, ctypes.byref(n)).decode())
EOF
    LIB=$(dirname "$AIRLOCK")/libairlock.so.0
    SANITIZED=$(nm -D "$LIB" 2>/dev/null | grep -c ' U __asan_init')
    PRELOAD=""
    [ "$SANITIZED" = 0 ] || PRELOAD="LD_PRELOAD=$(${CC:-cc} -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0"
    strace -f -qq -o "$TMP/trace.api" -e trace=$TRACED \
        env $PRELOAD python3 "$TMP/api.py" "$LIB" "$TMP/big/big.db" "$TMP/temp.py" >"$TMP/out" 2>"$TMP/err"
    if [ "$(cat "$TMP/out")" = "$want" ] && [ -z "$(created "$TMP/trace.api")" ]; then ok
    else bad "temporary storage (C API): '$(cat "$TMP/out")' $(head -c 300 "$TMP/err") created: $(created "$TMP/trace.api" | head -5)"; fi
else
    bad "strace is needed to see what SQLite opens (tools/deps.sh installs it)"
fi

# Host memory held for the guest is capped per sandbox: 8 connections each
# keeping unfinished sorts (temporary storage: 64 MiB in all) and cursors
# (32 in all) get clean errors, and the process stays small (measured by
# the parent: the child's maximum resident size).
if [ -e "$TMP/big/big.db" ]; then
    cat >"$TMP/mem.py" <<EOF
import sqlite3
conns = [sqlite3.connect('$TMP/big/big.db') for _ in range(8)]
errors, curs = set(), []
for sort, n in (('order by random()', 2), ('', 40)):
    for c, i in ((c, i) for c in conns for i in range(n)):
        try:
            cur = c.execute('select a, b, randomblob(600) from big where a < %d %s' % (8000 + i, sort))
            cur.fetchone()
            curs.append(cur)
        except sqlite3.OperationalError as e:
            errors.add('temporary storage' if 'MiB a sandbox may use' in str(e) else
                       'cursors' if 'unfinished cursors' in str(e) else str(e))
print(len(curs) <= 32, sorted(errors))
for cur in curs:
    cur.close()
print(conns[0].execute('select count(*) from big').fetchone())
EOF
    cat >"$TMP/rss.py" <<'EOF'
import resource, subprocess, sys
p = subprocess.run(sys.argv[2:], capture_output=True, text=True)
print(p.stdout, end='')
sys.stderr.write(p.stderr)
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
# AddressSanitizer's shadow memory and quarantine are no part of the cap
print('rss under 200 MiB', kib < 200 * 1024 or sys.argv[1] == 'sanitized')
if __import__('os').environ.get('SQLITE_STOP_TIMES'):
    sys.stderr.write('max rss %d KiB\n' % kib)
EOF
    python3 "$TMP/rss.py" "$([ "${SANITIZED:-0}" = 0 ] && echo plain || echo sanitized)" "$AIRLOCK" --timeout 120 --allow-sqlite "$TMP/big/big.db" "$TMP/mem.py" >"$TMP/out" 2>"$TMP/err"
    [ -z "${SQLITE_STOP_TIMES:-}" ] || grep "max rss" "$TMP/err"
    if [ "$(cat "$TMP/out")" = "True ['cursors', 'temporary storage']
(60000,)
rss under 200 MiB True" ]; then ok
    else bad "sqlite host memory caps: '$(cat "$TMP/out")' $(head -c 300 "$TMP/err")"; fi
fi

# a symlink swapped in for the granted file, or for its directory, while the
# sandbox runs (after the grant): the guest connects, waits, connects again.
# The swap comes once the audit log shows the first query done (a fixed
# delay lost the race on a loaded machine: start-up took longer than it).
swap_test() { # what-to-swap
    mkdir -p "$TMP/swap" "$TMP/decoy"
    cp "$SHOP" "$TMP/swap/x.db"
    cp "$TMP/other/secret.db" "$TMP/decoy/x.db"
    : >"$TMP/swap.audit"
    timeout 30 "$AIRLOCK" --audit "$TMP/swap.audit" --allow-sqlite "$TMP/swap/x.db" -c "
import sqlite3, time
print(sqlite3.connect('$TMP/swap/x.db').execute('select count(*) from items').fetchone()[0])
time.sleep(2)
try:
    print(sqlite3.connect('$TMP/swap/x.db').execute('select count(*) from items').fetchone()[0])
except (sqlite3.Error, PermissionError) as e:
    print(type(e).__name__)" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    for _ in $(seq 200); do grep -q '"function":"_execute"' "$TMP/swap.audit" && break; sleep 0.05; done
    if [ "$1" = file ]; then
        mv "$TMP/swap/x.db" "$TMP/swap/real.db" && ln -s "$TMP/decoy/x.db" "$TMP/swap/x.db"
    else
        mv "$TMP/swap" "$TMP/swap.real" && ln -s "$TMP/decoy" "$TMP/swap"
    fi
    wait $pid
    first=$(head -1 "$TMP/out")
    second=$(sed -n 2p "$TMP/out")
    if [ "$first" = 3 ] && [ "$second" = "$2" ]; then ok
    else bad "symlink swap of the $1: '$first' then '$second' (want 3 then $2): $(head -c 300 "$TMP/err")"; fi
    rm -rf "$TMP/swap" "$TMP/swap.real" "$TMP/decoy"
}
swap_test file OperationalError
swap_test directory PermissionError

# a slow query is stopped by --timeout (the sandbox's deadline reaches SQLite)
start=$(date +%s)
run_airlock --timeout 1 --allow-sqlite "$SHOP" -c "
import sqlite3
c = sqlite3.connect('$SHOP')
c.execute('with recursive r(i) as (select 1 union all select i + 1 from r) select count(*) from r').fetchone()"
elapsed=$(($(date +%s) - start))
if [ "$(cat "$TMP/rc")" = 3 ] && [ "$elapsed" -le 5 ]; then ok
else bad "slow query: status $(cat "$TMP/rc"), ${elapsed}s: $(head -c 300 "$TMP/err")"; fi

# No single SQLite call outlives the deadline. Each reproducer is one call
# that SQLite's own functions took 35 s to an hour over (the progress handler
# runs between VM steps, never inside a function); the guest repeats it until
# --timeout 1 stops the run with status 3. The long
# values are made by the guest: a = 150,000 x 'a', b = 150,000 x 'b' + 'a',
# m = 2,000,000 x 'a', n = 1,000,000 x 'a' + 'b', p = 990 x 'a' + 'b',
# j = a JSON array of 1,000,001 numbers (2 MB).
# The bound: 0.5 s over the wall time of the same run (start-up, the
# values, the connection) whose loop makes no host call, measured here.
stop_run() { # sql loop-body: wall time in ms (sql "py:EXPR": the guest builds it; DB: the database)
    start=$(date +%s%N)
    run_airlock --timeout 1 --allow-sqlite "${DB:-$SHOP}" -c "
import sqlite3
c = sqlite3.connect('${DB:-$SHOP}')
sql = \"\"\"$1\"\"\"
if sql.startswith('py:'):
    sql = eval(sql[3:])
v = {'a': 'a' * 150000, 'b': 'b' * 150000 + 'a', 'm': 'a' * 2000000, 'n': 'a' * 1000000 + 'b', 'p': 'a' * 990 + 'b',
     'j': '[' + '1,' * 1000000 + '1]'}
v = {k: x for k, x in v.items() if ':' + k in sql}
while True:
    $2"
    echo $((($(date +%s%N) - start) / 1000000))
}
stops_in_time() { # name sql (a second try when the loaded machine was slow)
    base=$(stop_run "$2" pass)
    ms=$(stop_run "$2" "c.execute(sql, v).fetchone()")
    if [ "$ms" -gt $((base + 500)) ]; then
        base=$(stop_run "$2" pass)
        ms=$(stop_run "$2" "c.execute(sql, v).fetchone()")
    fi
    # the deadline; on a fast machine a wide row may reach SQLite's memory cap first
    if [ "$(cat "$TMP/rc")" = 3 ] && grep -q "timeout limit\|memory limit" "$TMP/err" && [ "$ms" -le $((base + 500)) ]; then ok
    else bad "$1: status $(cat "$TMP/rc") after ${ms} ms (want 3 within $((base + 500))): $(tail -c 300 "$TMP/err")"; fi
    [ -z "${SQLITE_STOP_TIMES:-}" ] || echo "stop $1: ${ms} ms (without the query: ${base} ms)"
}
stops_in_time ltrim "select ltrim(:a, :b)"
stops_in_time rtrim "select rtrim(:a, :b)"
stops_in_time trim "select trim(:a, :b)"
stops_in_time instr "select instr(:m, :n), instr(:m, :n), instr(:m, :n)"
stops_in_time replace "select length(replace(:m, :n, 'x'))"
stops_in_time like "select :m like '%' || :p"
stops_in_time like_escape "select :m like '%' || :p escape '!'"
stops_in_time glob "select :m glob '*' || :p"
stops_in_time printf "select length(printf('%.*c', 2000000, 'x')), printf('%2000000000d', 1), printf('%.100000000f', 1.5)"
# a character repeated past the length cap: SQLite's own printf spent 30 s
# on it and returned NULL; ours refuses it before it starts
expect_stdout "DataError DataError" --timeout 5 --allow-sqlite "$SHOP" -c "
import sqlite3
c = sqlite3.connect('$SHOP')
for sql in (\"select printf('%.*c', 2000000000, 'x')\", \"select format('%-5.2000000000c', 'x')\"):
    try:
        c.execute(sql).fetchone()
    except sqlite3.DataError as e:
        print('DataError', end=' ' if 'printf' in sql else '\\n')"
stops_in_time blobs "select length(zeroblob(2000000)), length(randomblob(2000000)), length(hex(randomblob(1000000)))"
stops_in_time json "select json_valid(:j), json_extract(:j, '\$[999999]')"
stops_in_time json_each "select count(*) from json_each(:j)"

# One row of straight-line work: SQLite checks its progress handler only at
# jumps, so 999 result columns ran 9-12 s past --timeout 1 in one VM
# stretch. The allocator refuses once the deadline is due (sqlite_mem.c):
# each case below allocates as it goes, in shapes the allocator was not
# written for. x is 2,000,000 x 'a' in wide.db.
cols() { echo "py:'select ' + ', '.join(['$1'] * ${2:-999}) + ' from w'"; }
DB=$WIDE stops_in_time stretch_upper "$(cols 'length(upper(x))')"
DB=$WIDE stops_in_time stretch_nested "py:'select ' + ', '.join(['length(' + 'upper(' * 25 + 'x' + ')' * 26] * 400) + ' from w'"
DB=$WIDE stops_in_time stretch_hex "$(cols 'length(hex(substr(x, 1, 1000000)))')"
DB=$WIDE stops_in_time stretch_quote "$(cols 'length(quote(x))')"
DB=$WIDE stops_in_time stretch_json "$(cols 'length(json_quote(x))')"
DB=$WIDE stops_in_time stretch_concat "$(cols 'length(x || 1)')"
DB=$WIDE stops_in_time stretch_substr "$(cols 'length(substr(x, 2))')"
DB=$WIDE stops_in_time stretch_compare "$(cols 'x = x || 1')"
DB=$WIDE stops_in_time stretch_randomblob "$(cols 'length(randomblob(2000000))')"
DB=$WIDE stops_in_time stretch_zeroblob "$(cols 'length(hex(zeroblob(1000000)))')"
DB=$WIDE stops_in_time stretch_numeric "$(cols 'x + 1')"
DB=$WIDE stops_in_time stretch_printf "$(cols 'length(printf(char(37, 46, 42, 99), 1999999, char(120)))')"

# SQLite's memory for a sandbox is capped by its memory limit: one row of
# 40 x 2 MB values (80 MB on the host, which was not counted before) is
# refused with MemoryError under --memory 32M, and reaches the row cap
# (DataError) under the default 256 MiB; the connection works afterwards.
big_row="'select ' + ', '.join(['randomblob(2000000)'] * 40)"
expect_stdout "MemoryError SQLite needs more host memory than the sandbox may use (its memory limit, 32 MiB,
1" --memory 32M --allow-sqlite "$SHOP" -c "
import sqlite3
c = sqlite3.connect('$SHOP')
try:
    c.execute($big_row).fetchone()
except MemoryError as e:
    print('MemoryError', str(e).split(' counted')[0])
print(c.execute('select 1').fetchone()[0])"
expect_stdout "DataError" --allow-sqlite "$SHOP" -c "
import sqlite3
try:
    sqlite3.connect('$SHOP').execute($big_row).fetchone()
except Exception as e:
    print(type(e).__name__)"

# Parameters are the one value SQLite re-reads without allocating (each use
# shares the bound copy): 1,000 constants (?1 + k) over a 2 MB string of
# digits parsed it 1,000 times in one stretch (3 s of CPU). A statement's
# size times its largest parameter is capped, so that one is refused at
# once, while the usual statements take 2 MB values.
cp "$TMP/db/rw.db" "$TMP/db/params.db"
expect_stdout "DataError parameter 1 of 2000000 bytes is too large for this statement
2000000 2000000 (1,)" --timeout 10 --allow-sqlite "$TMP/db/params.db:rw" -c "
import sqlite3
c = sqlite3.connect('$TMP/db/params.db')
try:
    c.execute('select ' + ', '.join('(?1 + %d)' % k for k in range(1000)), ('1' * 2000000,))
except sqlite3.DataError as e:
    print('DataError', str(e).split(' (')[0])
big = b'x' * 2000000
c.execute('insert into items(name, data) values (?, ?) on conflict(name) do update set data = excluded.data', ('big', big))
c.execute('update items set data = ? where name = ?', (big, 'big'))
print(c.execute('select length(data) from items where data = ?', (big,)).fetchone()[0],
      c.execute('select max(length(data)) from items where name = ?', ('big',)).fetchone()[0],
      c.execute('select count(*) from items where data = ?', (big,)).fetchone())"

# A write stopped by the allocator (a deadline inside a straight-line
# statement) leaves the database as it was: no half-written rows, no hot
# journal, the earlier transaction's rows intact.
cp "$SHOP" "$TMP/db/stopped.db"
run_airlock --timeout 1 --allow-sqlite "$TMP/db/stopped.db:rw" -c "
import sqlite3
c = sqlite3.connect('$TMP/db/stopped.db')
c.execute('insert into items(name) values (?)', ('kept',))
c.commit()
c.execute('insert into items(name) values (?)', ('dropped',))
m = 'max(' + ', '.join(['length(upper(randomblob(1000000)))'] * 32) + ')'
c.execute('insert into items(name, price) values (?, max(' + ', '.join([m] * 32) + '))', ('dropped too',))"
if [ "$(cat "$TMP/rc")" = 3 ] && [ ! -e "$TMP/db/stopped.db-journal" ] && python3 - "$TMP/db/stopped.db" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute('pragma integrity_check').fetchone()[0] == 'ok'
names = [r[0] for r in c.execute('select name from items order by id')]
assert names == ['item0', 'item1', 'item2', 'kept'], names
EOF
then ok; else bad "a write stopped inside SQLite: status $(cat "$TMP/rc"), $(ls "$TMP/db"): $(tail -c 300 "$TMP/err")"; fi

# our trim, instr, replace, like, glob and printf answer as SQLite's own:
# 2700 random cases with ASCII, multi-byte and wildcard characters and
# printf formats, compared with the host's python3 sqlite3
python3 - "$TMP/cases.json" <<'EOF2'
import json, random, sqlite3, sys
random.seed(13)
alpha = ['a', 'b', 'A', '%', '_', '*', '?', '[', ']', '^', '-', '\u00e9', '\u00df', '\\', ' ', 'x']
def s(n):
    return ''.join(random.choice(alpha) for _ in range(random.randint(0, n)))
cases = []
for _ in range(2400):
    x, y, z = s(8), s(4), s(3)
    k = random.randrange(9)
    if k == 0: cases.append(('select trim(?), ltrim(?), rtrim(?)', (x, x, x)))
    elif k == 1: cases.append(('select trim(?, ?), ltrim(?, ?), rtrim(?, ?)', (x, y) * 3))
    elif k == 2: cases.append(('select instr(?, ?), instr(cast(? as blob), cast(? as blob)), instr(?, cast(? as blob))', (x, y) * 3))
    elif k == 3: cases.append(('select replace(?, ?, ?)', (x, y, z)))
    elif k in (4, 5): cases.append(('select ? like ?, ? glob ?', (x, y, x, '*' + y if k == 5 else y)))
    elif k == 6: cases.append(('select ? like ? escape ?', (x, y, random.choice(['\\', '%', '_', 'a', '\u00e9']))))
    elif k == 7: cases.append(('select trim(?, NULL), instr(NULL, ?), replace(?, NULL, ?), replace(?, ?, NULL), '
                               "replace(?, '', NULL), NULL like ?, cast(? as blob) like 'a%'", (x, x, x, y, x, y, x, y, x)))
    else: cases.append(("select instr(?, ?), trim(123, 1), instr(1234, 3), replace(12341, 1, 9), 1.5 like '1._'", (x, x[2:5])))
# printf and format, which run SQLite's own printf behind a check of the
# format: 300 random formats with '*' widths and precisions
r = random.Random(12)
# (ASCII text: a byte precision may cut a multi-byte character in two)
values = [None, 0, -7, 42, 3.25, -0.5, 1e300, 'ab', "it's", 'x"y']
for _ in range(300):
    fmt, args = '', []
    for _ in range(r.randint(0, 4)):
        fmt += r.choice(['', 'a', ' ', '%%']) + '%' + ''.join(r.sample('-+ #!,0', r.randint(0, 2)))
        if r.random() < 0.3: fmt, args = fmt + '*', args + [r.randint(-12, 12)]
        elif r.random() < 0.5: fmt += str(r.randint(0, 12))
        if r.random() < 0.3: fmt, args = fmt + '.*', args + [r.randint(-12, 12)]
        elif r.random() < 0.5: fmt += '.' + str(r.randint(0, 12))
        fmt += r.choice('dixXofeEgGscqQwz')
        args.append(r.choice(values))
    cases.append(('select %s(?%s)' % (r.choice(['printf', 'format']), ', ?' * len(args)), [fmt] + args))
def canon(r):
    return ' '.join('s' + ','.join(str(b) for b in v.encode()) if isinstance(v, str) else repr(v) for v in r)
c = sqlite3.connect(':memory:')
want = []
for q, p in cases:
    try:
        want.append(canon(c.execute(q, p).fetchone()))
    except sqlite3.Error as e:
        want.append(type(e).__name__)
json.dump({'cases': cases, 'want': want}, open(sys.argv[1], 'w'))
EOF2
expect_stdout "0 of 2700 differ" --allow-sqlite "$SHOP" --allow-read "$TMP/cases.json" -c "
import json, sqlite3
d = json.load(open('$TMP/cases.json'))
c = sqlite3.connect('$SHOP')
def canon(r):
    return ' '.join('s' + ','.join(str(b) for b in v.encode()) if isinstance(v, str) else repr(v) for v in r)
bad = []
for (q, p), want in zip(d['cases'], d['want']):
    try:
        got = canon(c.execute(q, tuple(p)).fetchone())
    except sqlite3.Error as e:
        got = type(e).__name__
    if got != want:
        bad.append((q, p, got, want))
print(len(bad), 'of', len(d['want']), 'differ', *bad[:3])"

# big results come in batches: every row arrives
expect_stdout "5000 12497500" --allow-sqlite "$SHOP" -c "
import sqlite3
c = sqlite3.connect('$SHOP')
rows = c.execute('with recursive r(i) as (select 0 union all select i + 1 from r limit 5000) select i from r').fetchall()
print(len(rows), sum(r[0] for r in rows))"

# without a grant, import sqlite3 says how to get one
expect_stderr_has "--allow-sqlite PATH[:rw]" -c "import sqlite3"
expect_status 2 --allow-sqlite "$TMP/nowhere/x.db" -c "pass"
expect_stdout_has "open the SQLite database $SHOP (read-only)" --allow-sqlite "$SHOP" --list-grants

# audit: the allowed calls and the denials
run_airlock --audit "$TMP/audit.log" --allow-sqlite "$SHOP" -c "
import sqlite3
c = sqlite3.connect('$SHOP')
c.execute('select 1').fetchall()
for f in (lambda: sqlite3.connect('$TMP/db/next.db'), lambda: c.execute(\"attach '$TMP/db/next.db' as n\")):
    try:
        f()
    except Exception:
        pass"
if python3 - "$TMP/audit.log" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
calls = [(r['plugin'], r['function'], r['decision']) for r in recs]
assert ('sqlite', '_connect', 'allowed') in calls, calls
assert ('sqlite', '_execute', 'allowed') in calls, calls
assert ('sqlite', '_connect', 'denied') in calls, calls
assert ('sqlite', '_execute', 'denied') in calls, calls
assert any('ATTACH' in (r['reason'] or '') for r in recs), recs
EOF
then ok; else bad "audit log: $(head -c 600 "$TMP/audit.log")"; fi

finish
