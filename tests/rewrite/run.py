#!/usr/bin/env python3
"""Differential test of the host's source rewriter (src/guests/micropython/rewrite.c)
against the Python rewriter it replaced (tests/rewrite/oracle.py, under this
python3).

    tests/rewrite/run.py DRIVER...    (build/tests/rewrite_driver, and its
                                       ASan/UBSan build rewrite_driver_san)
    tests/rewrite/run.py --guest build/airlock DRIVER...

Inputs: every .py file under tests/, guests/micropython/lib and bench/, the
bench's rewrite workloads (bench/workloads/rewrite.py.in), hand-made edge
cases (unterminated and nested strings and f-strings, bad indentation, NUL
bytes, a huge line, deep nesting, a source over the size cap) and, from a
fixed seed, a bounded number of random sources and mutations of the corpus,
malformed ones included. Each driver must answer every input as the oracle
does. The last line is "N passed, M failed"; with -v each difference is
shown, and the inputs that differ are written to $TMPDIR/rewrite-diff-N.py.

--guest AIRLOCK also runs the oracle where it used to run, inside airlock's
MicroPython guest (imported from a mount, so the host's rewriter leaves it
alone), on the inputs under 16 KB (a few minutes), and requires it to
answer as under CPython: the check that CPython stands for MicroPython.
"""
import os
import random
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

MAX_SOURCE = 262144  # rewrite.h REWRITE_MAX_SOURCE: larger sources go unrewritten
SEED = 14
RANDOM_SOURCES = 600
MUTATIONS = 2400


def guest_utf8(b):
    """UTF-8 as the guest's str conversion checks it (rewrite.c guest_utf8)."""
    need = 0
    for c in b:
        if need:
            if c & 0xC0 != 0x80:
                return False
            need -= 1
        elif c >= 0xF8 or 0x80 <= c < 0xC0:
            return False
        elif c >= 0xC0:
            need = 3 if c >= 0xF0 else 2 if c >= 0xE0 else 1
    return need == 0


def expected(src):
    """What the guest compiled for src before the rewriter moved: the
    driver's cap, then oracle.rewrite; None where CPython cannot say (UTF-8
    the guest accepts and CPython does not)."""
    if len(src) >= MAX_SOURCE or not guest_utf8(src):
        return src
    try:
        text = src.decode('utf-8')
    except UnicodeDecodeError:
        return None
    return oracle.rewrite(text).encode('utf-8')


def corpus():
    out = []
    for top in ('tests', 'guests/micropython/lib', 'bench'):
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in ('node_modules', '__pycache__'))
            for f in sorted(filenames):
                if f.endswith('.py'):
                    with open(os.path.join(dirpath, f), 'rb') as fh:
                        out.append((os.path.relpath(os.path.join(dirpath, f), ROOT), fh.read()))
    return out


def bench_sources():
    """The sources bench/run.sh makes from bench/workloads/rewrite.py.in."""
    with open(os.path.join(ROOT, 'bench/workloads/rewrite.py.in')) as fh:
        template = fh.read()
    out = []
    for kind, size, tag in (('agent', 5000, '5k'), ('agent', 50000, '50k'), ('agent', 250000, '250k'),
                            ('plain', 50000, 'none50k')):
        code = template.replace('@KIND@', kind).replace('@SIZE@', str(size))
        env = {'__name__': 'rewrite_bench'}
        exec(compile(code, 'rewrite.py.in', 'exec'), env)
        out.append(('bench rewrite_' + tag, env['source']().encode()))
    return out


