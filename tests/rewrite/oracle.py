# The source rewriter as it ran inside the MicroPython guest until it moved
# to the host (src/guests/micropython/rewrite.c). Kept only as the oracle of
# tests/rewrite/run.py: the C rewriter must give the same output for every
# input. Two changes let CPython run it as MicroPython did: rstrip() strips
# MicroPython's whitespace (" \t\n\r\v\f", not Unicode's), and the host
# pre-check _find_any is gone (the loop in _needs_work does the same).
#
#   P.ljust(...)    -> _airlock.m(P, 'ljust')(...)   (str methods MicroPython lacks)
#   P.format(...)   -> _airlock.mfmt(P)(...)          (attribute/index fields, grouping)
#   P.sort(...)     -> _airlock.msort(P)(...)         (stable sort)
#   P[a:b:c]        -> _airlock.sl(P, a, b, c)       (str/bytes step slices; loads only)
#   {**a, k: v}     -> _airlock.merge((a,), (k, v))
#   class C(...):   -> @_airlock.cls(names, annotations) above it (field order for
#                      dataclasses, Enum/NamedTuple/TypedDict classes)
#   f"{x=}"         -> f"x={x!r}";  f"{x:%Y,_}" -> f"{_airlock.fmt(x, '%Y')}"
#
# rewrite(src) -> src. On any internal problem the source is returned as is.

_METHODS = ('ljust', 'rjust', 'zfill', 'title', 'capitalize', 'swapcase',
            'isalnum', 'istitle', 'isidentifier', 'isdecimal', 'isnumeric',
            'isascii', 'isprintable', 'casefold', 'removeprefix',
            'removesuffix', 'expandtabs', 'translate', 'maketrans',
            'hexdigest', 'center', 'format', 'sort', 'getrecursionlimit',
            'setrecursionlimit', 'hex', 'fromhex')
_SPECIAL_BASES = ('Enum', 'IntEnum', 'StrEnum', 'Flag', 'IntFlag',
                  'NamedTuple', 'TypedDict', 'Generic', 'Protocol')
_KEYWORDS = ('False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await',
             'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
             'except', 'finally', 'for', 'from', 'global', 'if', 'import',
             'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
             'return', 'try', 'while', 'with', 'yield')
_ATOM_KW = ('None', 'True', 'False')
_NAMECH = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789'
_OPS3 = ('**=', '//=', '>>=', '<<=', '...')
_OPS2 = ('**', '//', '==', '!=', '<=', '>=', '->', '+=', '-=', '*=', '/=',
         '%=', '&=', '|=', '^=', '@=', ':=', '<<', '>>')
_ASSIGN_AFTER = ('=', '+=', '-=', '*=', '/=', '//=', '%=', '**=', '&=', '|=',
                 '^=', '>>=', '<<=', '@=')

# token kinds
NAME, NUM, STR, OP, NL, INDENT, DEDENT = 0, 1, 2, 3, 4, 5, 6

# The tokenizer works on the source's UTF-8 bytes: indexing a MicroPython
# str walks it from the start (O(i)), indexing bytes does not. Positions are
# byte offsets. A token's text is a str only where the passes compare it:
# operators and the names in _WORDS; any other name, number or string keeps
# its bytes, which equal no str (creating a str looks it up among the
# interned strings, the guest's dearest small operation).


def _table(chars):
    t = bytearray(256)
    for c in chars:
        t[ord(c)] = 1
    return bytes(t)


_NAME_T = bytearray(_table(_NAMECH))
for _c in range(128, 256):
    _NAME_T[_c] = 1   # non-ASCII identifiers
_NAME_T = bytes(_NAME_T)
_DIGIT_T = _table('0123456789')
_SPACE_T = _table(' \t\r\x0c')
_WORDS = {}
for _w in _METHODS + _SPECIAL_BASES + _KEYWORDS + ('case', 'match', 'self'):
    _WORDS[_w.encode()] = _w
_OPSTR = {}
for _o in _OPS3 + _OPS2:
    _OPSTR[_o.encode()] = _o
for _c in range(33, 127):
    _OPSTR[bytes([_c])] = chr(_c)
_PREFIXES = (b'f', b'r', b'b', b'u', b'fr', b'rf', b'br', b'rb')
_QUOTE_T = _table('\'"')
del _c, _w, _o


