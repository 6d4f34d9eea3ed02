# re for airlock: a backtracking regular-expression engine written for the
# CPython syntax agents use (groups, named groups, {m,n}, lazy quantifiers,
# lookaround, backreferences, \b, flags I/M/S/X/A). Iterative: no Python
# recursion while matching, so long inputs do not hit the guest's small
# recursion limit. Not supported (clear error): possessive quantifiers,
# atomic groups, conditional groups, variable-width lookbehind.

A = ASCII = 256
I = IGNORECASE = 2
L = LOCALE = 4
M = MULTILINE = 8
S = DOTALL = 16
U = UNICODE = 32
X = VERBOSE = 64
T = TEMPLATE = 1
DEBUG = 128
NOFLAG = 0


class error(Exception):
    def __init__(self, msg, pattern=None, pos=None):
        # MicroPython's built-in types have no __init__ attribute to call
        super().__init__(msg if pos is None else '%s at position %d' % (msg, pos))
        self.msg = msg
        self.pattern = pattern
        self.pos = pos


PatternError = error

# opcodes
_CHAR, _ANY, _ANYNL, _SET, _SPLIT, _JMP, _SAVE, _BOL, _EOL, _BOS, _EOS, \
    _WB, _NWB, _LOOK, _BREF, _MATCH, _MARK, _PROG, _STR = range(19)


def _isword(c):
    return c == '_' or c.isalpha() or c.isdigit()