EDGE = [
    b'', b'\n', b'x', b'class A:', b'class A:\n', b'class A(Enum):\n', b'class A:\n  x: int',
    b'x = s.ljust(3)\nclass A:', b'x = s.ljust(3)\nclass A:  # c\n\n',
    b"f'{x=}'", b"f'{x=!s:>{w}}'", b"f'{x:%Y-%m}'", b"f'{x:{w},}'", b"f'{x:{w}'", b"f'{x!r:,}'",
    b"f'''{f'{x[1:2:3]}'}'''", b"f'''{f'{a:,}'!r}'''", b'f"{x}', b"f'{x}\xc3\xa9\n", b"f'''{x}\xc3\xa9",
    b"f'{x!\xc3\xa9}'", b"f'{x!\xc3\xa9y}'", b"f'{ x = }'", b"f'{x\x0b=}'", b"f'{x\x1c=}'",
    b"F'{a}'\nb[::2]", b"rf'{a:,}'", b"fR'{a:,}'", b"f'{{}}{x:_}'", b"f'{(}'", b"f'{x)'",
    b"'unterminated\nx = y.zfill(3)\n", b'"""never closed\n s.ljust(1)', b"'a\\\nb'.ljust(2)",
    b'match x:\n    case 1:\n        pass\n', b'match = 3\nmatch(x)\n', b'try:\n    pass\nexcept* E:\n    pass\n',
    b'async def g():\n    yield 1\n', b'async def g():\n    def h():\n        yield 1\n    return 2\n',
    b'async def g():\n    def h(): yield 1\n    yield 2\n', b'async def g():\n    class C: pass\n    x = 1\n',
    b'{**a, "k": v}', b'{**a, **b}', b'{**a for a in b}', b'{**a, k}', b'{**}', b'{**a,,}', b'x{**a}',
    b'a[1:2:3]', b'a[1:2:3] = b', b'del a[::2]', b'for x in a[::2]:\n pass\n', b'a[::2, 1]', b'a[(x:=1)::]',
    b'a[lambda: 1::]', b'a[b[::2]::c[1:2:3]]', b'(x).ljust(2)', b'x.y.z().ljust(2)', b'import x.ljust(',
    b'"a" "b".zfill(3)', b'[1][0].title()', b'1 .hex()', b'None.format()', b'if.ljust(1)', b').ljust(1)',
    b'\x00x.ljust(1)\x00', b'x.ljust(1)\r\ny[::2]\r\n', b'\tclass A:\n\t\tx: int\n', b'  x = 1\n y = a[::2]\n',
    b'class A:\n    def f(self):\n        pass\n    x: int = 3\n', b'class A:\n    x: int\n    x = 2\n    y: "q\'"\n',
    b'class A:\n    x: Dict[\n      int, str] = {}\n', b'class A(NamedTuple): pass\n', b'\\\nclass A:\n  x: int\n',
    b'x = 1;class A:\n  x: int\n', b'\xff.ljust(1)', b'\xc0\x80x.ljust(1)', b'a = "\xe2\x82\xac".center(9)',
    b'(' * 5000 + b'x.ljust(1)' + b')' * 5000, b'[' * 20000 + b'::' + b']' * 20000, b'{' * 3000 + b'**a',
    b'x = ' + b'a.ljust(1)' * 20000, b'x = "' + b'\\' * 9999 + b'" + y[::2]', b'x = ' + b'1 + ' * 60000 + b'a[::2]',
    b''.join(b' ' * i + b'class C%d:\n' % i for i in range(300)) + b' ' * 300 + b'x: int\n',
    b''.join(b' ' * i + b'async def g%d():\n' % i for i in range(300)) + b' ' * 300 + b'yield 1\n',
    b'x = 1\n' * 3 + b'y = a[::2]\n' * (MAX_SOURCE // 11),
    # the oracle's quadratic cases (a chain, nested braces and blocks), small enough for it
    b'x = a' + b'.zfill(1)[::2]' * 1000, b'x = ' + b'{**a, ' * 2000 + b'}' * 2000, b'x = ' + b'a[' * 3000 + b'1:2:3' + b']' * 3000,
    b"x = f'''" + b"{f'{a[1:2:3]:,}'}" * 2000 + b"'''\n", b'class C:\n' + b''.join(b'    f%d: int\n' % (i % 700) for i in range(3000)),
    b''.join(b'\t' * (i // 8) + b' ' * (i % 8) + b'class C:\n' for i in range(200)) + b'\t' * 25 + b'x: int = 1 + 1\n',
]

PIECES = [
    '(', ')', '[', ']', '{', '}', ':', '::', ',', '.', '**', '=', ':=', '!', '!r', '\\', '\\\n', '#', '\n', '\n    ',
    '\n  ', '\t', ' ', "'", '"', "'''", '"""', "f'", 'f"', "f'''", 'F"', 'rf"', 'b"', '{x=}', '{x:,}', '{{', '}}',
    '.ljust(', '.format(', '.sort(', '.hex(', 'class ', 'class C(Enum):\n    a: int = 1\n', 'match ', 'case ',
    'async def ', 'except*', 'yield ', 'def ', 'lambda', 'del ', 'for ', 'import ', 'from ', 'x', 'self', 'None',
    '1', '0x1e+5', '1e-3', '.5', '\x00', '\x0b', '\x0c', '\r', '\x7f', '\xe9', '\u20ac', '\U0001f600', 'é=',
]

AGENT = '''from dataclasses import dataclass, field

@dataclass
class Item:
    name: str
    qty: int = 0
    tags: list = field(default_factory=list)

    def label(self):
        return f"{self.name!r:>12} x{self.qty:,} {self.tags[::-1]}".ljust(40)

class Color(Enum):
    RED = 1
    GREEN: int = 2

def summarise(rows, extra):
    totals = {**extra, "count": len(rows)}
    for row in sorted(rows, key=lambda r: r["qty"]):
        key = row["name"].title().zfill(8)
        totals[key] = totals.get(key, 0) + row["qty"]
    text = "{}: {:>6}".format("total", sum(totals.values()))
    print(f"{text=} {totals['count']:_} {x!s:{w}.{p}}")
    return text[1:-1:2], totals
'''


def random_source(rng):
    parts = []
    for _ in range(rng.randint(1, 80)):
        r = rng.random()
        if r < 0.6:
            parts.append(rng.choice(PIECES))
        elif r < 0.8:
            lines = AGENT.split('\n')
            a = rng.randrange(len(lines))
            parts.append('\n'.join(lines[a:a + rng.randint(1, 6)]))
        else:
            parts.append(''.join(rng.choice('abcxyz_ 019') for _ in range(rng.randint(1, 8))))
    return ''.join(parts).encode()


def mutate(rng, src):
    b = bytearray(src)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        pos = rng.randint(0, len(b))
        if op < 0.4:
            b[pos:pos] = rng.choice(PIECES).encode()
        elif op < 0.6 and b:
            del b[pos:pos + rng.randint(1, 16)]
        elif op < 0.75 and b:
            a = rng.randrange(len(b))
            b[pos:pos] = b[a:a + rng.randint(1, 200)]
        elif op < 0.85:
            del b[pos:]
        elif b:
            b[rng.randrange(len(b))] = rng.choice(b'()[]{}:\'"\\\n #=*.f')
    return bytes(b)


def inputs():
    rng = random.Random(SEED)
    base = corpus() + bench_sources()
    out = list(base)
    out += [('edge %d' % i, e) for i, e in enumerate(EDGE)]
    out += [('random %d' % i, random_source(rng)) for i in range(RANDOM_SOURCES)]
    small = [s for _, s in base if len(s) < 20000] + [AGENT.encode()] * 20
    for i in range(MUTATIONS):
        out.append(('mutation %d' % i, mutate(rng, rng.choice(small))))
    return out


def run_driver(driver, srcs):
    """Every source through one driver process: its answers, in order."""
    with tempfile.TemporaryFile() as fin:
        for s in srcs:
            fin.write(struct.pack('<I', len(s)) + s)
        fin.seek(0)
        res = subprocess.run([driver], stdin=fin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if res.returncode != 0:
        sys.stderr.write(res.stderr.decode(errors='replace')[-4000:])
        return None
    return frames(res.stdout)


GUEST_PROGRAM = '''
import sys
sys.path.insert(0, '/oracle')
import oracle
f = open('/oracle/in.bin', 'rb')
data = f.read()
f.close()
out = open('/oracle/out.bin', 'wb')
i = 0
while i < len(data):
    n = int.from_bytes(data[i:i + 4], 'little')
    src = data[i + 4:i + 4 + n]
    i += 4 + n
    try:
        answer = oracle.rewrite(src.decode()).encode() if n < %d else src
    except UnicodeError:
        answer = src
    out.write(len(answer).to_bytes(4, 'little'))
    out.write(answer)
out.close()
''' % MAX_SOURCE


def frames(data):
    out, i = [], 0
    while i < len(data):
        (n,) = struct.unpack_from('<I', data, i)
        out.append(data[i + 4:i + 4 + n])
        i += 4 + n
    return out


def run_guest_oracle(airlock, srcs):
    """The oracle inside airlock's MicroPython guest over srcs: its answers."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'oracle.py'), 'rb') as fh:
            code = fh.read()
        for name, data in (('oracle.py', code), ('prog.py', GUEST_PROGRAM.encode()),
                           ('in.bin', b''.join(struct.pack('<I', len(s)) + s for s in srcs))):
            with open(os.path.join(d, name), 'wb') as fh:
                fh.write(data)
        res = subprocess.run([airlock, '--mount', d + ':/oracle:rw', '--timeout', '3000', '--memory', '2G',
                              os.path.join(d, 'prog.py')], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if res.returncode != 0:
            sys.stderr.write(res.stderr.decode(errors='replace')[-4000:])
            return None
        with open(os.path.join(d, 'out.bin'), 'rb') as fh:
            return frames(fh.read())


def first_difference(a, b):
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return i


def check_guest(airlock, cases, want):
    """Whether the oracle in the guest answers as under CPython."""
    small = [k for k, (_, s) in enumerate(cases) if len(s) < 16384 and want[k] is not None]
    got = run_guest_oracle(airlock, [cases[k][1] for k in small])
    if got is None or len(got) != len(small):
        print('guest oracle: failed or answered %s of %d inputs' % ('no' if got is None else len(got), len(small)))
        return False
    bad = [k for k, g in zip(small, got) if g != want[k]]
    for k in bad[:5]:
        print('guest oracle: %s answers otherwise than under CPython' % cases[k][0])
    print('guest oracle: %d inputs, %d answered otherwise than under CPython' % (len(small), len(bad)))
    return not bad


def main():
    args = sys.argv[1:]
    verbose = '-v' in args
    guest = args[args.index('--guest') + 1] if '--guest' in args else None
    drivers = [a for a in args if a not in ('-v', '--guest', guest)]
    if not drivers:
        sys.exit(__doc__)
    cases = inputs()
    want = [expected(s) for _, s in cases]
    passed = failed = 0
    if guest:
        if check_guest(guest, cases, want):
            passed += 1
        else:
            failed += 1
    for driver in drivers:
        got = run_driver(driver, [s for _, s in cases])
        if got is None or len(got) != len(cases):
            print('%s: crashed or answered %s of %d inputs' % (driver, 'no' if got is None else len(got), len(cases)))
            failed += 1
            continue
        bad = 0
        for (name, src), w, g in zip(cases, want, got):
            if w is None or w == g:
                continue
            bad += 1
            if verbose or bad <= 5:
                i = first_difference(w, g)
                print('%s: %s (%d bytes) differs at byte %d:\n  python: %r\n  c:      %r' %
                      (os.path.basename(driver), name, len(src), i, w[max(0, i - 60):i + 60], g[max(0, i - 60):i + 60]))
                path = os.path.join(tempfile.gettempdir(), 'rewrite-diff-%d.py' % bad)
                with open(path, 'wb') as fh:
                    fh.write(src)
        changed = sum(1 for (_, s), w in zip(cases, want) if w is not None and w != s)
        print('%s: %d inputs (%d rewritten), %d differ' % (os.path.basename(driver), len(cases), changed, bad))
        if bad:
            failed += 1
        else:
            passed += 1
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