def _tokenize(src):
    """Tokens as lists [kind, text, start, end] over the bytes src. NL marks
    a logical line end."""
    toks = []
    append = toks.append
    i, n = 0, len(src)
    depth = 0
    indents = [0]
    at_line_start = True
    name_t, digit_t, space_t, words, opstr = _NAME_T, _DIGIT_T, _SPACE_T, _WORDS, _OPSTR
    while i < n:
        if at_line_start and depth == 0:
            j = i
            col = 0
            while j < n:
                c = src[j]
                if c == 32:
                    col += 1
                elif c == 9:
                    col += 8
                else:
                    break
                j += 1
            if j < n and src[j] in (35, 13, 10):
                k = src.find(b'\n', j)
                i = n if k < 0 else k + 1
                continue
            if j >= n:
                break
            if col > indents[-1]:
                indents.append(col)
                append([INDENT, '', j, j])
            while col < indents[-1]:
                indents.pop()
                append([DEDENT, '', j, j])
            i = j
            at_line_start = False
        c = src[i]
        if c == 10:
            if depth == 0:
                append([NL, '', i, i])
                at_line_start = True
            i += 1
        elif space_t[c]:
            i += 1
        elif c == 35:
            k = src.find(b'\n', i)
            i = n if k < 0 else k
        elif c == 92 and i + 1 < n and src[i + 1] == 10:
            i += 2
        elif name_t[c]:
            j = i + 1
            while j < n and name_t[src[j]]:
                j += 1
            if digit_t[c]:
                hexa = c == 48 and j > i + 1 and src[i + 1] in (120, 88)
                while j < n:
                    d = src[j]
                    if name_t[d] or d == 46 or (d in (43, 45) and src[j - 1] in (101, 69) and not hexa):
                        j += 1
                    else:
                        break
                append([NUM, src[i:j], i, j])
                i = j
                continue
            word = src[i:j]
            if j < n and _QUOTE_T[src[j]] and j - i <= 3 and word.lower() in _PREFIXES:
                i = _string(src, i, j, toks)
                continue
            append([NAME, words.get(word, word), i, j])
            i = j
        elif _QUOTE_T[c]:
            i = _string(src, i, i, toks)
        elif c == 46 and i + 1 < n and digit_t[src[i + 1]]:
            j = i + 1
            while j < n and name_t[src[j]]:
                j += 1
            append([NUM, src[i:j], i, j])
            i = j
        else:
            op = opstr.get(src[i:i + 3])
            if op is None or len(op) != 3:
                op = opstr.get(src[i:i + 2])
                if op is None or len(op) != 2:
                    op = opstr.get(src[i:i + 1])
                    if op is None:   # control character: a one-byte operator
                        op = chr(c)
            if op in ('(', '[', '{'):
                depth += 1
            elif op in (')', ']', '}'):
                depth = depth - 1 if depth > 0 else 0
            append([OP, op, i, i + len(op)])
            i += len(op)
    append([NL, '', n, n])
    while len(indents) > 1:
        indents.pop()
        append([DEDENT, '', n, n])
    return toks


def _escaped(src, lo, k):
    """Whether the byte at k follows an odd run of backslashes (from lo)."""
    b = k
    while b > lo and src[b - 1] == 92:
        b -= 1
    return (k - b) % 2 == 1


def _string(src, i, q, toks):
    """String literal starting at i (prefix i..q, quote at q), over bytes.
    Jumps from quote to quote with find(): linear in the literal's length."""
    n = len(src)
    qb = src[q:q + 1]
    triple = src[q:q + 3] == qb * 3
    end = qb * 3 if triple else qb
    lo = j = q + (3 if triple else 1)
    while True:
        k = src.find(end, j)
        if k < 0:
            k = n
        if not triple:
            nl = src.find(b'\n', j, k)
            if nl >= 0:
                if _escaped(src, lo, nl):
                    j = nl + 1
                    continue
                j = nl   # unterminated: the line ends the literal
                break
        if k >= n:
            j = n
            break
        if _escaped(src, lo, k):
            j = k + 1
            continue
        j = k + len(end)
        break
    toks.append([STR, src[i:j], i, j])
    return j