class _Parser:
    def __init__(self, pattern, flags):
        self.p = pattern
        self.i = 0
        self.flags = flags
        self.ngroups = 0
        self.names = {}

    def error(self, msg):
        raise error(msg, self.p, self.i)

    def peek(self):
        return self.p[self.i] if self.i < len(self.p) else None

    def skip_ws(self):
        if self.flags & X:
            p = self.p
            while self.i < len(p):
                c = p[self.i]
                if c in ' \t\n\r\f\v':
                    self.i += 1
                elif c == '#':
                    while self.i < len(p) and p[self.i] != '\n':
                        self.i += 1
                else:
                    break

    def parse(self):
        node = self.alt()
        if self.i < len(self.p):
            self.error('unbalanced parenthesis')
        return node

    def alt(self):
        branches = [self.seq()]
        while self.peek() == '|':
            self.i += 1
            branches.append(self.seq())
        return branches[0] if len(branches) == 1 else ('alt', branches)

    def seq(self):
        items = []
        while True:
            self.skip_ws()
            c = self.peek()
            if c is None or c in '|)':
                break
            atom = self.atom()
            if atom is None:
                continue
            self.skip_ws()
            atom = self.quant(atom)
            items.append(atom)
        return items[0] if len(items) == 1 else ('seq', items)

    def quant(self, atom):
        while True:
            c = self.peek()
            if c is None:
                return atom
            if c in '*+?':
                lo, hi = {'*': (0, None), '+': (1, None), '?': (0, 1)}[c]
                self.i += 1
            elif c == '{':
                j = self.p.find('}', self.i)
                body = self.p[self.i + 1:j] if j > 0 else ''
                parts = body.split(',')
                ok = j > 0 and len(parts) <= 2 and all(x.strip().isdigit() or x.strip() == '' for x in parts) \
                    and not (len(parts) == 1 and parts[0].strip() == '')
                if not ok:
                    return atom
                lo = int(parts[0]) if parts[0].strip() else 0
                hi = lo if len(parts) == 1 else (int(parts[1]) if parts[1].strip() else None)
                if hi is not None and hi < lo:
                    self.error('min repeat greater than max repeat')
                self.i = j + 1
            else:
                return atom
            if atom[0] in ('bol', 'eol', 'bos', 'eos', 'wb', 'nwb') and False:
                self.error('nothing to repeat')
            if atom[0] == 'rep':
                self.error('multiple repeat')
            greedy = True
            if self.peek() == '?':
                greedy = False
                self.i += 1
            elif self.peek() == '+':
                self.error('possessive quantifiers are not supported by airlock re; use a greedy quantifier')
            atom = ('rep', atom, lo, hi, greedy)
            self.skip_ws()

    def atom(self):
        p = self.p
        c = p[self.i]
        self.i += 1
        if c == '(':
            return self.group()
        if c == '[':
            return self.cls()
        if c == '.':
            return ('any',)
        if c == '^':
            return ('bol',)
        if c == '$':
            return ('eol',)
        if c == '\\':
            return self.escape(False)
        if c in '*+?':
            self.error('nothing to repeat')
        if c == '{':
            return ('lit', c)
        return ('lit', c)

    def group(self):
        p = self.p
        if p.startswith('?', self.i):
            self.i += 1
            c = self.peek()
            if c == ':':
                self.i += 1
                node = self.alt()
                self.close()
                return ('group', None, node)
            if c == 'P' and p.startswith('P<', self.i) or c == '<' and p[self.i + 1:self.i + 2] not in '=!':
                self.i += 2 if c == 'P' else 1
                j = p.find('>', self.i)
                if j < 0:
                    self.error('missing >, unterminated name')
                name = p[self.i:j]
                self._check_name(name)
                self.i = j + 1
                self.ngroups += 1
                idx = self.ngroups
                if name in self.names:
                    self.error("redefinition of group name %r" % name)
                self.names[name] = idx
                node = self.alt()
                self.close()
                return ('group', idx, node)
            if c == 'P' and p.startswith('P=', self.i):
                j = p.find(')', self.i)
                if j < 0:
                    self.error('missing ), unterminated name')
                name = p[self.i + 2:j]
                self._check_name(name)
                self.i = j + 1
                if name not in self.names:
                    self.error('unknown group name %r' % name)
                return ('bref', self.names[name])
            if c in '=!':
                self.i += 1
                node = self.alt()
                self.close()
                return ('look', node, True, c == '!')
            if c == '<' and p[self.i + 1:self.i + 2] in '=!':
                neg = p[self.i + 1] == '!'
                self.i += 2
                node = self.alt()
                self.close()
                return ('look', node, False, neg)
            if c == '#':
                j = p.find(')', self.i)
                if j < 0:
                    self.error('missing ), unterminated comment')
                self.i = j + 1
                return None
            # inline flags (?aiLmsux) or scoped (?i:...)
            j = self.i
            fl = 0
            table = {'i': I, 'm': M, 's': S, 'x': X, 'a': A, 'u': U, 'L': L}
            while j < len(p) and p[j] in table:
                fl |= table[p[j]]
                j += 1
            if j < len(p) and p[j] == ')' and j > self.i:
                self.flags |= fl
                self.i = j + 1
                return None
            if j < len(p) and p[j] == ':' and j > self.i:
                self.i = j + 1
                saved = self.flags
                self.flags |= fl
                node = self.alt()
                self.flags = saved
                self.close()
                return ('flags', fl, node)
            if c == '>':
                self.error('atomic groups (?>...) are not supported by airlock re')
            if c == '(':
                self.error('conditional groups (?(id)...) are not supported by airlock re')
            self.error('unknown extension ?' + (c or ''))
        self.ngroups += 1
        idx = self.ngroups
        node = self.alt()
        self.close()
        return ('group', idx, node)

    def _check_name(self, name):
        if not name:
            self.error('missing group name')
        if name[0].isdigit() or not all(c == '_' or c.isalpha() or c.isdigit() for c in name):
            self.error('bad character in group name %r' % name)

    def close(self):
        if self.peek() != ')':
            self.error('missing ), unterminated subpattern')
        self.i += 1

    def escape(self, in_class):
        p = self.p
        if self.i >= len(p):
            self.error('bad escape (end of pattern)')
        c = p[self.i]
        self.i += 1
        if c in 'dDwWsS':
            return ('set', [c], False)
        simple = {'n': '\n', 't': '\t', 'r': '\r', 'f': '\f', 'v': '\v', 'a': '\a'}
        if c in simple:
            return ('lit', simple[c])
        if c == 'b':
            return ('lit', '\b') if in_class else ('wb',)
        if c == 'B' and not in_class:
            return ('nwb',)
        if c == 'A' and not in_class:
            return ('bos',)
        if c == 'Z' and not in_class:
            return ('eos',)
        if c in 'xuU':
            k = {'x': 2, 'u': 4, 'U': 8}[c]
            h = p[self.i:self.i + k]
            if len(h) < k or not all(d in '0123456789abcdefABCDEF' for d in h):
                self.i -= 2
                self.error('incomplete escape \\' + c + h)
            self.i += k
            v = int(h, 16)
            if v > 0x10ffff:
                self.i -= k + 2
                self.error('bad escape \\' + c + h)
            return ('lit', chr(v))
        if c == '0':
            j = self.i
            while j < len(p) and j < self.i + 2 and p[j] in '01234567':
                j += 1
            v = int('0' + p[self.i:j], 8)
            self.i = j
            return ('lit', chr(v))
        if c.isdigit():
            j = self.i
            while j < len(p) and p[j].isdigit() and j - self.i < 1:
                j += 1
            n = int(p[self.i - 1:j])
            self.i = j
            if in_class:
                self.error('bad escape \\%d' % n)
            if n > self.ngroups:
                self.error('invalid group reference %d' % n)
            return ('bref', n)
        if c.isalpha():
            self.error('bad escape \\' + c)
        return ('lit', c)

    def cls(self):
        p = self.p
        neg = False
        if self.peek() == '^':
            neg = True
            self.i += 1
        items = []
        first = True
        start = self.i - (2 if neg else 1)
        while True:
            if self.i >= len(p):
                self.i = start
                self.error('unterminated character set')
            c = p[self.i]
            if c == ']' and not first:
                self.i += 1
                break
            first = False
            self.i += 1
            if c == '\\':
                e = self.escape(True)
                if e[0] == 'set':
                    if p[self.i:self.i + 1] == '-' and p[self.i + 1:self.i + 2] not in (']', ''):
                        self.error('bad character range')
                    items.append(e[1][0])
                    continue
                lo = e[1]
            elif c == '[' and p[self.i:self.i + 1] == ':':
                self.error('POSIX classes like [[:alpha:]] are not supported; use \\w, \\d, \\s or explicit ranges')
            else:
                lo = c
            if p[self.i:self.i + 1] == '-' and p[self.i + 1:self.i + 2] not in (']', ''):
                self.i += 1
                c2 = p[self.i]
                self.i += 1
                if c2 == '\\':
                    e = self.escape(True)
                    if e[0] != 'lit':
                        self.error('bad character range')
                    c2 = e[1]
                if ord(c2) < ord(lo):
                    self.error('bad character range %s-%s' % (lo, c2))
                items.append((lo, c2))
            else:
                items.append((lo, lo))
        return ('set', items, neg)


