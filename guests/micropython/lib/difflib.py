# difflib for airlock: SequenceMatcher, get_close_matches, unified_diff,
# ndiff (simplified), context-free.


class SequenceMatcher:
    def __init__(self, isjunk=None, a='', b='', autojunk=True):
        self.isjunk = isjunk
        self.a = self.b = None
        self.set_seqs(a, b)

    def set_seqs(self, a, b):
        self.set_seq1(a)
        self.set_seq2(b)

    def set_seq1(self, a):
        self.a = a
        self._blocks = None
        self._ops = None

    def set_seq2(self, b):
        self.b = b
        self._blocks = None
        self._ops = None
        b2j = {}
        for i, x in enumerate(b):
            b2j.setdefault(x, []).append(i)
        if self.isjunk:
            for x in list(b2j):
                if self.isjunk(x):
                    del b2j[x]
        n = len(b)
        if n >= 200:
            ntest = n // 100 + 1
            for x in list(b2j):
                if len(b2j[x]) > ntest:
                    del b2j[x]
        self.b2j = b2j

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        a, b2j = self.a, self.b2j
        if ahi is None:
            ahi = len(a)
        if bhi is None:
            bhi = len(self.b)
        besti, bestj, bestsize = alo, blo, 0
        j2len = {}
        for i in range(alo, ahi):
            new = {}
            for j in b2j.get(a[i], ()):
                if j < blo:
                    continue
                if j >= bhi:
                    break
                k = new[j] = j2len.get(j - 1, 0) + 1
                if k > bestsize:
                    besti, bestj, bestsize = i - k + 1, j - k + 1, k
            j2len = new
        b = self.b
        while besti > alo and bestj > blo and a[besti - 1] == b[bestj - 1] and a[besti - 1] not in b2j and False:
            besti, bestj, bestsize = besti - 1, bestj - 1, bestsize + 1
        from collections import namedtuple
        return (besti, bestj, bestsize)

    def get_matching_blocks(self):
        if self._blocks is not None:
            return self._blocks
        la, lb = len(self.a), len(self.b)
        queue = [(0, la, 0, lb)]
        blocks = []
        while queue:
            alo, ahi, blo, bhi = queue.pop()
            i, j, k = x = self.find_longest_match(alo, ahi, blo, bhi)
            if k:
                blocks.append(x)
                if alo < i and blo < j:
                    queue.append((alo, i, blo, j))
                if i + k < ahi and j + k < bhi:
                    queue.append((i + k, ahi, j + k, bhi))
        blocks.sort()
        i1 = j1 = k1 = 0
        merged = []
        for i2, j2, k2 in blocks:
            if i1 + k1 == i2 and j1 + k1 == j2:
                k1 += k2
            else:
                if k1:
                    merged.append((i1, j1, k1))
                i1, j1, k1 = i2, j2, k2
        if k1:
            merged.append((i1, j1, k1))
        merged.append((la, lb, 0))
        self._blocks = merged
        return merged

    def get_opcodes(self):
        if self._ops is not None:
            return self._ops
        i = j = 0
        ops = []
        for ai, bj, size in self.get_matching_blocks():
            tag = ''
            if i < ai and j < bj:
                tag = 'replace'
            elif i < ai:
                tag = 'delete'
            elif j < bj:
                tag = 'insert'
            if tag:
                ops.append((tag, i, ai, j, bj))
            i, j = ai + size, bj + size
            if size:
                ops.append(('equal', ai, i, bj, j))
        self._ops = ops
        return ops

    def get_grouped_opcodes(self, n=3):
        codes = self.get_opcodes()
        if not codes:
            codes = [('equal', 0, 1, 0, 1)]
        if codes[0][0] == 'equal':
            tag, i1, i2, j1, j2 = codes[0]
            codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
        if codes[-1][0] == 'equal':
            tag, i1, i2, j1, j2 = codes[-1]
            codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
        nn = n + n
        group = []
        for tag, i1, i2, j1, j2 in codes:
            if tag == 'equal' and i2 - i1 > nn:
                group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
                yield group
                group = []
                i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
            group.append((tag, i1, i2, j1, j2))
        if group and not (len(group) == 1 and group[0][0] == 'equal'):
            yield group

    def ratio(self):
        m = sum(x[-1] for x in self.get_matching_blocks())
        t = len(self.a) + len(self.b)
        return 2.0 * m / t if t else 1.0

    def quick_ratio(self):
        return self.ratio()

    def real_quick_ratio(self):
        la, lb = len(self.a), len(self.b)
        return 2.0 * min(la, lb) / (la + lb) if la + lb else 1.0


def get_close_matches(word, possibilities, n=3, cutoff=0.6):
    res = []
    s = SequenceMatcher()
    s.set_seq2(word)
    for x in possibilities:
        s.set_seq1(x)
        r = s.ratio()
        if r >= cutoff:
            res.append((r, x))
    res.sort(key=lambda t: t, reverse=True)
    return [x for r, x in res[:n]]


def _range(start, stop):
    beginning = start + 1
    length = stop - start
    if length == 1:
        return '%d' % beginning
    if not length:
        beginning -= 1
    return '%d,%d' % (beginning, length)


def unified_diff(a, b, fromfile='', tofile='', fromfiledate='', tofiledate='', n=3, lineterm='\n'):
    started = False
    for group in SequenceMatcher(None, a, b).get_grouped_opcodes(n):
        if not started:
            started = True
            fd = '\t' + fromfiledate if fromfiledate else ''
            td = '\t' + tofiledate if tofiledate else ''
            yield '--- %s%s%s' % (fromfile, fd, lineterm)
            yield '+++ %s%s%s' % (tofile, td, lineterm)
        first, last = group[0], group[-1]
        yield '@@ -%s +%s @@%s' % (_range(first[1], last[2]), _range(first[3], last[4]), lineterm)
        for tag, i1, i2, j1, j2 in group:
            if tag == 'equal':
                for line in a[i1:i2]:
                    yield ' ' + line
                continue
            if tag in ('replace', 'delete'):
                for line in a[i1:i2]:
                    yield '-' + line
            if tag in ('replace', 'insert'):
                for line in b[j1:j2]:
                    yield '+' + line


def ndiff(a, b, linejunk=None, charjunk=None):
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b).get_opcodes():
        if tag == 'equal':
            for x in a[i1:i2]:
                yield '  ' + x
        else:
            for x in a[i1:i2]:
                yield '- ' + x
            for x in b[j1:j2]:
                yield '+ ' + x


class Differ:
    def compare(self, a, b):
        return ndiff(a, b)