def _primary_start(toks, k):
    """Index of the first token of the primary expression ending at toks[k]."""
    while True:
        kind, text = toks[k][0], toks[k][1]
        if kind == OP and text in ')]}':
            opener = {')': '(', ']': '[', '}': '{'}[text]
            d = 0
            while k >= 0:
                t = toks[k]
                if t[0] == OP:
                    if t[1] in ')]}':
                        d += 1
                    elif t[1] in '([{':
                        d -= 1
                        if d == 0:
                            break
                k -= 1
            if k < 0:
                return None
            if text in ')]' and k > 0 and _ends_primary(toks[k - 1]):
                k -= 1  # call or subscript trailer: continue with what precedes
                continue
            return k
        if kind == STR:
            while k > 0 and toks[k - 1][0] == STR:
                k -= 1
            return k
        if kind == NUM or (kind == NAME and (text not in _KEYWORDS or text in _ATOM_KW)):
            if k > 1 and toks[k - 1][0] == OP and toks[k - 1][1] == '.' and _ends_primary(toks[k - 2]):
                k -= 2
                continue
            return k
        return None


def _ends_primary(t):
    kind, text = t[0], t[1]
    if kind == NAME:
        return text not in _KEYWORDS or text in _ATOM_KW
    if kind in (NUM, STR):
        return True
    return kind == OP and text in ')]}'


def _match_close(toks, k):
    d = 0
    n = len(toks)
    while k < n:
        t = toks[k]
        if t[0] == OP:
            if t[1] in '([{':
                d += 1
            elif t[1] in ')]}':
                d -= 1
                if d == 0:
                    return k
        k += 1
    return None


class _Edits:
    def __init__(self):
        self.ins = []   # (pos, order, text): inserted before pos
        self.rep = {}   # start -> (end, text)

    def insert(self, pos, order, text):
        self.ins.append((pos, order, text))

    def replace(self, t, text):
        self.rep[t[2]] = (t[3], text)

    def apply(self, src):
        """The edited source, as str, from the bytes src."""
        # insertions at the same position: the outer rewrite (later anchor) first
        ins = sorted(self.ins, key=lambda e: (e[0], -e[1]))
        out = []
        pos = 0
        points = sorted(set([e[0] for e in ins]) | set(self.rep))
        ii = 0
        for p in points:
            if p < pos:
                continue
            out.append(src[pos:p])
            while ii < len(ins) and ins[ii][0] < p:
                ii += 1
            while ii < len(ins) and ins[ii][0] == p:
                out.append(ins[ii][2].encode())
                ii += 1
            pos = p
            r = self.rep.get(p)
            if r is not None:
                out.append(r[1].encode())
                pos = r[0]
        out.append(src[pos:])
        return b''.join(out).decode()


# Any of these in a source means work, and so do ':' and '[' together.
_NEEDLES = tuple('.' + m + '(' for m in _METHODS) + (
    '::', '**', 'class ', 'f"', "f'", 'F"', "F'", ':-', 'match ', 'async def', 'except*')


def _needs_work(src):
    if ':' in src and '[' in src:
        return True
    for c in _NEEDLES:
        if c in src:
            return True
    return False


def rewrite(src, q="'"):
    text = src
    try:
        if not _needs_work(src):
            return src
        text = src
        src = src.encode()
        toks = _tokenize(src)
        bad = _unsupported(toks)
        if bad is not None:
            off, msg = bad
            line = src.count(b'\n', 0, off) + 1
            # MicroPython would report a bare "invalid syntax"; say what to do.
            return '\n' * (line - 1) + 'raise SyntaxError(%s)\n' % _lit(msg, q)
        ed = _Edits()
        _methods(toks, ed, q)
        _slices(toks, ed)
        _dicts(toks, ed)
        _classes(src, toks, ed, q)
        _fstrings(toks, ed)
        if not ed.ins and not ed.rep:
            return text
        return ed.apply(src)
    except Exception:
        return text