def _set_test(items, neg, icase, ascii_):
    # Build a predicate-friendly representation: (chars string, classes, ranges)
    chars = []
    ranges = []
    classes = ''
    for it in items:
        if isinstance(it, str):
            classes += it
        else:
            lo, hi = it
            if ord(hi) - ord(lo) < 128:
                for o in range(ord(lo), ord(hi) + 1):
                    chars.append(chr(o))
            else:
                ranges.append((lo, hi))
    s = ''.join(chars)
    if icase:
        s = s + s.lower() + s.upper()
    return (s, classes, ranges, neg, icase, ascii_)


def _in_set(st, c):
    s, classes, ranges, neg, icase, ascii_ = st
    r = c in s
    if not r and classes:
        for k in classes:
            if k == 'd':
                r = c.isdigit()
            elif k == 'w':
                r = _isword(c) and (not ascii_ or c < '\x80')
            elif k == 's':
                r = c in ' \t\n\r\f\v'
            elif k == 'D':
                r = not c.isdigit()
            elif k == 'W':
                r = not (_isword(c) and (not ascii_ or c < '\x80'))
            elif k == 'S':
                r = c not in ' \t\n\r\f\v'
            if r:
                break
    if not r and ranges:
        for lo, hi in ranges:
            if lo <= c <= hi or (icase and (lo <= c.lower() <= hi or lo <= c.upper() <= hi)):
                r = True
                break
    return r != neg