def _unsupported(toks):
    """(line, message) for syntax MicroPython rejects with a bare
    'invalid syntax', so the agent learns what to write instead."""
    n = len(toks)
    src_lines = None
    for k in range(n):
        t = toks[k]
        if t[0] != NAME or (k > 0 and toks[k - 1][0] not in (NL, INDENT, DEDENT)):
            continue
        if t[1] == 'match' and k + 1 < n and not (toks[k + 1][0] == OP and toks[k + 1][1] in
                                                   ('=', '.', '(', '[', ',', ')', ':') and toks[k + 1][1] != '('):
            # match <subject>: NL INDENT case ...
            j = k + 1
            while j < n and toks[j][0] != NL:
                j += 1
            if j + 2 < n and toks[j - 1][1] == ':' and toks[j + 1][0] == INDENT and \
                    toks[j + 2][0] == NAME and toks[j + 2][1] == 'case':
                return t[2], 'match statements are not supported (MicroPython); use if/elif chains'
        if t[1] == 'except' and k + 1 < n and toks[k + 1][1] == '*':
            return t[2], 'except* (exception groups) is not supported (MicroPython); use a plain except'
        if t[1] == 'async' and k + 1 < n and toks[k + 1][1] == 'def':
            # async generator: a yield directly in this function's body
            j = k + 2
            while j < n and toks[j][0] != NL:
                j += 1
            if j + 1 < n and toks[j + 1][0] == INDENT:
                d = 0
                nested = None   # depth of a nested def/class body being skipped
                j += 1
                while j < n:
                    u = toks[j]
                    if u[0] == INDENT:
                        d += 1
                    elif u[0] == DEDENT:
                        d -= 1
                        if nested is not None and d < nested:
                            nested = None
                        if d == 0:
                            break
                    elif u[0] == NAME and u[1] in ('def', 'class') and nested is None:
                        nested = d + 1
                    elif u[0] == NAME and u[1] == 'yield' and nested is None:
                        return u[2], ('async generators (yield inside async def) are not supported '
                                      '(MicroPython); return a list, or pass items through an asyncio.Queue')
                    j += 1
    return None


def _methods(toks, ed, q):
    n = len(toks)
    for k in range(2, n - 1):
        t = toks[k]
        if t[0] != NAME or t[1] not in _METHODS:
            continue
        dot, nxt = toks[k - 1], toks[k + 1]
        if dot[1] != '.' or dot[0] != OP or nxt[1] != '(' or nxt[0] != OP:
            continue
        if toks[k - 2][0] == NAME and toks[k - 2][1] in ('import', 'from'):
            continue
        s = _primary_start(toks, k - 2)
        if s is None:
            continue
        start = toks[s][2]
        if t[1] == 'format':
            ed.insert(start, dot[2], '_airlock.mfmt(')
            ed.replace(dot, ')')
            ed.replace(t, '')
        elif t[1] == 'sort':
            ed.insert(start, dot[2], '_airlock.msort(')
            ed.replace(dot, ')')
            ed.replace(t, '')
        else:
            ed.insert(start, dot[2], '_airlock.m(')
            ed.replace(dot, ', ' + q + t[1] + q + ')')
            ed.replace(t, '')


def _stmt_start(toks, k):
    while k > 0 and toks[k - 1][0] not in (NL, INDENT, DEDENT):
        k -= 1
    return k


def _slices(toks, ed):
    n = len(toks)
    for k in range(1, n):
        t = toks[k]
        if t[0] != OP or t[1] != '[' or not _ends_primary(toks[k - 1]):
            continue
        e = _match_close(toks, k)
        if e is None:
            continue
        colons = []
        d = 0
        for j in range(k + 1, e):
            u = toks[j]
            if u[0] == OP:
                if u[1] in '([{':
                    d += 1
                elif u[1] in ')]}':
                    d -= 1
                elif d == 0 and u[1] == ':':
                    colons.append(j)
                elif d == 0 and u[1] in (',', ':=') or (d == 0 and u[0] == NAME and u[1] == 'lambda'):
                    colons = None
                    break
            elif d == 0 and u[0] == NAME and u[1] == 'lambda':
                colons = None
                break
        if not colons or len(colons) != 2:
            continue
        # loads only: not an assignment / del target
        if e + 1 < n and toks[e + 1][0] == OP and toks[e + 1][1] in _ASSIGN_AFTER:
            continue
        st = _stmt_start(toks, k)
        if toks[st][0] == NAME and toks[st][1] in ('del', 'for'):
            continue
        s = _primary_start(toks, k - 1)
        if s is None:
            continue
        ed.insert(toks[s][2], t[2], '_airlock.sl(')
        c1, c2 = colons
        ed.replace(t, ', None' if c1 == k + 1 else ', ')
        ed.replace(toks[c1], ', None' if c2 == c1 + 1 else ', ')
        ed.replace(toks[c2], ', None' if e == c2 + 1 else ', ')
        ed.replace(toks[e], ')')


def _dicts(toks, ed):
    n = len(toks)
    for k in range(n):
        t = toks[k]
        if t[0] != OP or t[1] != '{':
            continue
        if k > 0 and _ends_primary(toks[k - 1]):
            continue
        e = _match_close(toks, k)
        if e is None:
            continue
        # top-level elements
        elems = []
        d = 0
        start = k + 1
        has_star = False
        for j in range(k + 1, e + 1):
            u = toks[j]
            if u[0] == OP and u[1] in '([{' and j != e:
                d += 1
            elif u[0] == OP and u[1] in ')]}' and j != e:
                d -= 1
            elif d == 0 and u[0] == OP and (u[1] == ',' or j == e):
                if j > start:
                    elems.append((start, j))
                start = j + 1
            elif d == 0 and u[0] == NAME and u[1] in ('for', 'async'):
                elems = None
                break
        if not elems:
            continue
        for a, b in elems:
            if toks[a][1] == '**' and toks[a][0] == OP:
                has_star = True
        if not has_star:
            continue
        parts = []
        ok = True
        for a, b in elems:
            if toks[a][1] == '**':
                parts.append((a, b, None))
                continue
            d = 0
            colon = None
            for j in range(a, b):
                u = toks[j]
                if u[0] == OP:
                    if u[1] in '([{':
                        d += 1
                    elif u[1] in ')]}':
                        d -= 1
                    elif d == 0 and u[1] == ':':
                        colon = j
                        break
            if colon is None:
                ok = False
                break
            parts.append((a, b, colon))
        if not ok:
            continue
        ed.replace(t, '_airlock.merge(')
        for a, b, colon in parts:
            if colon is None:
                ed.replace(toks[a], '(')
                ed.insert(toks[b][2], -1, ',)')
            else:
                ed.insert(toks[a][2], 1 << 30, '(')
                ed.replace(toks[colon], ',')
                ed.insert(toks[b][2], -1, ')')
        ed.replace(toks[e], ')')


def _classes(src, toks, ed, q):
    n = len(toks)
    for k in range(n):
        t = toks[k]
        if t[0] != NAME or t[1] != 'class' or k + 1 >= n or toks[k + 1][0] != NAME:
            continue
        if k > 0 and toks[k - 1][0] not in (NL, INDENT, DEDENT):
            continue
        j = k + 2
        special = False
        if toks[j][1] == '(':
            e = _match_close(toks, j)
            if e is None:
                continue
            for u in toks[j + 1:e]:
                if u[0] == NAME and u[1] in _SPECIAL_BASES:
                    special = True
            j = e + 1
        if toks[j][1] != ':':
            continue
        j += 1
        if toks[j][0] != NL or toks[j + 1][0] != INDENT:
            continue  # one-line class body: leave it alone
        j += 2
        names = []
        anns = []
        d = 0
        at_stmt = True
        while j < n:
            u = toks[j]
            if u[0] == INDENT:
                d += 1
            elif u[0] == DEDENT:
                if d == 0:
                    break
                d -= 1
            elif u[0] == NL:
                at_stmt = True
                j += 1
                continue
            elif at_stmt and d == 0 and u[0] == NAME and u[1] not in _KEYWORDS:
                nx = toks[j + 1]
                if nx[0] == OP and nx[1] == ':':
                    m = j + 2
                    while toks[m][0] != NL and not (toks[m][0] == OP and toks[m][1] == '='):
                        m += 1
                    ann = src[toks[j + 2][2]:toks[m - 1][3]].decode()
                    name = _text(u[1])
                    if name not in names:
                        names.append(name)
                    anns.append((name, ann))
                elif nx[0] == OP and nx[1] == '=' and _text(u[1]) not in names:
                    names.append(_text(u[1]))
            at_stmt = False
            j += 1
        if not anns and not special:
            continue
        line_start = src.rfind(b'\n', 0, t[2]) + 1
        indent = src[line_start:t[2]].decode()
        ann_txt = ''.join('(%s, %s), ' % (_lit(a, q), _lit(b, q)) for a, b in anns)
        names_txt = ''.join(_lit(a, q) + ', ' for a in names)
        ed.insert(t[2], 0, '@_airlock.cls((%s), (%s))\n%s' % (names_txt, ann_txt, indent))


def _fslit(s, q):
    # literal usable inside an f-string field: MicroPython's f-string parser
    # splits on ':' and '!' even inside quotes
    out = q + s.replace('\\', '\\\\').replace(q, '\\' + q) + q
    return out.replace(':', q + '+chr(58)+' + q).replace('!', q + '+chr(33)+' + q)