def _can_empty(node):
    k = node[0]
    if k in ('lit', 'any', 'set', 'str'):
        return False
    if k == 'seq':
        return all(_can_empty(n) for n in node[1])
    if k == 'alt':
        return any(_can_empty(n) for n in node[1])
    if k == 'group':
        return _can_empty(node[2])
    if k == 'flags':
        return _can_empty(node[2])
    if k == 'rep':
        return node[2] == 0 or _can_empty(node[1])
    return True


def _width(node):
    k = node[0]
    if k in ('lit', 'any', 'set'):
        return 1
    if k == 'seq':
        w = 0
        for n in node[1]:
            x = _width(n)
            if x is None:
                return None
            w += x
        return w
    if k == 'alt':
        ws = set(_width(n) for n in node[1])
        return ws.pop() if len(ws) == 1 else None
    if k in ('group', 'flags'):
        return _width(node[2])
    if k == 'rep':
        if node[3] == node[2]:
            w = _width(node[1])
            return None if w is None else w * node[2]
        return None
    if k in ('bol', 'eol', 'bos', 'eos', 'wb', 'nwb', 'look'):
        return 0
    return None


class _Compiler:
    def __init__(self, flags, nslots):
        self.prog = []
        self.flags = flags
        self.nmarks = 0
        self.nslots = nslots

    def emit(self, node):
        prog = self.prog
        k = node[0]
        fl = self.flags
        if k == 'lit':
            if fl & I:
                prog.append((_SET, _set_test([(node[1], node[1])], False, True, fl & A)))
            else:
                prog.append((_CHAR, node[1]))
        elif k == 'any':
            prog.append((_ANYNL,) if fl & S else (_ANY,))
        elif k == 'set':
            prog.append((_SET, _set_test(node[1], node[2], fl & I, fl & A)))
        elif k == 'seq':
            items = node[1]
            i = 0
            while i < len(items):
                # merge literal runs into one string compare
                if not (fl & I) and items[i][0] == 'lit':
                    j = i
                    while j < len(items) and items[j][0] == 'lit':
                        j += 1
                    if j - i > 1:
                        prog.append((_STR, ''.join(x[1] for x in items[i:j])))
                        i = j
                        continue
                self.emit(items[i])
                i += 1
        elif k == 'alt':
            jumps = []
            br = node[1]
            for n in br[:-1]:
                at = len(prog)
                prog.append(None)
                self.emit(n)
                jumps.append(len(prog))
                prog.append(None)
                prog[at] = (_SPLIT, at + 1, len(prog))
            self.emit(br[-1])
            for j in jumps:
                prog[j] = (_JMP, len(prog))
        elif k == 'group':
            if node[1] is None:
                self.emit(node[2])
            else:
                prog.append((_SAVE, 2 * node[1]))
                self.emit(node[2])
                prog.append((_SAVE, 2 * node[1] + 1))
        elif k == 'flags':
            saved = self.flags
            self.flags |= node[1]
            self.emit(node[2])
            self.flags = saved
        elif k == 'rep':
            sub, lo, hi, greedy = node[1], node[2], node[3], node[4]
            for _ in range(lo):
                self.emit(sub)
            if hi is None:
                empty = _can_empty(sub)
                loop = len(prog)
                prog.append(None)
                mark = None
                if empty:
                    mark = self.nslots + self.nmarks
                    self.nmarks += 1
                    prog.append((_MARK, mark))
                self.emit(sub)
                if empty:
                    prog.append((_PROG, mark))
                prog.append((_JMP, loop))
                out = len(prog)
                prog[loop] = (_SPLIT, loop + 1, out) if greedy else (_SPLIT, out, loop + 1)
            else:
                holes = []
                for _ in range(hi - lo):
                    at = len(prog)
                    prog.append(None)
                    holes.append(at)
                    self.emit(sub)
                out = len(prog)
                for at in holes:
                    prog[at] = (_SPLIT, at + 1, out) if greedy else (_SPLIT, out, at + 1)
        elif k == 'bol':
            prog.append((_BOL, bool(fl & M)))
        elif k == 'eol':
            prog.append((_EOL, bool(fl & M)))
        elif k == 'bos':
            prog.append((_BOS,))
        elif k == 'eos':
            prog.append((_EOS,))
        elif k == 'wb':
            prog.append((_WB,))
        elif k == 'nwb':
            prog.append((_NWB,))
        elif k == 'bref':
            prog.append((_BREF, node[1], bool(fl & I)))
        elif k == 'look':
            sub = _Compiler(self.flags, self.nslots)
            sub.nmarks = self.nmarks
            sub.emit(node[1])
            sub.prog.append((_MATCH,))
            self.nmarks = sub.nmarks
            width = 0
            if not node[2]:
                width = _width(node[1])
                if width is None:
                    raise error('look-behind requires fixed-width pattern')
            prog.append((_LOOK, sub.prog, node[2], node[3], width))
        else:
            raise error('internal: unknown node ' + k)


def _run(prog, s, pos, end, caps):
    """Match prog at pos. caps: list of slots, updated in place. Returns the
    end position or -1."""
    stack = []
    pc = 0
    n = end
    while True:
        op = prog[pc]
        code = op[0]
        if code == _CHAR:
            if pos < n and s[pos] == op[1]:
                pos += 1
                pc += 1
                continue
        elif code == _STR:
            t = op[1]
            if s.startswith(t, pos) and pos + len(t) <= n:
                pos += len(t)
                pc += 1
                continue
        elif code == _SET:
            if pos < n and _in_set(op[1], s[pos]):
                pos += 1
                pc += 1
                continue
        elif code == _ANY:
            if pos < n and s[pos] != '\n':
                pos += 1
                pc += 1
                continue
        elif code == _ANYNL:
            if pos < n:
                pos += 1
                pc += 1
                continue
        elif code == _SPLIT:
            stack.append((op[2], pos, -1, 0))
            pc = op[1]
            continue
        elif code == _JMP:
            pc = op[1]
            continue
        elif code == _SAVE or code == _MARK:
            slot = op[1]
            stack.append((-1, 0, slot, caps[slot]))
            caps[slot] = pos
            pc += 1
            continue
        elif code == _PROG:
            if caps[op[1]] != pos:
                pc += 1
                continue
        elif code == _MATCH:
            return pos
        elif code == _BOL:
            if pos == 0 or (op[1] and s[pos - 1] == '\n'):
                pc += 1
                continue
        elif code == _EOL:
            if pos == n or (pos == n - 1 and s[pos] == '\n') or (op[1] and s[pos] == '\n'):
                pc += 1
                continue
        elif code == _BOS:
            if pos == 0:
                pc += 1
                continue
        elif code == _EOS:
            if pos == n:
                pc += 1
                continue
        elif code == _WB or code == _NWB:
            a = pos > 0 and _isword(s[pos - 1])
            b = pos < n and _isword(s[pos])
            if (a != b) == (code == _WB):
                pc += 1
                continue
        elif code == _BREF:
            g = op[1]
            st, en = caps[2 * g], caps[2 * g + 1]
            if st >= 0 and en >= 0:
                t = s[st:en]
                if op[2]:
                    ok = s[pos:pos + len(t)].lower() == t.lower()
                else:
                    ok = s.startswith(t, pos)
                if ok and pos + len(t) <= n:
                    pos += len(t)
                    pc += 1
                    continue
        elif code == _LOOK:
            sub, ahead, neg, width = op[1], op[2], op[3], op[4]
            trial = caps[:]
            if ahead:
                r = _run(sub, s, pos, n, trial)
                ok = r >= 0
            else:
                st = pos - width
                ok = st >= 0 and _run(sub, s, st, pos, trial) == pos
            if ok != neg:
                if ok:
                    for i in range(len(caps)):
                        if trial[i] != caps[i]:
                            stack.append((-1, 0, i, caps[i]))
                            caps[i] = trial[i]
                pc += 1
                continue
        # failure: backtrack
        while True:
            if not stack:
                return -1
            bpc, bpos, slot, old = stack.pop()
            if bpc < 0:
                caps[slot] = old
            else:
                pc = bpc
                pos = bpos
                break