def _lit(s, q):
    return q + s.replace('\\', '\\\\').replace(q, '\\' + q).replace('\n', ' ') + q


def _text(t):
    return t if isinstance(t, str) else t.decode()


def _fstrings(toks, ed):
    for t in toks:
        if t[0] != STR or t[1][:3].lower().find(b'f') < 0 or t[1].find(b'{') < 0:
            continue
        text = t[1].decode()
        p = 0
        while p < len(text) and text[p] not in '\'"':
            p += 1
        prefix = text[:p].lower()
        if 'f' not in prefix or '{' not in text:
            continue
        new = _rewrite_fstring(text, p)
        if new is not None and new != text:
            ed.replace(t, new)


def _rewrite_fstring(text, p):
    quote = text[p]
    oq = '"' if quote == "'" else "'"
    triple = text[p:p + 3] == quote * 3
    body_start = p + (3 if triple else 1)
    body_end = len(text) - (3 if triple else 1)
    body = text[body_start:body_end]
    out = []
    i, n = 0, len(body)
    changed = False
    while i < n:
        c = body[i]
        if c == '{':
            if body[i + 1:i + 2] == '{':
                out.append('{{')
                i += 2
                continue
            # find the end of the replacement field
            d, j = 1, i + 1
            inq = None
            while j < n and d:
                ch = body[j]
                if inq:
                    if ch == inq:
                        inq = None
                elif ch in '\'"':
                    inq = ch
                elif ch in '{[(':
                    d += 1
                elif ch in '}])':
                    d -= 1
                j += 1
            if d:
                return None
            field = body[i + 1:j - 1]
            r = _rewrite_field(field, oq)
            if r is None:
                return None
            lit, nf = r
            if nf != field or lit:
                changed = True
            out.append(lit + '{' + nf + '}')
            i = j
        elif c == '}' and body[i + 1:i + 2] == '}':
            out.append('}}')
            i += 2
        else:
            out.append(c)
            i += 1
    if not changed:
        return text
    return text[:body_start] + ''.join(out) + text[body_end:]


def _rewrite_field(field, oq):
    # split expression / !conv / :spec at top level
    d = 0
    inq = None
    k = 0
    n = len(field)
    split = n
    while k < n:
        ch = field[k]
        if inq:
            if ch == inq:
                inq = None
        elif ch in '\'"':
            inq = ch
        elif ch in '([{':
            d += 1
        elif ch in ')]}':
            d -= 1
        elif d == 0 and ch == '!' and field[k + 1:k + 2] != '=':
            split = k
            break
        elif d == 0 and ch == ':':
            split = k
            break
        k += 1
    expr, tail = field[:split], field[split:]
    conv, spec = '', ''
    if tail.startswith('!'):
        conv, tail = tail[:2], tail[2:]
    if tail.startswith(':'):
        spec = tail[1:]
    eq = ''
    s = expr.rstrip(' \t\n\r\v\f')   # MicroPython's whitespace
    if s.endswith('=') and not s.endswith(('==', '!=', '<=', '>=')):
        eq = s
        expr = s[:-1]
        if not conv and not spec:
            conv = '!r'
    if oq in expr:
        return ('', field) if not eq else None
    new_expr = expr
    if _needs_work(expr):
        new_expr = rewrite(expr, oq)
        if '\n' in new_expr:
            return ('', field) if not eq else None
    need_fmt = spec and ('%' in spec or ',' in spec or '_' in spec or '{' in spec)
    if need_fmt and oq not in spec:
        if conv == '!r':
            new_expr = 'repr(%s)' % new_expr
        elif conv == '!s':
            new_expr = 'str(%s)' % new_expr
        if '{' in spec:
            parts = []
            i = 0
            while i < len(spec):
                j = spec.find('{', i)
                if j < 0:
                    parts.append(_fslit(spec[i:], oq))
                    break
                if j > i:
                    parts.append(_fslit(spec[i:j], oq))
                e = spec.find('}', j)
                if e < 0:
                    return None
                parts.append('str(%s)' % spec[j + 1:e])
                i = e + 1
            spec_expr = '+'.join(parts) or (oq + oq)
        else:
            spec_expr = _fslit(spec, oq)
        res = '_airlock.fmt(%s, %s)' % (new_expr, spec_expr)
    else:
        res = new_expr + conv + (':' + spec if spec else '')
    if eq:
        return (eq.replace('{', '{{').replace('}', '}}'), res)
    return ('', res)