_cache = {}


def compile(pattern, flags=0):
    if isinstance(pattern, Pattern):
        if flags:
            raise ValueError('cannot process flags argument with a compiled pattern')
        return pattern
    key = (type(pattern), pattern, flags)
    p = _cache.get(key)
    if p is None:
        if len(_cache) > 100:
            _cache.clear()
        p = Pattern(pattern, flags)
        _cache[key] = p
    return p


class Pattern:
    def __init__(self, pattern, flags):
        self._bytes = isinstance(pattern, (bytes, bytearray))
        src = pattern.decode('latin-1') if self._bytes else pattern
        if not isinstance(src, str):
            raise TypeError('first argument must be string or compiled pattern')
        self.pattern = pattern
        parser = _Parser(src, flags)
        tree = parser.parse()
        self.flags = parser.flags | (0 if self._bytes else U)
        self.groups = parser.ngroups
        self.groupindex = parser.names
        c = _Compiler(parser.flags, 2 * (parser.ngroups + 1))
        c.emit(tree)
        c.prog.append((_MATCH,))
        self._prog = c.prog
        self._nslots = 2 * (parser.ngroups + 1) + c.nmarks
        first = c.prog[0]
        self._lit = first[1][0] if first[0] == _STR else (first[1] if first[0] == _CHAR else None)
        self._anchored = first[0] == _BOS or (first[0] == _BOL and not first[1])

    def __repr__(self):
        return 're.compile(%r)' % (self.pattern,)

    def _s(self, string):
        if self._bytes:
            if not isinstance(string, (bytes, bytearray)):
                raise TypeError('cannot use a bytes pattern on a string-like object')
            return string.decode('latin-1')
        if not isinstance(string, str):
            raise TypeError('cannot use a string pattern on a bytes-like object' if isinstance(string, (bytes, bytearray))
                            else 'expected string or bytes-like object, got %r' % type(string).__name__)
        return string

    def _at(self, s, pos, end):
        caps = [-1] * self._nslots
        e = _run(self._prog, s, pos, end, caps)
        if e < 0:
            return None
        caps[0] = pos
        caps[1] = e
        return caps

    def _search(self, s, pos, end):
        lit = self._lit
        while pos <= end:
            if lit is not None:
                pos = s.find(lit, pos)
                if pos < 0 or pos > end:
                    return None
            caps = self._at(s, pos, end)
            if caps is not None:
                return caps
            if self._anchored:
                return None
            pos += 1
        return None

    def _bounds(self, s, pos, endpos):
        n = len(s)
        if endpos is None or endpos > n:
            endpos = n
        if pos < 0:
            pos = 0
        return pos, endpos

    def match(self, string, pos=0, endpos=None):
        s = self._s(string)
        pos, end = self._bounds(s, pos, endpos)
        caps = self._at(s, pos, end)
        return None if caps is None else Match(self, string, s, caps, pos, end)

    def fullmatch(self, string, pos=0, endpos=None):
        s = self._s(string)
        pos, end = self._bounds(s, pos, endpos)
        # anchor at the end: try matching the pattern followed by end-of-string
        prog = self._full()
        caps = [-1] * self._nslots
        e = _run(prog, s, pos, end, caps)
        if e < 0:
            return None
        caps[0], caps[1] = pos, e
        return Match(self, string, s, caps, pos, end)

    def _full(self):
        try:
            return self._fprog
        except AttributeError:
            p = self._prog[:-1] + [(_EOS,), (_MATCH,)]
            self._fprog = p
            return p

    def search(self, string, pos=0, endpos=None):
        s = self._s(string)
        pos, end = self._bounds(s, pos, endpos)
        caps = self._search(s, pos, end)
        return None if caps is None else Match(self, string, s, caps, pos, end)

    def _iter(self, s, pos, end):
        while pos <= end:
            caps = self._search(s, pos, end)
            if caps is None:
                return
            yield caps
            st, en = caps[0], caps[1]
            pos = en if en > st else en + 1
            if en == st and False:
                pass

    def finditer(self, string, pos=0, endpos=None):
        s = self._s(string)
        pos, end = self._bounds(s, pos, endpos)
        for caps in self._iter(s, pos, end):
            yield Match(self, string, s, caps, pos, end)

    def findall(self, string, pos=0, endpos=None):
        s = self._s(string)
        pos, end = self._bounds(s, pos, endpos)
        out = []
        g = self.groups
        conv = (lambda x: x.encode('latin-1')) if self._bytes else (lambda x: x)
        for caps in self._iter(s, pos, end):
            if g == 0:
                out.append(conv(s[caps[0]:caps[1]]))
            else:
                vals = []
                for i in range(1, g + 1):
                    a, b = caps[2 * i], caps[2 * i + 1]
                    vals.append(conv(s[a:b]) if a >= 0 and b >= 0 else conv(''))
                out.append(vals[0] if g == 1 else tuple(vals))
        return out

    def split(self, string, maxsplit=0):
        s = self._s(string)
        out = []
        last = 0
        n = 0
        conv = (lambda x: x.encode('latin-1')) if self._bytes else (lambda x: x)
        for caps in self._iter(s, 0, len(s)):
            if maxsplit and n >= maxsplit:
                break
            out.append(conv(s[last:caps[0]]))
            for i in range(1, self.groups + 1):
                a, b = caps[2 * i], caps[2 * i + 1]
                out.append(conv(s[a:b]) if a >= 0 and b >= 0 else None)
            last = caps[1]
            n += 1
        out.append(conv(s[last:]))
        return out

    def subn(self, repl, string, count=0):
        s = self._s(string)
        out = []
        last = 0
        n = 0
        if callable(repl):
            fn = repl
        else:
            r = repl.decode('latin-1') if isinstance(repl, (bytes, bytearray)) else repl
            if '\\' not in r:
                fn = None
            else:
                tpl = _parse_template(r, self)
                fn = lambda m: _expand(tpl, m)
        for caps in self._iter(s, 0, len(s)):
            if count and n >= count:
                break
            out.append(s[last:caps[0]])
            if fn is None:
                out.append(r)
            else:
                m = Match(self, string, s, caps, 0, len(s))
                v = fn(m)
                if isinstance(v, (bytes, bytearray)):
                    v = v.decode('latin-1')
                out.append(v)
            last = caps[1]
            n += 1
        out.append(s[last:])
        res = ''.join(out)
        if self._bytes:
            res = res.encode('latin-1')
        return res, n

    def sub(self, repl, string, count=0):
        return self.subn(repl, string, count)[0]

    def scanner(self, string, pos=0, endpos=None):
        raise NotImplementedError('Pattern.scanner is not supported; use finditer()')


def _parse_template(r, pat):
    parts = []
    i = 0
    buf = []
    n = len(r)
    while i < n:
        c = r[i]
        if c == '\\' and i + 1 < n:
            d = r[i + 1]
            if d == 'g':
                j = r.find('>', i)
                name = r[i + 3:j]
                parts.append(''.join(buf))
                buf = []
                parts.append(int(name) if name.isdigit() else pat.groupindex[name])
                i = j + 1
                continue
            if d.isdigit():
                j = i + 1
                while j < n and j < i + 3 and r[j].isdigit():
                    j += 1
                parts.append(''.join(buf))
                buf = []
                g = int(r[i + 1:j])
                if g > pat.groups:
                    raise error('invalid group reference %d' % g)
                parts.append(g)
                i = j
                continue
            esc = {'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', 'f': '\f', 'v': '\v', 'a': '\a'}
            if d in esc:
                buf.append(esc[d])
            elif d.isalpha():
                raise error('bad escape \\' + d)
            else:
                buf.append('\\' + d)
            i += 2
            continue
        buf.append(c)
        i += 1
    parts.append(''.join(buf))
    return parts


def _expand(tpl, m):
    out = []
    for p in tpl:
        if isinstance(p, int):
            out.append(m._g(p) or '')
        else:
            out.append(p)
    return ''.join(out)


class Match:
    def __init__(self, pat, string, s, caps, pos, endpos):
        self.re = pat
        self.string = string
        self._s = s
        self._c = caps
        self.pos = pos
        self.endpos = endpos

    def _idx(self, g):
        if isinstance(g, str):
            try:
                return self.re.groupindex[g]
            except KeyError:
                raise IndexError('no such group')
        if g < 0 or g > self.re.groups:
            raise IndexError('no such group')
        return g

    def _g(self, g, default=None):
        i = self._idx(g)
        a, b = self._c[2 * i], self._c[2 * i + 1]
        if a < 0 or b < 0:
            return default
        v = self._s[a:b]
        return v.encode('latin-1') if self.re._bytes else v

    def group(self, *gs):
        if not gs:
            return self._g(0)
        if len(gs) == 1:
            return self._g(gs[0])
        return tuple(self._g(g) for g in gs)

    def __getitem__(self, g):
        return self._g(g)

    def groups(self, default=None):
        return tuple(self._g(i, default) for i in range(1, self.re.groups + 1))

    def groupdict(self, default=None):
        from collections import ordered
        d = ordered()
        for name, i in sorted(self.re.groupindex.items(), key=lambda kv: kv[1]):
            d[name] = self._g(i, default)
        return d

    def start(self, g=0):
        return self._c[2 * self._idx(g)]

    def end(self, g=0):
        return self._c[2 * self._idx(g) + 1]

    def span(self, g=0):
        i = self._idx(g)
        return (self._c[2 * i], self._c[2 * i + 1])

    @property
    def lastindex(self):
        best, be = None, -1
        for i in range(1, self.re.groups + 1):
            if self._c[2 * i + 1] >= 0 and self._c[2 * i + 1] >= be:
                best, be = i, self._c[2 * i + 1]
        return best

    @property
    def lastgroup(self):
        li = self.lastindex
        for k, v in self.re.groupindex.items():
            if v == li:
                return k
        return None

    def expand(self, template):
        return _expand(_parse_template(template, self.re), self)

    def __bool__(self):
        return True

    def __repr__(self):
        return '<re.Match object; span=%r, match=%r>' % (self.span(), self.group())


def match(pattern, string, flags=0):
    return compile(pattern, flags).match(string)


def fullmatch(pattern, string, flags=0):
    return compile(pattern, flags).fullmatch(string)


def search(pattern, string, flags=0):
    return compile(pattern, flags).search(string)


def findall(pattern, string, flags=0):
    return compile(pattern, flags).findall(string)


def finditer(pattern, string, flags=0):
    return compile(pattern, flags).finditer(string)


def sub(pattern, repl, string, count=0, flags=0):
    return compile(pattern, flags).sub(repl, string, count)


def subn(pattern, repl, string, count=0, flags=0):
    return compile(pattern, flags).subn(repl, string, count)


def split(pattern, string, maxsplit=0, flags=0):
    return compile(pattern, flags).split(string, maxsplit)


def purge():
    _cache.clear()


_SPECIAL = '()[]{}?*+-|^$\\.&~# \t\n\r\v\f'


def escape(pattern):
    if isinstance(pattern, (bytes, bytearray)):
        return escape(pattern.decode('latin-1')).encode('latin-1')
    return ''.join('\\' + c if c in _SPECIAL else c for c in pattern)


RegexFlag = int
